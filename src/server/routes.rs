//! HTTP routes of the Conversations API, plus the conversation-list extension.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Path, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value};

use super::error::ApiError;
use super::ids;
use super::store::Store;
use crate::protocol::validate::{self, ItemTypes};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Option<Arc<Store>>>>,
    api_key: Option<Arc<str>>,
    item_types: ItemTypes,
    body_timeout: Duration,
}

impl AppState {
    pub fn new(store: Store, api_key: Option<String>) -> Self {
        AppState {
            store: Arc::new(Mutex::new(Some(Arc::new(store)))),
            api_key: api_key.map(Into::into),
            item_types: ItemTypes::Known,
            body_timeout: Duration::from_secs(30),
        }
    }

    /// Which item types a create accepts.
    pub fn with_item_types(mut self, types: ItemTypes) -> Self {
        self.item_types = types;
        self
    }

    /// How long a client has to send a request's body.
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Runs a storage operation on the blocking pool. Reads run in parallel on their own
    /// connections; writes queue for the one writer.
    pub(crate) async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let store = self
            .store
            .lock()
            .map_err(|_| ApiError::internal("storage is unavailable"))?
            .clone()
            .ok_or_else(|| ApiError::internal("the server is shutting down"))?;
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|_| ApiError::internal("storage task failed"))?
    }

    /// Takes the store out so that it can be closed (once no request still holds it).
    pub fn take_store(&self) -> Option<Store> {
        let store = self.store.lock().ok().and_then(|mut g| g.take())?;
        Arc::try_unwrap(store).ok()
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

/// Path parameters whose rejection (e.g. invalid UTF-8) is answered in the API's envelope.
struct ApiPath<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(_) => Err(ApiError::invalid_url(
                parts.method.as_str(),
                parts.uri.path(),
            )),
        }
    }
}

pub fn router(state: AppState, chaos: Option<super::chaos::Chaos>) -> Router {
    let routes = Router::new()
        .route(
            "/v1/conversations",
            get(list_conversations).post(create_conversation),
        )
        .route(
            "/v1/conversations/{id}",
            get(get_conversation)
                .post(update_conversation)
                .delete(delete_conversation),
        )
        .route(
            "/v1/conversations/{id}/items",
            get(list_items).post(create_items),
        )
        .route(
            "/v1/conversations/{id}/items/{item_id}",
            get(get_item).delete(delete_item),
        )
        .fallback(invalid_url)
        .method_not_allowed_fallback(invalid_url)
        .layer(middleware::from_fn_with_state(state.clone(), authenticate));
    let routes = match chaos {
        Some(chaos) => routes.layer(middleware::from_fn_with_state(chaos, super::chaos::inject)),
        None => routes,
    };
    routes
        .layer(middleware::from_fn(request_headers))
        .with_state(state)
}

async fn invalid_url(method: Method, uri: Uri) -> ApiError {
    ApiError::invalid_url(method.as_str(), uri.path())
}

/// Adds `x-request-id` and OpenAI's informational headers to every response.
async fn request_headers(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&ids::request_id()) {
        headers.insert("x-request-id", v);
    }
    headers.insert("openai-version", HeaderValue::from_static("2020-10-01"));
    if let Ok(v) = HeaderValue::from_str(&started.elapsed().as_millis().to_string()) {
        headers.insert("openai-processing-ms", v);
    }
    res
}

async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(key) = state.api_key.as_deref() else {
        return next.run(req).await;
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|v| !v.is_empty());
    match given {
        None => ApiError::missing_api_key().into_response(),
        Some(g) if constant_time_eq(g.as_bytes(), key.as_bytes()) => next.run(req).await,
        Some(g) => ApiError::incorrect_api_key(&redact(g)).into_response(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Shows a key as OpenAI does: a few characters at each end, the rest starred.
fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat((chars.len() - 7).min(20)))
}

/// Reads a JSON object body. An empty body is `None`.
async fn json_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Option<Map<String, Value>>, ApiError> {
    let bytes = tokio::time::timeout(state.body_timeout, to_bytes(body, MAX_BODY_BYTES))
        .await
        .map_err(|_| super::error::body_timeout(state.body_timeout))?
        .map_err(|_| ApiError::body_too_large(MAX_BODY_BYTES))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" {
        let shown = if content_type.is_empty() {
            "none"
        } else {
            content_type
        };
        return Err(ApiError::wrong_content_type(shown));
    }
    // A UTF-8 byte order mark is not part of the JSON.
    let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match serde_json::from_slice::<Value>(json) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        Ok(other) => Err(ApiError::invalid_type("body", "an object", &other)),
        Err(_) => Err(ApiError::malformed_json()),
    }
}

async fn create_conversation(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let body = json_body(&state, &headers, body).await?.unwrap_or_default();
    validate::only_fields(&body, &["metadata", "items"])?;
    let metadata = validate::metadata(body.get("metadata").unwrap_or(&Value::Null))?;
    let items = match body.get("items") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => validate::items_of(v, true, state.item_types)?,
    };
    let conv = state
        .with_store(move |s| s.create_conversation(&metadata, items))
        .await?;
    Ok(Json(conv))
}

async fn get_conversation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    Ok(Json(
        state.with_store(move |s| s.get_conversation(&id)).await?,
    ))
}

async fn update_conversation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let body = json_body(&state, &headers, body).await?.unwrap_or_default();
    validate::only_fields(&body, &["metadata"])?;
    let metadata = validate::metadata(
        body.get("metadata")
            .ok_or_else(|| ApiError::missing_parameter("metadata"))?,
    )?;
    Ok(Json(
        state
            .with_store(move |s| s.update_conversation(&id, &metadata))
            .await?,
    ))
}

async fn delete_conversation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    Ok(Json(
        state
            .with_store(move |s| s.delete_conversation(&id))
            .await?,
    ))
}

/// Not part of OpenAI's API: lists conversations on this server.
async fn list_conversations(State(state): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = validate::list_query(raw.as_deref())?;
    let page = state
        .with_store(move |s| s.list_conversations(q.after.as_deref(), q.limit, q.order))
        .await?;
    Ok(Json(page.to_json(|v| v.get("id").and_then(Value::as_str))))
}

async fn create_items(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    validate::list_query(raw.as_deref())?;
    let body = json_body(&state, &headers, body).await?.unwrap_or_default();
    validate::only_fields(&body, &["items"])?;
    let items = validate::items_of(
        body.get("items")
            .ok_or_else(|| ApiError::missing_parameter("items"))?,
        false,
        state.item_types,
    )?;
    let stored = state.with_store(move |s| s.add_items(&id, items)).await?;
    let page = super::store::Page {
        data: stored,
        has_more: false,
    };
    Ok(Json(page.to_json(item_id)))
}

fn item_id(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

async fn list_items(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = validate::list_query(raw.as_deref())?;
    let page = state
        .with_store(move |s| s.list_items(&id, q.after.as_deref(), q.limit, q.order))
        .await?;
    // The stored JSON goes out as it is, without being parsed and written again.
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        page.to_json_string(),
    )
        .into_response())
}

async fn get_item(
    State(state): State<AppState>,
    ApiPath((id, item)): ApiPath<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    validate::list_query(raw.as_deref())?;
    Ok(Json(
        state.with_store(move |s| s.get_item(&id, &item)).await?,
    ))
}

async fn delete_item(
    State(state): State<AppState>,
    ApiPath((id, item)): ApiPath<(String, String)>,
) -> ApiResult {
    Ok(Json(
        state.with_store(move |s| s.delete_item(&id, &item)).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_the_middle() {
        assert_eq!(redact("sk-abcdefghijklmnop"), "sk-************mnop");
        assert_eq!(redact("short"), "*****");
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
