//! The five families' typed methods: one per endpoint, each building its request and
//! handing it to the client's one send path ([`super::client`]), which adds the
//! headers, the correlation id, retries and typed errors.

use reqwest::Method;

use super::client::{Inner, Req};
use super::error::{ApiError, ErrorKind};
use super::wire::{banking, candescent, citi, newday, relay};
use super::{Family, IdempotencyKey, Reply};

type Res<T> = Result<Reply<T>, ApiError>;

const NO_DETAILS: &str = "NoCustomerDetails";

/// What NewDay's `GET /customers` answers for a customer-bound token.
#[derive(Debug, Clone, PartialEq)]
pub enum BoundCustomer {
    /// The customer the token is bound to.
    Customer(Box<newday::Customer>),
    /// The customer exists but holds no account, so NewDay has no details for it.
    NoCustomerDetails,
}

impl BoundCustomer {
    /// The customer, when NewDay has details for it.
    pub fn customer(&self) -> Option<&newday::Customer> {
        match self {
            BoundCustomer::Customer(c) => Some(c),
            BoundCustomer::NoCustomerDetails => None,
        }
    }

    /// The answer in plain words, for an agent.
    pub fn describe(&self) -> String {
        match self {
            BoundCustomer::Customer(c) => format!("the token is bound to customer {}", c.id),
            BoundCustomer::NoCustomerDetails => {
                "NewDay holds no details for this customer: they have no account".into()
            }
        }
    }
}

/// A read whose 404 means "there is none": `None` instead of an error.
fn absent_as_none<T>(got: Res<T>) -> Res<Option<T>> {
    match got {
        Ok(r) => Ok(r.map(Some)),
        // A customer the token exchange cannot find stays an error (family OAuth).
        Err(e) if e.kind == ErrorKind::NotFound && e.family != Family::OAuth => Ok(absent(e, None)),
        Err(e) => Err(e),
    }
}

/// The reply for a documented "there is none" answer (a 404), carrying its correlation
/// id, status and attempts. How long it took is not kept on errors: zero.
fn absent<T>(e: ApiError, value: T) -> Reply<T> {
    Reply {
        value,
        correlation_id: e.correlation_id,
        status: e.status.unwrap_or(404),
        attempts: e.attempts,
        elapsed: std::time::Duration::ZERO,
        replayed: false,
    }
}

/// Citi customers (seed 002). Each method takes the customer id: the call is made with
/// a token bound to that customer.
#[derive(Clone, Copy)]
pub struct Citi<'a>(pub(super) &'a Inner);

impl Citi<'_> {
    fn get<'b>(self, op: &'static str, customer_id: &'b str, path: &'static str) -> Req<'b> {
        Req::get(Family::Citi, op)
            .path(path)
            .for_customer(customer_id)
    }
    fn write<'b>(
        self,
        method: Method,
        op: &'static str,
        customer_id: &'b str,
        path: &'static str,
        key: &'b IdempotencyKey,
    ) -> Req<'b> {
        Req::new(Family::Citi, method, op)
            .path(path)
            .for_customer(customer_id)
            .keyed(key)
    }

    /// `GET /v1/customers/profiles`: particulars, addresses, emails, phones, offers.
    pub async fn profile(self, customer_id: &str) -> Res<citi::Profile> {
        self.0
            .call(self.get("citi.profile", customer_id, "v1/customers/profiles"))
            .await
    }
    /// `GET /v1/customers/profiles/addresses`.
    pub async fn addresses(self, customer_id: &str) -> Res<citi::AddressList> {
        let path = "v1/customers/profiles/addresses";
        self.0
            .call(self.get("citi.addresses", customer_id, path))
            .await
    }
    /// `GET /v1/customers/profiles/basic`: names, date of birth, type and segment.
    pub async fn basic(self, customer_id: &str) -> Res<citi::BasicProfile> {
        let path = "v1/customers/profiles/basic";
        self.0.call(self.get("citi.basic", customer_id, path)).await
    }
    /// `GET /v1/customers/profiles/emails`.
    pub async fn emails(self, customer_id: &str) -> Res<citi::Emails> {
        let path = "v1/customers/profiles/emails";
        self.0
            .call(self.get("citi.emails", customer_id, path))
            .await
    }
    /// `PUT /v1/customers/profiles/emails`: answers 202 with the passcode flow; the
    /// change applies on [`Citi::confirm_emails`].
    pub async fn update_emails(
        self,
        customer_id: &str,
        emails: &citi::Emails,
        key: &IdempotencyKey,
    ) -> Res<citi::ControlFlow> {
        let path = "v1/customers/profiles/emails";
        let op = "citi.update_emails";
        let req = self.write(Method::PUT, op, customer_id, path, key);
        self.0.call(req.json(emails)).await
    }
    /// `POST /v1/customers/profiles/emails/confirmation`: answers the updated emails.
    /// A wrong passcode is invalid input on field `otp` ("N attempts left"); the third
    /// locks the flow (forbidden, code `transactionDenied`); an unknown or expired flow
    /// is code `invalidControlFlowId`.
    pub async fn confirm_emails(
        self,
        customer_id: &str,
        confirmation: &citi::Confirmation,
        key: &IdempotencyKey,
    ) -> Res<citi::Emails> {
        let path = "v1/customers/profiles/emails/confirmation";
        let op = "citi.confirm_emails";
        let req = self.write(Method::POST, op, customer_id, path, key);
        self.0.call(req.json(confirmation)).await
    }
    /// `GET /v1/customers/profiles/phoneNumbers`.
    pub async fn phones(self, customer_id: &str) -> Res<citi::Phones> {
        let path = "v1/customers/profiles/phoneNumbers";
        self.0
            .call(self.get("citi.phones", customer_id, path))
            .await
    }
    /// `PUT /v1/customers/profiles/phoneNumbers`: answers 202 with the passcode flow.
    pub async fn update_phones(
        self,
        customer_id: &str,
        phones: &citi::Phones,
        key: &IdempotencyKey,
    ) -> Res<citi::ControlFlow> {
        let path = "v1/customers/profiles/phoneNumbers";
        let op = "citi.update_phones";
        let req = self.write(Method::PUT, op, customer_id, path, key);
        self.0.call(req.json(phones)).await
    }
    /// `POST /v1/customers/profiles/phoneNumbers/confirmation`: answers the updated phones.
    pub async fn confirm_phones(
        self,
        customer_id: &str,
        confirmation: &citi::Confirmation,
        key: &IdempotencyKey,
    ) -> Res<citi::Phones> {
        let path = "v1/customers/profiles/phoneNumbers/confirmation";
        let op = "citi.confirm_phones";
        let req = self.write(Method::POST, op, customer_id, path, key);
        self.0.call(req.json(confirmation)).await
    }
    /// `GET /v1/customers/alerts[?alertStatus=ENROLLED|ELIGIBLE]`.
    pub async fn alerts(self, customer_id: &str, alert_status: Option<&str>) -> Res<citi::Alerts> {
        let req = self.get("citi.alerts", customer_id, "v1/customers/alerts");
        self.0.call(req.query("alertStatus", alert_status)).await
    }
    /// `GET /v1/customers/alerts/history[?nextStartIndex&requestSize]`.
    pub async fn alert_history(
        self,
        customer_id: &str,
        next_start_index: Option<i64>,
        request_size: Option<u32>,
    ) -> Res<citi::AlertHistory> {
        let path = "v1/customers/alerts/history";
        let req = self
            .get("citi.alert_history", customer_id, path)
            .query("nextStartIndex", next_start_index)
            .query("requestSize", request_size);
        self.0.call(req).await
    }
    /// `GET /partner/v1/customers/profiles`: the profile as a partner sees it.
    pub async fn partner_profile(self, customer_id: &str) -> Res<citi::Profile> {
        let path = "partner/v1/customers/profiles";
        self.0
            .call(self.get("citi.partner_profile", customer_id, path))
            .await
    }
    /// `GET /v1/customers/profile/images`: `None` when the customer has no image (the
    /// endpoint's 404; the customer itself was found when its token was exchanged).
    pub async fn profile_image(self, customer_id: &str) -> Res<Option<citi::StoredImage>> {
        let path = "v1/customers/profile/images";
        let got = self
            .0
            .call(self.get("citi.profile_image", customer_id, path))
            .await;
        absent_as_none(got)
    }
    /// `PUT /v1/customers/profile/images`.
    pub async fn put_profile_image(
        self,
        customer_id: &str,
        image: &citi::ProfileImage,
        key: &IdempotencyKey,
    ) -> Res<citi::StoredImage> {
        let path = "v1/customers/profile/images";
        let op = "citi.put_profile_image";
        let req = self.write(Method::PUT, op, customer_id, path, key);
        self.0.call(req.json(image)).await
    }
    /// `DELETE /v1/customers/profile/images`: answers 204.
    pub async fn delete_profile_image(self, customer_id: &str, key: &IdempotencyKey) -> Res<()> {
        let path = "v1/customers/profile/images";
        let op = "citi.delete_profile_image";
        let req = self.write(Method::DELETE, op, customer_id, path, key);
        self.0.call(req).await
    }
    /// `PUT /v1/offers`: accept or decline an offer.
    pub async fn update_offer(
        self,
        customer_id: &str,
        update: &citi::OfferUpdate,
        key: &IdempotencyKey,
    ) -> Res<citi::Offer> {
        let req = self.write(
            Method::PUT,
            "citi.update_offer",
            customer_id,
            "v1/offers",
            key,
        );
        self.0.call(req.json(update)).await
    }
    /// `POST /v1/sales/customers/offers/fulfillments`: answers 201.
    pub async fn fulfill_offer(
        self,
        customer_id: &str,
        request: &citi::FulfillmentRequest,
        key: &IdempotencyKey,
    ) -> Res<citi::Fulfillment> {
        let path = "v1/sales/customers/offers/fulfillments";
        let op = "citi.fulfill_offer";
        let req = self.write(Method::POST, op, customer_id, path, key);
        self.0.call(req.json(request)).await
    }
    /// `PUT /v1/communications/alerts/profilesAndSubscriptions`: answers the alerts as
    /// they now stand.
    pub async fn update_alert_subscriptions(
        self,
        customer_id: &str,
        subscriptions: &citi::AlertSubscriptions,
        key: &IdempotencyKey,
    ) -> Res<citi::Alerts> {
        let path = "v1/communications/alerts/profilesAndSubscriptions";
        let op = "citi.update_alert_subscriptions";
        let req = self.write(Method::PUT, op, customer_id, path, key);
        self.0.call(req.json(subscriptions)).await
    }
    /// `GET /v1/cards/accounts/{accountId}/addresses`: card-to, bill-to, pin-to.
    pub async fn card_addresses(
        self,
        customer_id: &str,
        account_id: &str,
    ) -> Res<citi::CardAddresses> {
        let req = Req::get(Family::Citi, "citi.card_addresses")
            .path("v1/cards/accounts")
            .param("accountId", account_id)
            .path("addresses")
            .for_customer(customer_id);
        self.0.call(req).await
    }
}

/// NewDay customer-service (seed 001).
#[derive(Clone, Copy)]
pub struct NewDay<'a>(pub(super) &'a Inner);

impl NewDay<'_> {
    /// `GET /customers/{customerId}`.
    pub async fn get_customer(self, customer_id: &str) -> Res<newday::Customer> {
        let req = Req::get(Family::NewDay, "newday.get_customer")
            .path("customers")
            .param("customerId", customer_id);
        self.0.call(req).await
    }
    /// `GET /customers` with a token bound to `customer_id`: the customer the token is
    /// bound to, or [`BoundCustomer::NoCustomerDetails`] for a customer without any
    /// account (the endpoint's 404 with code `NoCustomerDetails`).
    pub async fn get_customer_by_token(self, customer_id: &str) -> Res<BoundCustomer> {
        let req = Req::get(Family::NewDay, "newday.get_customer_by_token")
            .path("customers")
            .for_customer(customer_id);
        match self.0.call(req).await {
            Ok(r) => Ok(r.map(|c| BoundCustomer::Customer(Box::new(c)))),
            Err(e) if e.kind == ErrorKind::NotFound && e.code.as_deref() == Some(NO_DETAILS) => {
                Ok(absent(e, BoundCustomer::NoCustomerDetails))
            }
            Err(e) => Err(e),
        }
    }
    /// `POST /customers/search`. Read-only, so retried like a GET.
    pub async fn search(self, request: &newday::SearchRequest) -> Res<newday::SearchResponse> {
        let req = Req::new(Family::NewDay, Method::POST, "newday.search").path("customers/search");
        self.0.call(req.json(request)).await
    }
    /// `POST /customers/supported-formats/email-address`: format only, not possession.
    pub async fn verify_email(self, email_address: &str) -> Res<newday::Verification> {
        let body = newday::VerifyEmail {
            email_address: email_address.to_string(),
        };
        let req = Req::new(Family::NewDay, Method::POST, "newday.verify_email")
            .path("customers/supported-formats/email-address");
        self.0.call(req.json(&body)).await
    }
    /// `POST /customers/supported-formats/phone-number`: a UK mobile, format only.
    pub async fn verify_phone(self, phone_number: &str) -> Res<newday::Verification> {
        let body = newday::VerifyPhone {
            phone_number: phone_number.to_string(),
        };
        let req = Req::new(Family::NewDay, Method::POST, "newday.verify_phone")
            .path("customers/supported-formats/phone-number");
        self.0.call(req.json(&body)).await
    }
}

/// What the id given to [`Candescent::contact_methods`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserIdType {
    /// The customer id (32 lower hex).
    #[default]
    CustomerId,
    /// The login id; the sandbox takes the NewDay customer reference.
    LoginId,
}

/// Candescent ux-users (seed 000).
#[derive(Clone, Copy)]
pub struct Candescent<'a>(pub(super) &'a Inner);

impl Candescent<'_> {
    /// `GET /v1/customers/{customerId}/contact-methods[?userIdType=..]`.
    pub async fn contact_methods(
        self,
        id: &str,
        id_type: UserIdType,
    ) -> Res<candescent::ContactMethods> {
        let req = Req::get(Family::Candescent, "candescent.contact_methods")
            .path("v1/customers")
            .param("customerId", id)
            .path("contact-methods")
            .query(
                "userIdType",
                (id_type == UserIdType::LoginId).then_some("LOGIN_ID"),
            );
        self.0.call(req).await
    }
}

/// Relay CDM (seed 003), with the configured API key and the tenant as `client_id`.
#[derive(Clone, Copy)]
pub struct Relay<'a>(pub(super) &'a Inner);

impl Relay<'_> {
    /// `PUT /cdm/client/{client_id}/customer/{ccid}/add_phone/{phone_number}`. Adding a
    /// number already on the customer with another consent updates the consent.
    pub async fn add_phone(
        self,
        ccid: &str,
        phone_number: &str,
        body: &relay::AddPhone,
        key: &IdempotencyKey,
    ) -> Res<relay::RelayMessage> {
        let req = Req::new(Family::Relay, Method::PUT, "relay.add_phone")
            .path("cdm/client")
            .param("client_id", &self.0.tenant)
            .path("customer")
            .param("ccid", ccid)
            .path("add_phone")
            .param("phone_number", phone_number)
            .keyed(key);
        self.0.call(req.json(body)).await
    }
}

/// bankingservice.ai customers (seed 004), in the configured tenant's profile.
#[derive(Clone, Copy)]
pub struct Banking<'a>(pub(super) &'a Inner);

impl<'a> Banking<'a> {
    fn customers(self, method: Method, op: &'static str) -> Req<'a> {
        Req::new(Family::Banking, method, op)
            .path("v1/profiles")
            .param("profileId", &self.0.tenant)
            .path("customers")
    }
    /// `GET /v1/profiles/{profileId}/customers[?page&size]`: zero-based pages.
    pub async fn list(self, page: Option<u32>, size: Option<u32>) -> Res<banking::BsPage> {
        let req = self
            .customers(Method::GET, "banking.list")
            .query("page", page)
            .query("size", size);
        self.0.call(req).await
    }
    /// `POST /v1/profiles/{profileId}/customers`.
    pub async fn create(
        self,
        input: &banking::BsCustomerInput,
        key: &IdempotencyKey,
    ) -> Res<banking::BsCustomer> {
        let req = self.customers(Method::POST, "banking.create").keyed(key);
        self.0.call(req.json(input)).await
    }
    /// `GET /v1/profiles/{profileId}/customers/{customerId}`.
    pub async fn get(self, customer_id: &str) -> Res<banking::BsCustomer> {
        let req = self
            .customers(Method::GET, "banking.get")
            .param("customerId", customer_id);
        self.0.call(req).await
    }
    /// `PUT /v1/profiles/{profileId}/customers/{customerId}`: absent fields stay.
    pub async fn update(
        self,
        customer_id: &str,
        input: &banking::BsCustomerInput,
        key: &IdempotencyKey,
    ) -> Res<banking::BsCustomer> {
        let req = self
            .customers(Method::PUT, "banking.update")
            .param("customerId", customer_id)
            .keyed(key);
        self.0.call(req.json(input)).await
    }
    /// `DELETE /v1/profiles/{profileId}/customers/{customerId}`: answers the deleted record.
    pub async fn delete(self, customer_id: &str, key: &IdempotencyKey) -> Res<banking::BsCustomer> {
        let req = self
            .customers(Method::DELETE, "banking.delete")
            .param("customerId", customer_id)
            .keyed(key);
        self.0.call(req).await
    }
}
