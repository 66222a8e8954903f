//! Pure types and validation shared by the console, the client and the sandbox. No I/O.

pub mod mask;
pub mod phone;
pub mod query;
pub mod sanitize;
pub mod text;
pub mod validate;

pub use validate::FieldError;
