//! The error envelope as an HTTP answer. The errors themselves, and their wording, are the
//! protocol's ([`crate::protocol::error`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

pub use crate::protocol::error::{json_kind, ApiError};

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.body())).into_response()
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "storage error");
        ApiError::internal(
            "The server had an error while processing your request. Sorry about that!",
        )
    }
}

/// A body that did not arrive in time: 408, in the API's envelope.
pub fn body_timeout(limit: std::time::Duration) -> ApiError {
    ApiError {
        status: 408,
        kind: "invalid_request_error",
        code: Some("request_timeout"),
        param: None,
        message: format!(
            "The request body was not received within {} seconds.",
            limit.as_secs()
        ),
    }
}

/// An error answered by the connection itself, before any route: `(status, envelope JSON)`.
pub fn connection_error(status: u16) -> ApiError {
    let message = match status {
        408 => "The request headers were not received in time.".to_string(),
        413 => "The request is too large.".to_string(),
        414 => "The request URL is too long.".to_string(),
        431 => "The request headers are too large.".to_string(),
        _ => "The request could not be parsed as HTTP.".to_string(),
    };
    ApiError {
        status,
        kind: "invalid_request_error",
        code: None,
        param: None,
        message,
    }
}
