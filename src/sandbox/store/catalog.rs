//! Fixed catalogues: the alerts a customer may enrol in and the offers on the shelf.

pub struct AlertDef {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// Whether the alert takes an amount threshold.
    pub takes_threshold: bool,
}

pub const ALERTS: &[AlertDef] = &[
    AlertDef {
        code: "LOW_BALANCE",
        name: "Low balance",
        description: "Balance falls below the threshold",
        takes_threshold: true,
    },
    AlertDef {
        code: "LARGE_TRANSACTION",
        name: "Large transaction",
        description: "A transaction above the threshold is posted",
        takes_threshold: true,
    },
    AlertDef {
        code: "PAYMENT_DUE",
        name: "Payment due",
        description: "A card payment is due in three days",
        takes_threshold: false,
    },
    AlertDef {
        code: "CARD_NOT_PRESENT",
        name: "Online card use",
        description: "The card is used online or by phone",
        takes_threshold: false,
    },
    AlertDef {
        code: "NEW_DEVICE_LOGIN",
        name: "New device sign-in",
        description: "Online banking is opened from a new device",
        takes_threshold: false,
    },
    AlertDef {
        code: "STATEMENT_READY",
        name: "Statement ready",
        description: "A new statement can be viewed",
        takes_threshold: false,
    },
];

pub fn alert(code: &str) -> Option<&'static AlertDef> {
    ALERTS.iter().find(|a| a.code == code)
}

pub const CHANNELS: &[&str] = &["EMAIL", "SMS", "PUSH"];

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
