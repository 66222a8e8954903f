//! Fixed catalogues: the alerts a customer may enrol in and the offers on the shelf.

// The alerts and channels are the domain's lists, so the forms, the CSV planner and
// the server agree on them.
pub use crate::domain::alert::{ALERTS, AlertDef, alert};
pub use crate::domain::choice::Channel;

pub const CHANNELS: &[&str] = Channel::NAMES;

pub struct OfferDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

pub const OFFERS: &[OfferDef] = &[
    OfferDef {
        id: "OFR-BT0-18",
        name: "0% balance transfer",
        description: "0% on balance transfers for 18 months, 2% fee",
    },
    OfferDef {
        id: "OFR-LIMIT-UP",
        name: "Credit limit increase",
        description: "Pre-approved limit increase of 1,500",
    },
    OfferDef {
        id: "OFR-SAVER-45",
        name: "Bonus saver",
        description: "4.5% variable on balances up to 25,000",
    },
    OfferDef {
        id: "OFR-CASHBACK",
        name: "Grocery cashback",
        description: "5% cashback at supermarkets for 3 months",
    },
    OfferDef {
        id: "OFR-PAPERLESS",
        name: "Go paperless",
        description: "Switch to e-statements and get 10 points",
    },
];

/// The two offers presented to a customer, chosen from their row id.
pub fn offers_for(cid: i64) -> [&'static OfferDef; 2] {
    let n = OFFERS.len() as i64;
    let a = cid.rem_euclid(n);
    let b = (a + 1 + (cid / n).rem_euclid(n - 1)) % n;
    [&OFFERS[a as usize], &OFFERS[b as usize]]
}
