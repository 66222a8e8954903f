//! The HTTP client for the five API families. No terminal code here.

pub mod wire;
