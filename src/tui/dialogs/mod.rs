//! Overlays and dialogs, one file each.

pub mod help;
pub mod palette;
pub mod reveal;
