//! The alerts a customer may subscribe to, whether each takes an amount threshold, and
//! the threshold's own rule. The sandbox's catalogue, the CSV planner and the alerts
//! form all read this one list.

use super::validate::{FieldError, FieldResult};

#[derive(Debug)]
pub struct AlertDef {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// Whether the alert needs an amount threshold (and only these take one).
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

/// The alert with exactly this code.
pub fn alert(code: &str) -> Option<&'static AlertDef> {
    ALERTS.iter().find(|a| a.code == code)
}

/// The alert whose code is exactly `raw`.
pub fn parse(field: &str, raw: &str) -> FieldResult<&'static AlertDef> {
    find(field, raw, |code, raw| code == raw)
}

/// The alert a person typed: any case, surrounding spaces ignored.
pub fn typed(field: &str, raw: &str) -> FieldResult<&'static AlertDef> {
    find(field, raw.trim(), |code, raw| {
        code.eq_ignore_ascii_case(raw)
    })
}

fn find(
    field: &str,
    raw: &str,
    same: impl Fn(&str, &str) -> bool,
) -> FieldResult<&'static AlertDef> {
    ALERTS.iter().find(|a| same(a.code, raw)).ok_or_else(|| {
        FieldError::new(
            field,
            format!(
                "unknown alert; one of {}",
                ALERTS.iter().map(|a| a.code).collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

/// An alert threshold: an amount more than 0 and at most [`Threshold::MAX`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold(f64);

impl Threshold {
    /// The largest threshold (in the currency of the customer's first address).
    pub const MAX: f64 = 1_000_000.0;
    const RULE: &'static str = "must be a number more than 0 and at most 1000000";

    /// A threshold sent as a number.
    pub fn new(field: &str, amount: f64) -> FieldResult<Threshold> {
        if amount.is_finite() && amount > 0.0 && amount <= Self::MAX {
            Ok(Threshold(amount))
        } else {
            Err(FieldError::new(field, Self::RULE))
        }
    }

    /// A threshold typed as text (`50`, `250.00`).
    pub fn parse(field: &str, raw: &str) -> FieldResult<Threshold> {
        match raw.trim().parse::<f64>() {
            Ok(t) => Self::new(field, t),
            Err(_) => Err(FieldError::new(field, Self::RULE)),
        }
    }

    pub fn amount(self) -> f64 {
        self.0
    }
}

impl AlertDef {
    /// Whether subscribing with this threshold (or none) is allowed: alerts that take a
    /// threshold need one, others must not send one.
    pub fn check_threshold(
        &self,
        field: &str,
        threshold: Option<Threshold>,
    ) -> FieldResult<Option<Threshold>> {
        match (self.takes_threshold, threshold) {
            (true, Some(t)) => Ok(Some(t)),
            (true, None) => Err(FieldError::new(
                field,
                format!("is required for {}", self.code),
            )),
            (false, Some(_)) => Err(FieldError::new(
                field,
                format!("{} takes no threshold", self.code),
            )),
            (false, None) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_balance_needs_a_threshold_within_the_cap() {
        assert!(parse("alert_code", "low_balance").is_err());
        let low = typed("alert_code", "low_balance").unwrap();
        assert_eq!(low.code, "LOW_BALANCE");
        let e = low.check_threshold("threshold", None).unwrap_err();
        assert_eq!(e.to_string(), "threshold: is required for LOW_BALANCE");
        let due = parse("a", "PAYMENT_DUE").unwrap();
        let t = Threshold::new("threshold", 5.0).unwrap();
        assert!(due.check_threshold("threshold", Some(t)).is_err());
        assert!(due.check_threshold("threshold", None).unwrap().is_none());
        assert_eq!(Threshold::parse("t", "1000000").unwrap().amount(), 1e6);
        for bad in ["0", "-3", "1000000.01", "5e8", "NaN", "inf", "fifty", ""] {
            assert!(Threshold::parse("t", bad).is_err(), "{bad}");
        }
        assert!(
            parse("alert_code", "NOPE")
                .unwrap_err()
                .message
                .starts_with("unknown alert")
        );
    }
}
