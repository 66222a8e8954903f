//! The panes, one file each.

pub mod alerts;
pub mod cards;
pub mod contacts;
pub mod profile;
pub mod search;
pub mod status;
pub mod training;
