//! Wire types: the JSON bodies of the five API families, defined once and used by both
//! the client (`crate::api`) and the reference backend (`crate::sandbox`).

pub mod banking;
pub mod candescent;
pub mod citi;
pub mod newday;
pub mod oauth;
pub mod relay;
pub mod sandbox;
