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
