//! The parts of a customer a client may not be allowed to read: each card account's
//! addresses, the partner view's segment and the customer NewDay's customer-bound
//! token is bound to. A 403 or 404 is a short plain line
//! ([`Extra::Unavailable`]), not an error.

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::api::wire::newday;
use crate::api::{ApiError, BoundCustomer, Client, ErrorKind, Reply};
use crate::tui::msg::{CardAccount, Extra, Msg, Outcome, Part};

/// What a 403 says on the profile.
pub const NOT_ALLOWED: &str = "not available to this client";

/// A 403 or 404 in a short plain line; anything else stays an error in words.
fn unavailable<T>(e: &ApiError, not_found: &str) -> Result<Extra<T>, String> {
    match e.kind {
        ErrorKind::Forbidden => Ok(Extra::Unavailable(NOT_ALLOWED.into())),
        ErrorKind::NotFound => Ok(Extra::Unavailable(not_found.into())),
        _ => Err(e.to_string()),
    }
}

/// The partner profile's segment (`NONE` when the customer has none).
pub fn partner(r: Result<Reply<crate::api::wire::citi::Profile>, ApiError>) -> Part {
    Part::Partner(match r {
        Ok(reply) => {
            let segment = reply.value.partner_customer_segment;
            let segment = segment.unwrap_or_else(|| "NONE".into());
            Outcome::ok(Extra::Shown(segment), reply.correlation_id)
        }
        Err(e) => Outcome {
            result: unavailable(&e, "no partner profile"),
            correlation_id: Some(e.correlation_id.clone()),
        },
    })
}

/// What NewDay's `GET /customers` says when the token has no customer details.
pub const NO_DETAILS: &str = "NewDay has no customer details for this token";

/// The id of the customer the customer-bound token is bound to, or why it is not shown:
/// NewDay's `NoCustomerDetails` answer in words, a 403 as [`NOT_ALLOWED`].
pub fn bound(r: Result<Reply<BoundCustomer>, ApiError>) -> Part {
    Part::Bound(match r {
        Ok(reply) => {
            let shown = match reply.value {
                BoundCustomer::Customer(c) => Extra::Shown(c.id),
                BoundCustomer::NoCustomerDetails => Extra::Unavailable(NO_DETAILS.into()),
            };
            Outcome::ok(shown, reply.correlation_id)
        }
        Err(e) => Outcome {
            result: unavailable(&e, "NewDay found no customer for this token"),
            correlation_id: Some(e.correlation_id.clone()),
        },
    })
}

/// Read the customer, send it, then read the addresses of each of its card accounts
/// (all at once) and send those: the account list comes from the customer, so the
/// console reads NewDay once.
pub fn customer_then_cards(client: &Client, tx: &UnboundedSender<Msg>, id: &str) -> JoinHandle<()> {
    let (c, tx, id) = (client.clone(), tx.clone(), id.to_string());
    tokio::spawn(async move {
        let got = c.newday().get_customer(&id).await;
        let accounts = got.as_ref().ok().map(|r| r.value.accounts.clone());
        let part = Part::Customer(super::outcome(got));
        let customer_id = id.clone();
        let _ = tx.send(Msg::Loaded { customer_id, part });
        let part = Part::Cards(cards(&c, &id, accounts).await);
        let _ = tx.send(Msg::Loaded {
            customer_id: id,
            part,
        });
    })
}

async fn cards(
    c: &Client,
    id: &str,
    accounts: Option<Vec<newday::Account>>,
) -> Outcome<Vec<CardAccount>> {
    let Some(accounts) = accounts else {
        return Outcome::err("the customer's accounts did not load", None);
    };
    let cards: Vec<newday::Account> = accounts
        .into_iter()
        .filter(|a| a.account_type == "CARD")
        .collect();
    let calls = cards
        .iter()
        .map(|a| c.citi().card_addresses(id, &a.account_id));
    let answers = futures::future::join_all(calls).await;
    let mut correlation_id = None;
    let list = cards
        .into_iter()
        .zip(answers)
        .map(|(a, r)| {
            let addresses = match r {
                Ok(reply) => {
                    correlation_id = Some(reply.correlation_id);
                    Ok(Extra::Shown(reply.value))
                }
                Err(e) => {
                    correlation_id = Some(e.correlation_id.clone());
                    unavailable(&e, "no addresses on file")
                }
            };
            CardAccount {
                account_id: a.account_id,
                account_number: a.account_number,
                product_name: a.product_name,
                addresses,
            }
        })
        .collect();
    Outcome {
        result: Ok(list),
        correlation_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(kind: ErrorKind) -> ApiError {
        ApiError::local(kind, crate::api::Family::Citi, "cid-1", "refused")
    }

    #[test]
    fn forbidden_and_not_found_are_plain_lines_other_failures_errors() {
        let gone: Result<Extra<()>, String> = unavailable(&err(ErrorKind::NotFound), "none here");
        assert_eq!(gone, Ok(Extra::Unavailable("none here".into())));
        let no: Result<Extra<()>, String> = unavailable(&err(ErrorKind::Forbidden), "x");
        assert_eq!(no, Ok(Extra::Unavailable(NOT_ALLOWED.into())));
        let down: Result<Extra<()>, String> = unavailable(&err(ErrorKind::Server), "x");
        assert!(down.is_err());
    }

    #[test]
    fn a_token_refused_to_this_client_is_not_available_not_an_error() {
        let Part::Bound(o) = bound(Err(err(ErrorKind::Forbidden))) else {
            panic!("a bound part");
        };
        assert_eq!(o.result, Ok(Extra::Unavailable(NOT_ALLOWED.into())));
        assert_eq!(o.correlation_id.as_deref(), Some("cid-1"));
    }
}
