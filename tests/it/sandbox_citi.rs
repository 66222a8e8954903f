//! The Citi customers API of the sandbox, over real HTTP on loopback.

use crate::common;

use std::time::Duration;

use base64::Engine;
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use common::TestSandbox;

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F', 0];

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A sandbox, the agent's plain token, Ada's id and a token bound to Ada.
struct Env {
    t: TestSandbox,
    agent: String,
    ada: String,
    tok: String,
}

impl Env {
    async fn new() -> Env {
        Env::from(common::start(50).await).await
    }

    async fn from(t: TestSandbox) -> Env {
        let agent = t.agent().await;
        let ada = t.ada(&agent).await;
        let tok = t.bound(&agent, &ada).await;
        Env { t, agent, ada, tok }
    }

    /// A Citi call as the agent bound to Ada, with every required header.
    fn call(&self, m: Method, path: &str) -> RequestBuilder {
        self.call_as(m, path, &self.tok, "agent")
    }

    fn call_as(&self, m: Method, path: &str, token: &str, client: &str) -> RequestBuilder {
        self.t
            .http
            .request(m, self.t.url(&format!("/citi{path}")))
            .bearer_auth(token)
            .header("uuid", uuid::Uuid::new_v4().to_string())
            .header("client_id", client)
            .header("Accept", "application/json")
    }

    async fn get(&self, path: &str) -> Value {
        let (s, v) = send(self.call(Method::GET, path)).await;
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }

    async fn outbox(&self) -> Vec<Value> {
        self.t.outbox().await
    }

    /// The passcode sent for a flow, from the outbox (newest first).
    async fn otp_for(&self, flow: &str) -> String {
        let msgs = self.outbox().await;
        let m = msgs
            .iter()
            .find(|m| m["controlFlowId"] == flow)
            .expect("a passcode message for the flow");
        m["otp"].as_str().unwrap().to_string()
    }

    async fn confirm(&self, what: &str, flow: &str, otp: &str) -> (u16, Value) {
        send(
            self.call(
                Method::POST,
                &format!("/v1/customers/profiles/{what}/confirmation"),
            )
            .json(&json!({"controlFlowId": flow, "otp": otp})),
        )
        .await
    }

    /// A plain token and a demo customer other than Ada, by bankingservice's list.
    async fn other_customer(&self, index: usize) -> String {
        let v: Value = self
            .t
            .http
            .get(
                self.t
                    .url("/bankingservice/v1/profiles/demo-bank/customers?size=50"),
            )
            .bearer_auth(&self.agent)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = v["data"][index]["id"].as_str().unwrap().to_string();
        assert_ne!(id, self.ada);
        id
    }
}

async fn send(rb: RequestBuilder) -> (u16, Value) {
    let r = rb.send().await.expect("request");
    let s = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (s, v)
}

fn wrong(otp: &str) -> String {
    let n: u32 = otp.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// A GET over a bare socket, so that no header is added behind our back.
async fn raw_get(t: &TestSandbox, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut s = tokio::net::TcpStream::connect(t.sb.addr).await.unwrap();
    let mut req = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        t.sb.addr
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf);
    let status: u16 = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn reads_show_the_bound_customer() {
    let e = Env::new().await;

    let p = e.get("/v1/customers/profiles").await;
    let name = &p["customerParticulars"]["names"][0];
    assert_eq!(name["nameType"], "LOCAL");
    assert_eq!(name["givenName"], "Ada");
    assert_eq!(name["surname"], "Quartermaine");
    assert_eq!(p["customerParticulars"]["dateOfBirth"], "1984-03-09");
    assert_eq!(p["customerParticulars"]["prefix"], "Ms");
    assert_eq!(p["customerType"], "INDIVIDUAL");
    assert!(p.get("partnerCustomerSegment").is_none());
    let home = &p["addressList"][0];
    assert_eq!(home["addressType"], "HOME");
    assert_eq!(home["addressline1"], "10 Downing Street");
    assert_eq!(home["postalCode"], "SW1A 1AA");
    assert_eq!(home["countryName"], "United Kingdom");
    let mobile = &p["phones"][0];
    assert_eq!(mobile["phoneType"], "MOBILE");
    assert_eq!(mobile["phoneCountryCode"], "44");
    assert_eq!(mobile["areaCode"], "7700");
    assert_eq!(mobile["phoneNumber"], "900123");
    assert!(mobile["phoneKey"].is_i64());
    assert_eq!(p["emails"][0]["preferredEmailFlag"], true);
    assert!(
        p["emails"][0]["emailAddress"]
            .as_str()
            .unwrap()
            .starts_with("ada.quartermaine")
    );
    let offers = p["offers"].as_array().unwrap();
    assert_eq!(offers.len(), 2);
    assert!(offers.iter().all(|o| o["offerStatus"] == "AVAILABLE"));
    assert_ne!(offers[0]["offerId"], offers[1]["offerId"]);

    let partner = e.get("/partner/v1/customers/profiles").await;
    let seg = partner["partnerCustomerSegment"].as_str().unwrap();
    assert!(!seg.is_empty(), "empty partner segment is shown as NONE");
    assert_eq!(partner["customerParticulars"], p["customerParticulars"]);

    let basic = e.get("/v1/customers/profiles/basic").await;
    assert_eq!(basic["customerParticulars"], p["customerParticulars"]);
    assert_eq!(basic["customerSegment"], p["customerSegment"]);
    assert!(basic.get("addressList").is_none());

    let addrs = e.get("/v1/customers/profiles/addresses").await;
    assert_eq!(addrs["addressList"], p["addressList"]);
    assert_eq!(
        e.get("/v1/customers/profiles/emails").await["emails"],
        p["emails"]
    );
    assert_eq!(
        e.get("/v1/customers/profiles/phoneNumbers").await["phones"],
        p["phones"]
    );

    let alerts = e.get("/v1/customers/alerts").await["alerts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(alerts.len(), 6);
    for a in &alerts {
        let s = a["alertStatus"].as_str().unwrap();
        assert!(s == "ENROLLED" || s == "ELIGIBLE");
        assert_eq!(a.get("channel").is_some(), s == "ENROLLED", "{a}");
    }
    let eligible = e.get("/v1/customers/alerts?alertStatus=ELIGIBLE").await["alerts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        eligible.len(),
        alerts
            .iter()
            .filter(|a| a["alertStatus"] == "ELIGIBLE")
            .count()
    );
    assert!(eligible.iter().all(|a| a["alertStatus"] == "ELIGIBLE"));
    let (s, v) = send(e.call(Method::GET, "/v1/customers/alerts?alertStatus=SOME")).await;
    assert_eq!(
        (s, v["code"].as_str(), v["location"].as_str()),
        (400, Some("invalidRequest"), Some("alertStatus"))
    );

    let h = e.get("/v1/customers/alerts/history").await;
    assert!(h["totalRecords"].as_i64().unwrap() >= 0);
    assert!(h["alertHistory"].is_array());
    for bad in [
        "requestSize=0",
        "requestSize=101",
        "requestSize=x",
        "nextStartIndex=-1",
    ] {
        let (s, v) =
            send(e.call(Method::GET, &format!("/v1/customers/alerts/history?{bad}"))).await;
        assert_eq!(s, 400, "{bad}");
        assert_eq!(v["location"], bad.split('=').next().unwrap(), "{bad}");
    }

    let (s, v) = send(e.call(Method::GET, "/v1/customers/profile/images")).await;
    assert_eq!((s, v["code"].as_str()), (404, Some("resourceNotFound")));
}

#[tokio::test]
async fn card_addresses_only_for_the_customers_own_cards() {
    let e = Env::new().await;
    let nd: Value =
        e.t.http
            .get(e.t.url(&format!("/customer-service/customers/{}", e.ada)))
            .bearer_auth(&e.agent)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let card = nd["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["accountType"] == "CARD")
        .expect("Ada has a card")["accountId"]
        .as_str()
        .unwrap()
        .to_string();
    let v = e.get(&format!("/v1/cards/accounts/{card}/addresses")).await;
    for k in ["cardToAddress", "billToAddress", "pinToAddress"] {
        assert_eq!(v[k]["addressType"], "HOME", "{k}");
        assert_eq!(v[k]["postalCode"], "SW1A 1AA", "{k}");
        assert_eq!(v[k]["countryName"], "United Kingdom", "{k}");
    }

    let (s, v) = send(e.call(Method::GET, "/v1/cards/accounts/ACC999999999/addresses")).await;
    assert_eq!((s, v["code"].as_str()), (404, Some("resourceNotFound")));

    // A customer holding a current account: not a card, so 404; and Ada's card is not theirs.
    let mut found = false;
    for i in 1..50 {
        let id = e.other_customer(i).await;
        let nd: Value =
            e.t.http
                .get(e.t.url(&format!("/customer-service/customers/{id}")))
                .bearer_auth(&e.agent)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        let Some(current) = nd["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["accountType"] == "CURRENT")
        else {
            continue;
        };
        let tok = e.t.bound(&e.agent, &id).await;
        let path = format!(
            "/v1/cards/accounts/{}/addresses",
            current["accountId"].as_str().unwrap()
        );
        let (s, _) = send(e.call_as(Method::GET, &path, &tok, "agent")).await;
        assert_eq!(s, 404, "a current account has no card addresses");
        let path = format!("/v1/cards/accounts/{card}/addresses");
        let (s, _) = send(e.call_as(Method::GET, &path, &tok, "agent")).await;
        assert_eq!(s, 404, "another customer's card");
        found = true;
        break;
    }
    assert!(found, "the seed holds a customer with a current account");
}

#[tokio::test]
async fn tokens_scopes_and_headers_are_checked_in_order() {
    let e = Env::new().await;
    let path = "/citi/v1/customers/profiles";

    // No token at all, and no headers either: 401 first.
    let (s, v) = send(e.t.http.get(e.t.url(path))).await;
    assert_eq!(
        (s, v["code"].as_str(), v["type"].as_str()),
        (401, Some("unAuthorized"), Some("error"))
    );
    let (s, _) = send(e.t.http.get(e.t.url(path)).bearer_auth("not-a-token")).await;
    assert_eq!(s, 401);

    // A plain (not customer-bound) agent token: 403.
    let (s, v) = send(e.call_as(Method::GET, "/v1/customers/profiles", &e.agent, "agent")).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("accessNotConfigured")));
    assert!(v["details"].as_str().unwrap().contains("customer-bound"));

    // The auditor reads but cannot write, bound or not.
    let auditor = e.t.token("auditor", "auditor-secret").await;
    let auditor_bound = e.t.bound(&auditor, &e.ada).await;
    let (s, _) = send(e.call_as(
        Method::GET,
        "/v1/customers/profiles/emails",
        &auditor_bound,
        "auditor",
    ))
    .await;
    assert_eq!(s, 200);
    let before = e.outbox().await.len();
    let body =
        json!({"emails": [{"emailAddress": "audit@example.com", "preferredEmailFlag": false}]});
    for tok in [&auditor_bound, &auditor] {
        let (s, v) = send(
            e.call_as(Method::PUT, "/v1/customers/profiles/emails", tok, "auditor")
                .json(&body),
        )
        .await;
        assert_eq!((s, v["code"].as_str()), (403, Some("accessNotConfigured")));
        assert!(
            v["details"].as_str().unwrap().contains("contact:write"),
            "{v}"
        );
    }
    for (m, p) in [
        (Method::PUT, "/v1/offers"),
        (
            Method::PUT,
            "/v1/communications/alerts/profilesAndSubscriptions",
        ),
        (Method::DELETE, "/v1/customers/profile/images"),
    ] {
        let (s, _) = send(e.call_as(m, p, &auditor_bound, "auditor").json(&json!({}))).await;
        assert_eq!(s, 403, "{p}");
    }
    assert_eq!(e.outbox().await.len(), before, "no passcode was sent");

    // Missing headers: 400 naming each.
    for missing in ["uuid", "client_id"] {
        let mut rb =
            e.t.http
                .get(e.t.url(path))
                .bearer_auth(&e.tok)
                .header("Accept", "application/json");
        for h in ["uuid", "client_id"] {
            if h != missing {
                rb = rb.header(
                    h,
                    if h == "uuid" {
                        "5b1e9c1c-1b1a-4c53-9a43-0d1f7b7e2a11"
                    } else {
                        "agent"
                    },
                );
            }
        }
        let (s, v) = send(rb).await;
        assert_eq!(s, 400, "{missing}");
        assert_eq!(v["code"], "invalidRequest");
        assert_eq!(v["type"], "invalid");
        assert_eq!(v["location"], missing);
    }
    let auth = format!("Bearer {}", e.tok);
    let (s, v) = raw_get(
        &e.t,
        path,
        &[
            ("Authorization", &auth),
            ("uuid", "u-1"),
            ("client_id", "agent"),
        ],
    )
    .await;
    assert_eq!((s, v["location"].as_str()), (400, Some("Accept")));
    let (s, v) = raw_get(
        &e.t,
        path,
        &[
            ("Authorization", &auth),
            ("uuid", "u-1"),
            ("client_id", "agent"),
            ("Accept", "application/json"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");

    // A client_id that is not the token's client.
    let (s, v) = send(e.call_as(Method::GET, "/v1/customers/profiles", &e.tok, "backoffice")).await;
    assert_eq!(
        (s, v["code"].as_str(), v["location"].as_str()),
        (403, Some("accessNotConfigured"), Some("client_id"))
    );
}

#[tokio::test]
async fn another_tenants_customers_stay_out_of_reach() {
    let e = Env::new().await;
    let rival = e.t.token("rival-agent", "rival-secret").await;

    // Exchanging for a demo-bank customer fails.
    let a =
        e.t.token_form(&[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("subject_token", rival.as_str()),
            ("resource", e.ada.as_str()),
        ])
        .await;
    assert_eq!(a.status, 400);
    assert!(a.body.get("access_token").is_none());

    // A rival token bound to a rival customer sees that customer, never Ada.
    let list: Value =
        e.t.http
            .get(e.t.url("/bankingservice/v1/profiles/rival-bank/customers"))
            .bearer_auth(&rival)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let theirs = list["data"][0]["id"].as_str().unwrap().to_string();
    let rival_bound = e.t.bound(&rival, &theirs).await;
    let (s, p) = send(e.call_as(
        Method::GET,
        "/v1/customers/profiles",
        &rival_bound,
        "rival-agent",
    ))
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        p["customerParticulars"]["names"][0]["givenName"],
        list["data"][0]["first_name"]
    );
    assert_ne!(
        p["customerParticulars"]["names"][0]["surname"],
        "Quartermaine"
    );

    // Ada's card is not found through the rival's token.
    let nd: Value =
        e.t.http
            .get(e.t.url(&format!("/customer-service/customers/{}", e.ada)))
            .bearer_auth(&e.agent)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let card = nd["accounts"][0]["accountId"].as_str().unwrap();
    let (s, _) = send(e.call_as(
        Method::GET,
        &format!("/v1/cards/accounts/{card}/addresses"),
        &rival_bound,
        "rival-agent",
    ))
    .await;
    assert_eq!(s, 404);

    // Nor does the demo agent reach the rival customer.
    let a =
        e.t.token_form(&[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("subject_token", e.agent.as_str()),
            ("resource", theirs.as_str()),
        ])
        .await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn email_update_waits_for_the_passcode_then_applies() {
    let e = Env::new().await;
    let before = e.get("/v1/customers/profiles/emails").await["emails"].clone();
    let old_key = before[0]["emailKey"].as_i64().unwrap();

    let (s, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/emails")
            .json(&json!({
                "emails": [{"emailAddress": "Ada.New@Example.COM", "preferredEmailFlag": true}]
            })),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    let flow = v["controlFlowId"].as_str().unwrap().to_string();
    assert_eq!(v["otpSentTo"], "•••••••0123");

    // Nothing changes yet; the passcode went by SMS to Ada's registered mobile.
    assert_eq!(
        e.get("/v1/customers/profiles/emails").await["emails"],
        before
    );
    let msg = e.outbox().await[0].clone();
    assert_eq!(msg["to"], "07700900123");
    assert_eq!(msg["channel"], "SMS");
    assert_eq!(msg["controlFlowId"], flow);
    let otp = msg["otp"].as_str().unwrap().to_string();
    assert_eq!(otp.len(), 6);
    assert!(msg["text"].as_str().unwrap().contains(&otp));

    // The email flow cannot be confirmed as a phone change.
    let (s, v) = e.confirm("phoneNumbers", &flow, &otp).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalidControlFlowId")));

    // Another customer cannot confirm it, and their try costs Ada no attempt.
    let other = e.other_customer(1).await;
    let other_tok = e.t.bound(&e.agent, &other).await;
    let (s, v) = send(
        e.call_as(
            Method::POST,
            "/v1/customers/profiles/emails/confirmation",
            &other_tok,
            "agent",
        )
        .json(&json!({"controlFlowId": flow, "otp": otp})),
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalidControlFlowId")));

    let (s, v) = e.confirm("emails", &flow, &wrong(&otp)).await;
    assert_eq!(
        (s, v["code"].as_str(), v["location"].as_str()),
        (400, Some("invalidOtp"), Some("otp"))
    );
    assert!(
        v["details"].as_str().unwrap().contains("2 attempts left"),
        "{v}"
    );
    assert_eq!(
        e.get("/v1/customers/profiles/emails").await["emails"],
        before
    );

    let (s, v) = e.confirm("emails", &flow, &otp).await;
    assert_eq!(s, 200, "{v}");
    let emails = v["emails"].as_array().unwrap();
    assert_eq!(emails.len(), before.as_array().unwrap().len() + 1);
    let added = emails
        .iter()
        .find(|x| x["emailAddress"] == "ada.new@example.com")
        .expect("added, lower-cased");
    assert_eq!(added["preferredEmailFlag"], true);
    let old = emails.iter().find(|x| x["emailKey"] == old_key).unwrap();
    assert_eq!(old["preferredEmailFlag"], false, "only one preferred email");
    assert_eq!(e.get("/v1/customers/profiles/emails").await, v);

    // Used once only.
    let (s, v) = e.confirm("emails", &flow, &otp).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalidControlFlowId")));

    // Replacing by key; the old address goes away.
    let (s, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/emails").json(&json!({
            "emails": [{"emailKey": old_key, "emailAddress": "ada@example.org", "preferredEmailFlag": false}]
        })),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    let flow = v["controlFlowId"].as_str().unwrap().to_string();
    let otp = e.otp_for(&flow).await;
    let (s, v) = e.confirm("emails", &flow, &otp).await;
    assert_eq!(s, 200, "{v}");
    let emails = v["emails"].as_array().unwrap();
    let replaced = emails.iter().find(|x| x["emailKey"] == old_key).unwrap();
    assert_eq!(replaced["emailAddress"], "ada@example.org");
    assert!(
        !emails
            .iter()
            .any(|x| x["emailAddress"] == before[0]["emailAddress"])
    );

    // An address Ada already has on another email is a conflict.
    let (s, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/emails")
            .json(&json!({"emails": [{"emailAddress": "ada.new@example.com"}]})),
    )
    .await;
    assert_eq!(
        (s, v["location"].as_str()),
        (409, Some("emails[0].emailAddress"))
    );
}

#[tokio::test]
async fn phone_update_waits_for_the_passcode_then_applies() {
    let e = Env::new().await;
    let before = e.get("/v1/customers/profiles/phoneNumbers").await["phones"].clone();
    let mobile_key = before[0]["phoneKey"].as_i64().unwrap();

    let (s, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/phoneNumbers")
            .json(&json!({
                "phones": [{"phoneType": "WORK", "phoneCountryCode": "+44", "areaCode": "020",
                            "phoneNumber": "79460000", "extension": "12"}]
            })),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    assert_eq!(v["otpSentTo"], "•••••••0123");
    let flow = v["controlFlowId"].as_str().unwrap().to_string();
    assert_eq!(
        e.get("/v1/customers/profiles/phoneNumbers").await["phones"],
        before
    );

    // An email confirmation cannot take a phone flow.
    let otp = e.otp_for(&flow).await;
    let (s, v) = e.confirm("emails", &flow, &otp).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalidControlFlowId")));

    let (s, v) = e.confirm("phoneNumbers", &flow, &otp).await;
    assert_eq!(s, 200, "{v}");
    let work = v["phones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phoneType"] == "WORK")
        .expect("work phone added")
        .clone();
    assert_eq!(work["phoneCountryCode"], "44");
    assert_eq!(work["areaCode"], "20");
    assert_eq!(work["phoneNumber"], "79460000");
    assert_eq!(work["extension"], "12");

    // The new number is searchable like any stored number.
    let found: Value =
        e.t.http
            .post(e.t.url("/customer-service/customers/search"))
            .bearer_auth(&e.agent)
            .json(&json!({"filter": {"phoneNumber": "020 7946 0000"}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert!(
        found["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == e.ada.as_str()),
        "{found}"
    );

    // Replacing the registered mobile: later passcodes go to the new one.
    let (s, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/phoneNumbers")
            .json(&json!({
                "phones": [{"phoneKey": mobile_key, "phoneType": "MOBILE", "phoneCountryCode": "44",
                            "phoneNumber": "07700900999"}]
            })),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    let flow = v["controlFlowId"].as_str().unwrap().to_string();
    assert_eq!(
        e.outbox().await[0]["to"],
        "07700900123",
        "sent to the mobile before the change"
    );
    let otp = e.otp_for(&flow).await;
    let (s, v) = e.confirm("phoneNumbers", &flow, &otp).await;
    assert_eq!(s, 200, "{v}");
    let m = v["phones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phoneKey"] == mobile_key)
        .unwrap()
        .clone();
    assert_eq!(
        (m["areaCode"].as_str(), m["phoneNumber"].as_str()),
        (Some(""), Some("7700900999"))
    );

    let (s, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/emails")
            .json(&json!({"emails": [{"emailAddress": "ada.mobile@example.com"}]})),
    )
    .await;
    assert_eq!(s, 202);
    assert_eq!(v["otpSentTo"], "•••••••0999");
    assert_eq!(e.outbox().await[0]["to"], "07700900999");
}

#[tokio::test]
async fn third_wrong_passcode_locks_the_change() {
    let e = Env::new().await;
    let before = e.get("/v1/customers/profiles/emails").await;
    let (s, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/emails")
            .json(&json!({"emails": [{"emailAddress": "lock@example.com"}]})),
    )
    .await;
    assert_eq!(s, 202);
    let flow = v["controlFlowId"].as_str().unwrap().to_string();
    let otp = e.otp_for(&flow).await;
    let bad = wrong(&otp);

    let (s, v) = e.confirm("emails", &flow, &bad).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalidOtp")));
    assert!(v["details"].as_str().unwrap().contains("2 attempts left"));
    let (s, v) = e.confirm("emails", &flow, &bad).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalidOtp")));
    assert!(
        v["details"].as_str().unwrap().contains("1 attempt left"),
        "{v}"
    );
    let (s, v) = e.confirm("emails", &flow, &bad).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("transactionDenied")));

    // Locked: even the right passcode is refused, and nothing changed.
    let (s, v) = e.confirm("emails", &flow, &otp).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("transactionDenied")));
    assert_eq!(e.get("/v1/customers/profiles/emails").await, before);

    // A malformed passcode names the field and costs no attempt on a new flow.
    let (_, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/emails")
            .json(&json!({"emails": [{"emailAddress": "lock2@example.com"}]})),
    )
    .await;
    let flow = v["controlFlowId"].as_str().unwrap().to_string();
    let (s, v) = e.confirm("emails", &flow, "12ab56").await;
    assert_eq!((s, v["location"].as_str()), (400, Some("otp")));
    let (s, v) = e.confirm("emails", &flow, "not-it").await;
    assert_eq!((s, v["location"].as_str()), (400, Some("otp")));
    let otp = e.otp_for(&flow).await;
    let (_, v) = e.confirm("emails", &flow, &wrong(&otp)).await;
    assert!(
        v["details"].as_str().unwrap().contains("2 attempts left"),
        "{v}"
    );

    let (s, v) = e.confirm("emails", "no-such-flow", "123456").await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalidControlFlowId")));
}

#[tokio::test]
async fn an_expired_flow_is_refused() {
    let t = common::start_with(50, |c| c.otp_ttl = Duration::from_secs(1)).await;
    let e = Env::from(t).await;
    let before = e.get("/v1/customers/profiles/emails").await;
    let (s, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/emails")
            .json(&json!({"emails": [{"emailAddress": "late@example.com"}]})),
    )
    .await;
    assert_eq!(s, 202);
    let flow = v["controlFlowId"].as_str().unwrap().to_string();
    let otp = e.otp_for(&flow).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (s, v) = e.confirm("emails", &flow, &otp).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalidControlFlowId")));
    assert_eq!(e.get("/v1/customers/profiles/emails").await, before);
}

#[tokio::test]
async fn a_retried_update_sends_one_passcode() {
    let e = Env::new().await;
    let body =
        json!({"emails": [{"emailAddress": "once@example.com", "preferredEmailFlag": false}]});
    let before = e.outbox().await.len();
    let put = |b: &Value, key: &str| {
        e.call(Method::PUT, "/v1/customers/profiles/emails")
            .header("Idempotency-Key", key)
            .json(b)
    };
    let r1 = put(&body, "k-123").send().await.unwrap();
    assert_eq!(r1.status().as_u16(), 202);
    let v1: Value = r1.json().await.unwrap();
    let r2 = put(&body, "k-123").send().await.unwrap();
    assert_eq!(r2.status().as_u16(), 202);
    assert_eq!(r2.headers()["idempotent-replayed"], "true");
    let v2: Value = r2.json().await.unwrap();
    assert_eq!(v1["controlFlowId"], v2["controlFlowId"]);
    let out = e.outbox().await;
    assert_eq!(out.len(), before + 1, "one passcode only");
    assert_eq!(
        out.iter()
            .filter(|m| m["controlFlowId"] == v1["controlFlowId"])
            .count(),
        1
    );

    let other = json!({"emails": [{"emailAddress": "twice@example.com"}]});
    let (s, v) = send(put(&other, "k-123")).await;
    assert_eq!((s, v["location"].as_str()), (422, Some("Idempotency-Key")));
    assert_eq!(e.outbox().await.len(), before + 1);

    // The replayed flow still confirms.
    let otp = e.otp_for(v1["controlFlowId"].as_str().unwrap()).await;
    let (s, _) = e
        .confirm("emails", v1["controlFlowId"].as_str().unwrap(), &otp)
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn bad_bodies_name_the_field_and_write_nothing() {
    let e = Env::new().await;
    let emails = e.get("/v1/customers/profiles/emails").await;
    let phones = e.get("/v1/customers/profiles/phoneNumbers").await;
    let outbox = e.outbox().await.len();
    let long = "a".repeat(10 * 1024);
    let eleven: Vec<Value> = (0..11)
        .map(|i| json!({"emailAddress": format!("n{i}@example.com")}))
        .collect();

    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "emails",
            json!({"emails": [{"emailAddress": 5}]}),
            "emails[0].emailAddress",
        ),
        (
            "emails",
            json!({"emails": [{"emailAddress": "a@example.com", "bogus": 1}]}),
            "emails[0].bogus",
        ),
        (
            "emails",
            json!({"emails": [{"emailAddress": ""}]}),
            "emails[0].emailAddress",
        ),
        (
            "emails",
            json!({"emails": [{"emailAddress": "ad\u{7}a@example.com"}]}),
            "emails[0].emailAddress",
        ),
        (
            "emails",
            json!({"emails": [{"emailAddress": format!("{long}@example.com")}]}),
            "emails[0].emailAddress",
        ),
        (
            "emails",
            json!({"emails": [{"emailAddress": "ok@example.com"}, {"emailAddress": "not-an-email"}]}),
            "emails[1].emailAddress",
        ),
        (
            "emails",
            json!({"emails": [{"emailAddress": "x@example.com", "emailKey": 99_999_999}]}),
            "emails[0].emailKey",
        ),
        (
            "emails",
            json!({"emails": [{"emailAddress": "x@example.com", "preferredEmailFlag": "yes"}]}),
            "emails[0].preferredEmailFlag",
        ),
        ("emails", json!({"emails": []}), "emails"),
        ("emails", json!({"emails": eleven}), "emails"),
        ("emails", json!({}), "emails"),
        (
            "emails",
            json!({"emails": [{"emailAddress": "p@example.com", "preferredEmailFlag": true},
                                      {"emailAddress": "q@example.com", "preferredEmailFlag": true}]}),
            "emails[1].preferredEmailFlag",
        ),
        (
            "phoneNumbers",
            json!({"phones": [{"phoneType": "FAX", "phoneCountryCode": "44", "phoneNumber": "7700900111"}]}),
            "phones[0].phoneType",
        ),
        (
            "phoneNumbers",
            json!({"phones": [{"phoneType": "HOME", "phoneCountryCode": "4444", "phoneNumber": "7700900111"}]}),
            "phones[0].phoneCountryCode",
        ),
        (
            "phoneNumbers",
            json!({"phones": [{"phoneType": "HOME", "phoneCountryCode": "44", "phoneNumber": "77OO9OO111"}]}),
            "phones[0].phoneNumber",
        ),
        (
            "phoneNumbers",
            json!({"phones": [{"phoneType": "HOME", "phoneCountryCode": "44", "phoneNumber": long}]}),
            "phones[0].phoneNumber",
        ),
        (
            "phoneNumbers",
            json!({"phones": [{"phoneType": "HOME", "phoneCountryCode": "44", "phoneNumber": "7700900111", "extension": "x1"}]}),
            "phones[0].extension",
        ),
        (
            "phoneNumbers",
            json!({"phones": [{"phoneType": "HOME", "phoneCountryCode": "44", "phoneNumber": "7700900111", "phoneKey": 99_999_999}]}),
            "phones[0].phoneKey",
        ),
        (
            "phoneNumbers",
            json!({"phones": [{"phoneType": "HOME", "phoneCountryCode": "44"}]}),
            "phones[0].phoneNumber",
        ),
        ("phoneNumbers", json!({"phones": []}), "phones"),
    ];
    for (what, body, field) in cases {
        let (s, v) = send(
            e.call(Method::PUT, &format!("/v1/customers/profiles/{what}"))
                .json(&body),
        )
        .await;
        assert_eq!(s, 400, "{field}: {v}");
        assert_eq!(v["code"], "invalidRequest", "{field}");
        assert_eq!(v["type"], "invalid", "{field}");
        assert_eq!(v["location"], field, "{v}");
        assert!(
            v["details"].as_str().unwrap().len() < 400,
            "no echo of huge input"
        );
    }

    let (s, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/emails")
            .header("Content-Type", "application/json")
            .body("{\"emails\": ["),
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (400, Some("invalidRequest")));
    let (s, v) = send(
        e.call(Method::PUT, "/v1/customers/profiles/emails")
            .header("Content-Type", "text/plain")
            .body("{\"emails\": []}"),
    )
    .await;
    assert_eq!((s, v["location"].as_str()), (415, Some("Content-Type")));

    assert_eq!(e.get("/v1/customers/profiles/emails").await, emails);
    assert_eq!(e.get("/v1/customers/profiles/phoneNumbers").await, phones);
    assert_eq!(e.outbox().await.len(), outbox, "no passcode sent");
}

#[tokio::test]
async fn alert_subscriptions_change_what_alerts_show() {
    let e = Env::new().await;
    let subs = "/v1/communications/alerts/profilesAndSubscriptions";
    let put = |body: Value| e.call(Method::PUT, subs).json(&body);

    // Start from no enrolments.
    let enrolled: Vec<Value> = e.get("/v1/customers/alerts?alertStatus=ENROLLED").await["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!({"alertCode": a["alertCode"], "action": "UNSUBSCRIBE"}))
        .collect();
    if !enrolled.is_empty() {
        let (s, v) = send(put(json!({"subscriptions": enrolled}))).await;
        assert_eq!(s, 200, "{v}");
    }
    assert!(
        e.get("/v1/customers/alerts?alertStatus=ENROLLED").await["alerts"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let (s, v) = send(put(json!({"subscriptions": [
        {"alertCode": "LOW_BALANCE", "action": "SUBSCRIBE", "channel": "SMS", "threshold": 250},
        {"alertCode": "PAYMENT_DUE", "action": "SUBSCRIBE"}
    ], "alertProfile": {"preferredChannel": "EMAIL"}})))
    .await;
    assert_eq!(s, 200, "{v}");
    let find = |v: &Value, code: &str| {
        v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["alertCode"] == code)
            .unwrap()
            .clone()
    };
    let low = find(&v, "LOW_BALANCE");
    assert_eq!(low["alertStatus"], "ENROLLED");
    assert_eq!(low["channel"], "SMS");
    assert_eq!(low["threshold"]["amount"], 250.0);
    assert_eq!(low["threshold"]["currency"], "GBP");
    assert_eq!(find(&v, "PAYMENT_DUE")["channel"], "EMAIL");
    assert_eq!(e.get("/v1/customers/alerts").await, v);

    let h = e.get("/v1/customers/alerts/history?requestSize=2").await;
    let msgs: Vec<&str> = h["alertHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs.len(), 2);
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("Subscribed to Low balance by SMS")),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&"Subscribed to Payment due by EMAIL"),
        "{msgs:?}"
    );
    let total = h["totalRecords"].as_i64().unwrap();
    assert!(total >= 2);
    if total > 2 {
        assert_eq!(h["nextStartIndex"], 2);
    }
    let page2 = e
        .get("/v1/customers/alerts/history?requestSize=2&nextStartIndex=1")
        .await;
    assert_eq!(page2["alertHistory"][0], h["alertHistory"][1]);

    // All or nothing: a valid subscribe next to an unsubscribe from an alert not enrolled.
    let (s, v) = send(put(json!({"subscriptions": [
        {"alertCode": "STATEMENT_READY", "action": "SUBSCRIBE", "channel": "PUSH"},
        {"alertCode": "CARD_NOT_PRESENT", "action": "UNSUBSCRIBE"}
    ]})))
    .await;
    assert_eq!(
        (s, v["code"].as_str(), v["location"].as_str()),
        (409, Some("conflict"), Some("subscriptions[1].alertCode"))
    );
    assert_eq!(
        find(&e.get("/v1/customers/alerts").await, "STATEMENT_READY")["alertStatus"],
        "ELIGIBLE"
    );
    assert_eq!(
        e.get("/v1/customers/alerts/history").await["totalRecords"],
        total
    );

    for (body, field) in [
        (
            json!({"subscriptions": [{"alertCode": "NOPE", "action": "SUBSCRIBE", "channel": "SMS"}]}),
            "subscriptions[0].alertCode",
        ),
        (
            json!({"subscriptions": [{"alertCode": "PAYMENT_DUE", "action": "MAYBE"}]}),
            "subscriptions[0].action",
        ),
        (
            json!({"subscriptions": [{"alertCode": "PAYMENT_DUE", "action": "SUBSCRIBE"}]}),
            "subscriptions[0].channel",
        ),
        (
            json!({"subscriptions": [{"alertCode": "PAYMENT_DUE", "action": "SUBSCRIBE", "channel": "FAX"}]}),
            "subscriptions[0].channel",
        ),
        (
            json!({"subscriptions": [{"alertCode": "PAYMENT_DUE", "action": "SUBSCRIBE", "channel": "SMS", "threshold": 5}]}),
            "subscriptions[0].threshold",
        ),
        (
            json!({"subscriptions": [{"alertCode": "LOW_BALANCE", "action": "SUBSCRIBE", "channel": "SMS"}]}),
            "subscriptions[0].threshold",
        ),
        (
            json!({"subscriptions": [{"alertCode": "LOW_BALANCE", "action": "SUBSCRIBE", "channel": "SMS", "threshold": 0}]}),
            "subscriptions[0].threshold",
        ),
        (
            json!({"subscriptions": [{"alertCode": "LOW_BALANCE", "action": "SUBSCRIBE", "channel": "SMS", "threshold": 1000001}]}),
            "subscriptions[0].threshold",
        ),
        (
            json!({"subscriptions": [{"alertCode": "LOW_BALANCE", "action": "SUBSCRIBE", "channel": "SMS", "threshold": "250"}]}),
            "subscriptions[0].threshold",
        ),
        (json!({"subscriptions": []}), "subscriptions"),
        (
            json!({"subscriptions": [{"alertCode": "PAYMENT_DUE", "action": "UNSUBSCRIBE"},
                                   {"alertCode": "PAYMENT_DUE", "action": "UNSUBSCRIBE"}]}),
            "subscriptions[1].alertCode",
        ),
        (
            json!({"alertProfile": {"preferredChannel": "PIGEON"}, "subscriptions": [{"alertCode": "PAYMENT_DUE", "action": "UNSUBSCRIBE"}]}),
            "alertProfile.preferredChannel",
        ),
    ] {
        let (s, v) = send(put(body)).await;
        assert_eq!((s, v["location"].as_str()), (400, Some(field)), "{v}");
    }
    assert_eq!(
        e.get("/v1/customers/alerts/history").await["totalRecords"],
        total
    );

    let (s, v) = send(put(
        json!({"subscriptions": [{"alertCode": "LOW_BALANCE", "action": "UNSUBSCRIBE"}]}),
    ))
    .await;
    assert_eq!(s, 200);
    assert_eq!(find(&v, "LOW_BALANCE")["alertStatus"], "ELIGIBLE");
    assert!(find(&v, "LOW_BALANCE").get("threshold").is_none());
    let h = e.get("/v1/customers/alerts/history?requestSize=1").await;
    assert_eq!(
        h["alertHistory"][0]["message"],
        "Unsubscribed from Low balance"
    );
    assert_eq!(h["totalRecords"], total + 1);
}

#[tokio::test]
async fn offers_are_accepted_then_fulfilled_once() {
    let e = Env::new().await;
    let offers = e.get("/v1/customers/profiles").await["offers"].clone();
    let first = offers[0]["offerId"].as_str().unwrap().to_string();
    let second = offers[1]["offerId"].as_str().unwrap().to_string();
    let not_hers = [
        "OFR-BT0-18",
        "OFR-LIMIT-UP",
        "OFR-SAVER-45",
        "OFR-CASHBACK",
        "OFR-PAPERLESS",
    ]
    .into_iter()
    .find(|id| *id != first && *id != second)
    .unwrap();
    let put = |id: &str, action: &str| {
        e.call(Method::PUT, "/v1/offers")
            .json(&json!({"offerId": id, "action": action}))
    };
    let fulfil = |id: &str| {
        e.call(Method::POST, "/v1/sales/customers/offers/fulfillments")
            .json(&json!({"offerId": id, "remarks": "agreed on the phone"}))
    };
    let status_of = |p: &Value, id: &str| {
        p["offers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["offerId"] == id)
            .unwrap()["offerStatus"]
            .clone()
    };

    let (s, v) = send(fulfil(&first)).await;
    assert_eq!(s, 409);
    assert!(v["details"].as_str().unwrap().contains("accept"), "{v}");
    let (s, _) = send(put(not_hers, "ACCEPT")).await;
    assert_eq!(s, 404);
    let (s, _) = send(fulfil(not_hers)).await;
    assert_eq!(s, 404);
    let (s, v) = send(put(&first, "MAYBE")).await;
    assert_eq!((s, v["location"].as_str()), (400, Some("action")));

    let (s, v) = send(put(&first, "ACCEPT")).await;
    assert_eq!((s, v["offerStatus"].as_str()), (200, Some("ACCEPTED")));
    assert_eq!(v["offerId"], first.as_str());
    let (s, v) = send(put(&second, "DECLINE")).await;
    assert_eq!((s, v["offerStatus"].as_str()), (200, Some("DECLINED")));
    let p = e.get("/v1/customers/profiles").await;
    assert_eq!(status_of(&p, &first), "ACCEPTED");
    assert_eq!(status_of(&p, &second), "DECLINED");
    let (s, v) = send(fulfil(&second)).await;
    assert_eq!(s, 409);
    assert!(v["details"].as_str().unwrap().contains("DECLINED"), "{v}");

    let (s, v) = send(fulfil(&first)).await;
    assert_eq!(s, 201, "{v}");
    let id = v["fulfillmentId"].as_str().unwrap();
    assert!(id.starts_with("FUL-") && id.len() == 36, "{id}");
    assert_eq!(v["offerStatus"], "FULFILLED");
    assert_eq!(
        status_of(&e.get("/v1/customers/profiles").await, &first),
        "FULFILLED"
    );
    assert_eq!(
        status_of(&e.get("/partner/v1/customers/profiles").await, &first),
        "FULFILLED"
    );

    let (s, _) = send(fulfil(&first)).await;
    assert_eq!(s, 409, "fulfilled once only");
    let (s, v) = send(put(&first, "DECLINE")).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("conflict")));
    assert_eq!(
        status_of(&e.get("/v1/customers/profiles").await, &first),
        "FULFILLED"
    );
}

#[tokio::test]
async fn profile_image_put_get_delete() {
    let e = Env::new().await;
    let path = "/v1/customers/profile/images";
    let (s, _) = send(e.call(Method::DELETE, path)).await;
    assert_eq!(s, 404);

    let (s, v) = send(
        e.call(Method::PUT, path)
            .json(&json!({"imageType": "image/png", "image": b64(PNG)})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["imageType"], "image/png");
    let got = e.get(path).await;
    assert_eq!(got["image"], b64(PNG));
    assert_eq!(got["imageType"], "image/png");
    assert!(got["lastUpdated"].is_string());

    for (body, status, field) in [
        (
            json!({"imageType": "image/png", "image": b64(JPEG)}),
            400,
            "image",
        ),
        (
            json!({"imageType": "image/jpeg", "image": "not base64!"}),
            400,
            "image",
        ),
        (
            json!({"imageType": "image/jpeg", "image": ""}),
            400,
            "image",
        ),
        (
            json!({"imageType": "image/svg+xml", "image": b64(b"<svg/>")}),
            400,
            "imageType",
        ),
        (
            json!({"imageType": "image/png", "image": b64(PNG), "name": "me"}),
            400,
            "name",
        ),
    ] {
        let (s, v) = send(e.call(Method::PUT, path).json(&body)).await;
        assert_eq!((s, v["location"].as_str()), (status, Some(field)), "{v}");
    }
    let mut big = PNG.to_vec();
    big.resize(512 * 1024 + 1, 0);
    let (s, v) = send(
        e.call(Method::PUT, path)
            .json(&json!({"imageType": "image/png", "image": b64(&big)})),
    )
    .await;
    assert_eq!((s, v["location"].as_str()), (413, Some("image")));
    assert_eq!(e.get(path).await, got, "rejected images change nothing");

    let (s, v) = send(
        e.call(Method::PUT, path)
            .json(&json!({"imageType": "image/jpeg", "image": b64(JPEG)})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(e.get(path).await["imageType"], "image/jpeg");

    let (s, v) = send(e.call(Method::DELETE, path)).await;
    assert_eq!((s, v), (204, Value::Null));
    let (s, _) = send(e.call(Method::GET, path)).await;
    assert_eq!(s, 404);
    let (s, _) = send(e.call(Method::DELETE, path)).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn openapi_documents_every_citi_endpoint() {
    let e = Env::new().await;
    let doc: Value =
        e.t.http
            .get(e.t.url("/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let ops = [
        ("get", "/citi/v1/customers/profiles", "customers:read"),
        (
            "get",
            "/citi/v1/customers/profiles/addresses",
            "customers:read",
        ),
        ("get", "/citi/v1/customers/profiles/basic", "customers:read"),
        (
            "get",
            "/citi/v1/customers/profiles/emails",
            "customers:read",
        ),
        ("put", "/citi/v1/customers/profiles/emails", "contact:write"),
        (
            "get",
            "/citi/v1/customers/profiles/phoneNumbers",
            "customers:read",
        ),
        (
            "put",
            "/citi/v1/customers/profiles/phoneNumbers",
            "contact:write",
        ),
        ("get", "/citi/v1/customers/alerts", "customers:read"),
        ("get", "/citi/v1/customers/alerts/history", "customers:read"),
        (
            "get",
            "/citi/partner/v1/customers/profiles",
            "customers:read",
        ),
        (
            "post",
            "/citi/v1/customers/profiles/phoneNumbers/confirmation",
            "contact:write",
        ),
        (
            "post",
            "/citi/v1/customers/profiles/emails/confirmation",
            "contact:write",
        ),
        (
            "delete",
            "/citi/v1/customers/profile/images",
            "profile:write",
        ),
        ("put", "/citi/v1/customers/profile/images", "profile:write"),
        ("get", "/citi/v1/customers/profile/images", "customers:read"),
        ("put", "/citi/v1/offers", "offers:write"),
        (
            "post",
            "/citi/v1/sales/customers/offers/fulfillments",
            "offers:write",
        ),
        (
            "put",
            "/citi/v1/communications/alerts/profilesAndSubscriptions",
            "alerts:write",
        ),
        (
            "get",
            "/citi/v1/cards/accounts/{accountId}/addresses",
            "customers:read",
        ),
    ];
    let mut ids = std::collections::HashSet::new();
    for (m, p, scope) in ops {
        let op = &doc["paths"][p][m];
        assert!(op.is_object(), "{m} {p} documented");
        assert!(ids.insert(op["operationId"].as_str().unwrap().to_string()));
        assert_eq!(op["security"][0]["bearer"][0], scope, "{m} {p}");
        let headers: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["in"] == "header")
            .map(|x| x["name"].as_str().unwrap())
            .collect();
        for h in ["uuid", "client_id", "Accept"] {
            assert!(headers.contains(&h), "{m} {p} documents {h}");
        }
        let mut errors = vec!["400", "401", "403", "404", "429", "500", "503"];
        if m != "get" {
            errors.extend(["409", "413", "415", "422"]);
        }
        for code in errors {
            let r = &op["responses"][code];
            assert_eq!(
                r["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/CitiError",
                "{m} {p} {code}"
            );
        }
        assert!(
            op["description"]
                .as_str()
                .unwrap_or("")
                .contains("customer-bound"),
            "{m} {p} says it needs a customer-bound token"
        );
    }
    assert!(doc["components"]["schemas"]["CitiError"].is_object());
    assert!(doc["components"]["schemas"]["Profile"].is_object());
}
