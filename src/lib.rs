//! custdesk: a terminal customer-service console and its reference backend.

pub mod api;
pub mod audit;
pub mod bulk;
pub mod config;
pub mod domain;
pub mod fsutil;
pub mod sandbox;
pub mod tui;
