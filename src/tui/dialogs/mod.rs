//! Overlays and dialogs, one file each.

pub mod add_phone;
pub mod contact;
pub mod help;
pub mod palette;
pub mod reveal;
pub mod verify;
