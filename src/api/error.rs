//! Errors of the API client. Display is always one line and never contains the API key.

use std::fmt;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// What went wrong, broadly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server answered with an error status.
    Status,
    /// The request or the answer took longer than the configured timeout.
    Timeout,
    /// No connection could be made (the request was never sent).
    Connect,
    /// The connection failed after the request was sent, or another transport failure.
    Network,
    /// The answer could not be read as the expected JSON.
    Decode,
    /// Rejected before sending, with the API's own wording.
    Validation,
    /// The server does not offer this operation (e.g. listing conversations on OpenAI).
    NotSupported,
    /// The client could not be set up (bad base URL, bad header value).
    Setup,
    /// A listing went past its page or item limit.
    Limit,
}

/// An error from the API client.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub kind: ErrorKind,
    /// HTTP status of the answer, when there was one.
    pub status: Option<u16>,
    /// The error `type` (e.g. `invalid_request_error`).
    pub error_type: Option<String>,
    pub code: Option<String>,
    pub param: Option<String>,
    pub message: String,
    /// The `x-request-id` response header.
    pub request_id: Option<String>,
}

/// Longest server text kept in a message.
pub const MAX_MESSAGE_CHARS: usize = 300;

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            status: None,
            error_type: None,
            code: None,
            param: None,
            message: one_line(&message.into()),
            request_id: None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }

    /// Builds the error for a non-success answer, whatever shape its body has. `secret` is
    /// removed from the body before anything is read or cut short, so no part of it survives.
    pub fn from_response(
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        secret: Option<&str>,
    ) -> Self {
        let scrubbed;
        let body = match secret.filter(|s| s.len() >= 4) {
            Some(secret) => {
                scrubbed = String::from_utf8_lossy(body).replace(secret, "[redacted]");
                scrubbed.as_bytes()
            }
            None => body,
        };
        let request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut e = ApiError {
            kind: ErrorKind::Status,
            status: Some(status),
            error_type: None,
            code: None,
            param: None,
            message: String::new(),
            request_id,
        };
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => e.read_json(&v),
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                e.message = truncate(&one_line(&text));
            }
        }
        if e.message.is_empty() {
            e.message = match reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
            {
                Some(reason) => format!("{reason} (the server sent no message)"),
                None => "the server sent no message".into(),
            };
        }
        e
    }

    fn read_json(&mut self, v: &Value) {
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        };
        let message = match v {
            Value::Object(obj) => match obj.get("error") {
                Some(Value::Object(err)) => {
                    self.error_type = err.get("type").and_then(text);
                    self.code = err.get("code").and_then(text);
                    self.param = err.get("param").and_then(text);
                    err.get("message")
                        .and_then(text)
                        .or_else(|| Some(Value::Object(err.clone()).to_string()))
                }
                Some(Value::String(s)) => Some(s.clone()),
                _ => obj
                    .get("detail")
                    .or_else(|| obj.get("message"))
                    .and_then(text)
                    .or_else(|| (!obj.is_empty()).then(|| v.to_string())),
            },
            Value::Null => None,
            other => text(other),
        };
        self.message = truncate(&one_line(&message.unwrap_or_default()));
    }

    /// Removes every occurrence of `secret` from the text fields.
    pub(crate) fn scrub(mut self, secret: &str) -> Self {
        if secret.len() >= 4 {
            for field in [
                Some(&mut self.message),
                self.code.as_mut(),
                self.param.as_mut(),
                self.error_type.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                if field.contains(secret) {
                    *field = field.replace(secret, "[redacted]");
                }
            }
        }
        self
    }
}

impl From<crate::protocol::ApiError> for ApiError {
    /// A check shared with the server, failed before sending.
    fn from(e: crate::protocol::ApiError) -> Self {
        ApiError {
            kind: ErrorKind::Validation,
            status: None,
            error_type: Some(e.kind.to_string()),
            code: e.code.map(str::to_string),
            param: e.param,
            message: e.message,
            request_id: None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let mut details = Vec::new();
        match (self.kind, self.status) {
            (_, Some(status)) => {
                let mut s = format!("HTTP {status}");
                if let Some(t) = &self.error_type {
                    s.push(' ');
                    s.push_str(t);
                }
                details.push(s);
            }
            (ErrorKind::Validation, None) => {
                details.push(format!(
                    "not sent: {}",
                    self.error_type
                        .as_deref()
                        .unwrap_or("invalid_request_error")
                ));
            }
            _ => {}
        }
        if let Some(code) = &self.code {
            details.push(format!("code {code}"));
        }
        if let Some(param) = &self.param {
            details.push(format!("param {param}"));
        }
        if let Some(id) = &self.request_id {
            details.push(format!("request {id}"));
        }
        if !details.is_empty() {
            write!(f, " ({})", details.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Collapses all whitespace runs (newlines included) to single spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn truncate(s: &str) -> String {
    if s.chars().count() <= MAX_MESSAGE_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_MESSAGE_CHARS).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16, body: &str) -> ApiError {
        let mut h = HeaderMap::new();
        h.insert("x-request-id", "req_1".parse().unwrap());
        ApiError::from_response(status, &h, body.as_bytes(), None)
    }

    #[test]
    fn a_key_echoed_near_the_cut_leaves_no_prefix() {
        let key = "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let body = format!("{}{key} and more", "x".repeat(290));
        let e = ApiError::from_response(401, &HeaderMap::new(), body.as_bytes(), Some(key));
        assert!(!e.message.contains("sk-proj-AB"), "{}", e.message);
        let json =
            format!(r#"{{"error":{{"message":"Incorrect API key provided: {key}.","type":"x"}}}}"#);
        let e = ApiError::from_response(401, &HeaderMap::new(), json.as_bytes(), Some(key));
        assert_eq!(e.message, "Incorrect API key provided: [redacted].");
    }

    #[test]
    fn openai_envelope() {
        let e = err(
            404,
            r#"{"error":{"message":"Conversation with id 'x' not found.","type":"invalid_request_error","param":null,"code":null}}"#,
        );
        assert_eq!(
            e.to_string(),
            "Conversation with id 'x' not found. (HTTP 404 invalid_request_error, request req_1)"
        );
    }

    #[test]
    fn other_shapes_still_read() {
        assert_eq!(err(400, r#"{"detail":"bad thing"}"#).message, "bad thing");
        assert_eq!(
            err(422, r#"{"detail":[{"loc":["body"],"msg":"x"}]}"#).message,
            r#"[{"loc":["body"],"msg":"x"}]"#
        );
        let e = err(500, r#"{"error":{"message":"boom"}}"#);
        assert_eq!(e.message, "boom");
        assert_eq!(e.error_type, None);
        assert_eq!(err(502, "upstream\nfailed ").message, "upstream failed");
        assert_eq!(
            err(503, "").message,
            "Service Unavailable (the server sent no message)"
        );
        let long = err(500, &"x".repeat(5000));
        assert!(long.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
        assert_eq!(err(400, r#"{"error":"plain"}"#).message, "plain");
        assert_eq!(
            err(400, r#"{"error":{"code":5}}"#).code.as_deref(),
            Some("5")
        );
    }

    #[test]
    fn scrub_removes_the_key() {
        let e =
            err(401, r#"{"error":{"message":"bad key sk-secret-1234"}}"#).scrub("sk-secret-1234");
        assert!(!e.to_string().contains("sk-secret-1234"));
        assert!(!format!("{e:?}").contains("sk-secret-1234"));
    }
}
