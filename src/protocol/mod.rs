//! The Conversations API itself, with no I/O: its objects, its limits, how it validates input
//! and how it words its errors. The client, the local server and the terminal UI all build on
//! this module; it depends on none of them.
//!
//! Reference: <https://platform.openai.com/docs/api-reference/conversations>.

pub mod error;
pub mod models;
pub mod validate;

pub use error::ApiError;
pub use validate::{NewItem, Order};
