//! Pure types and validation shared by the console, the client and the sandbox. No I/O,
//! and nothing from the layers above (`api`, `sandbox`, `bulk`, `tui`).

pub mod address;
pub mod alert;
pub mod choice;
pub mod email;
pub mod mask;
pub mod person;
pub mod phone;
pub mod query;
pub mod sanitize;
pub mod text;
pub mod validate;

pub use validate::FieldError;
