//! An async client for the Conversations API (and the local server's conversation listing).
//!
//! One shared `reqwest::Client` per [`Client`]; cloning a [`Client`] is cheap.

pub mod error;
pub mod input;
pub use crate::protocol::models;
pub mod paging;
mod params;
pub mod retry;
mod secret;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::Stream;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

pub use error::{ApiError, ErrorKind};
pub use models::{
    ContentPart, Conversation, ConversationPage, DeletedConversation, Item, ItemPage, Message,
    Metadata, Page,
};
pub use paging::{next_cursor, Limits, Next, PageEvent};

use crate::protocol::validate;
use crate::protocol::ApiError as Rule;

/// Most items accepted by one create call.
pub const MAX_ITEMS_PER_CALL: usize = validate::MAX_ITEMS;

use params::include_query;
pub use params::{ListParams, Order};
pub use secret::Secret;
/// How to reach the API.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// e.g. `https://api.openai.com/v1`
    pub base_url: String,
    pub api_key: Option<Secret>,
    pub organization: Option<String>,
    pub project: Option<String>,
    /// Whole-request timeout.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Refuse every call that changes something, before anything is sent.
    pub read_only: bool,
    /// How the key is sent.
    pub auth: Auth,
    /// Bounds on one listing of items.
    pub limits: paging::Limits,
}

/// How the API key is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer KEY` (OpenAI and most servers).
    #[default]
    Bearer,
    /// `api-key: KEY` (Azure OpenAI / Azure AI Foundry).
    ApiKeyHeader,
}

impl ClientSettings {
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientSettings {
            base_url: base_url.into(),
            api_key: None,
            organization: None,
            project: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_retries: retry::DEFAULT_MAX_RETRIES,
            read_only: false,
            auth: Auth::Bearer,
            limits: paging::Limits::default(),
        }
    }
}

/// The Conversations API client.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    base_str: String,
    api_key: Option<Secret>,
    max_retries: u32,
    read_only: bool,
    limits: paging::Limits,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_str)
            .field("api_key", &self.inner.api_key)
            .field("max_retries", &self.inner.max_retries)
            .field("read_only", &self.inner.read_only)
            .finish()
    }
}

/// Whether a request creates something (and so must not be repeated blindly).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Effect {
    ReadOrIdempotent,
    Creates,
    /// A read of a page, decoded leniently: a 200 error envelope must not read as empty.
    Lists,
}

fn header_value(name: &str, value: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(value).map_err(|_| {
        ApiError::new(
            ErrorKind::Setup,
            format!("the {name} contains characters that cannot be sent in a header"),
        )
    })
}

fn check_id(name: &str, id: &str) -> Result<(), ApiError> {
    if id.trim().is_empty() {
        return Err(ApiError {
            param: Some(name.to_string()),
            error_type: Some("invalid_request_error".into()),
            ..ApiError::new(
                ErrorKind::Validation,
                format!("Expected a non-empty value for `{name}` but received '{id}'"),
            )
        });
    }
    Ok(())
}

fn check_metadata(metadata: Option<&Metadata>) -> Result<Value, ApiError> {
    match metadata {
        None => Ok(Value::Null),
        Some(m) => {
            let v = Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            );
            validate::metadata(&v)?;
            Ok(v)
        }
    }
}

fn check_item_count(items: &[Value], allow_empty: bool) -> Result<(), ApiError> {
    if items.len() > validate::MAX_ITEMS {
        return Err(Rule::array_too_long("items", validate::MAX_ITEMS, items.len()).into());
    }
    if items.is_empty() && !allow_empty {
        return Err(Rule::empty_array("items").into());
    }
    Ok(())
}

impl Client {
    pub fn new(settings: ClientSettings) -> Result<Client, ApiError> {
        let trimmed = settings.base_url.trim().trim_end_matches('/').to_string();
        let base = Url::parse(&trimmed)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
            .ok_or_else(|| {
                // The text is not echoed when it may hold a password (`user:pass@host`).
                let shown = if trimmed.contains('@') {
                    "(hidden)"
                } else {
                    trimmed.as_str()
                };
                ApiError::new(
                    ErrorKind::Setup,
                    format!("invalid base URL '{shown}': expected http(s)://HOST[/PATH]"),
                )
            })?;
        // What is shown (header, errors, backups): never a password in the URL.
        let shown = {
            let mut u = base.clone();
            if u.password().is_some() {
                let _ = u.set_password(Some("****"));
            }
            u.as_str().trim_end_matches('/').to_string()
        };
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("convtui/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(key) = settings.api_key.as_ref().filter(|k| !k.expose().is_empty()) {
            let (name, value) = match settings.auth {
                Auth::Bearer => (AUTHORIZATION, format!("Bearer {}", key.expose())),
                Auth::ApiKeyHeader => {
                    (HeaderName::from_static("api-key"), key.expose().to_string())
                }
            };
            let mut v = header_value("API key", &value)?;
            v.set_sensitive(true);
            headers.insert(name, v);
        }
        if let Some(org) = settings.organization.as_deref().filter(|s| !s.is_empty()) {
            headers.insert(
                HeaderName::from_static("openai-organization"),
                header_value("organization", org)?,
            );
        }
        if let Some(project) = settings.project.as_deref().filter(|s| !s.is_empty()) {
            headers.insert(
                HeaderName::from_static("openai-project"),
                header_value("project", project)?,
            );
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .build()
            .map_err(|e| ApiError::new(ErrorKind::Setup, format!("cannot set up HTTP: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                base_str: shown,
                api_key: settings.api_key,
                max_retries: settings.max_retries,
                read_only: settings.read_only,
                limits: settings.limits,
            }),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_str
    }

    /// Whether every call that changes something is refused.
    pub fn is_read_only(&self) -> bool {
        self.inner.read_only
    }

    /// In read-only mode, the error for a call that would `what`; nothing is sent.
    pub fn writable(&self, what: &str) -> Result<(), ApiError> {
        if self.inner.read_only {
            return Err(ApiError::new(
                ErrorKind::Setup,
                format!("read-only mode: refused to {what}; nothing was sent (the profile or --read-only says read-only)"),
            ));
        }
        Ok(())
    }

    /// The bounds on one listing of items.
    pub fn limits(&self) -> paging::Limits {
        self.inner.limits
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends a request with retries; returns the body of a success answer.
    async fn send(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&'static str, String)],
        body: Option<&Value>,
        effect: Effect,
    ) -> Result<Vec<u8>, ApiError> {
        if method != Method::GET {
            self.writable(&format!("send {method} /{}", segments.join("/")))?;
        }
        let url = self.url(segments);
        let request = error::short_request(&method, &self.inner.base, &url);
        let creates = effect == Effect::Creates;
        let mut retries_done = 0u32;
        // A write whose attempt got no answer may have been applied, whatever came after.
        let mut unanswered = false;
        loop {
            let mut req = self.inner.http.request(method.clone(), url.clone());
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let (failure, hints, error) = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    match resp.bytes().await {
                        Ok(bytes) if status.is_success() => return Ok(Vec::from(bytes)),
                        Ok(bytes) => {
                            let secret = self.inner.api_key.as_ref().map(Secret::expose);
                            let mut e =
                                ApiError::from_response(status.as_u16(), &headers, &bytes, secret);
                            if status.as_u16() == 404 {
                                self.hint_v1(&mut e);
                            }
                            (
                                retry::Failure::Status(status.as_u16()),
                                retry::hints(&headers, SystemTime::now()),
                                e,
                            )
                        }
                        Err(e) => {
                            let (f, mut err) =
                                error::transport(&request, self.base_url(), &e, creates);
                            err.status = Some(status.as_u16());
                            (f, retry::Hints::default(), err)
                        }
                    }
                }
                Err(e) => {
                    let (f, err) = error::transport(&request, self.base_url(), &e, creates);
                    (f, retry::Hints::default(), err)
                }
            };
            unanswered |= failure.unanswered();
            let decision = retry::decide(
                failure,
                hints,
                retries_done,
                self.inner.max_retries,
                creates,
                rand::random::<f64>(),
            );
            match decision {
                retry::Decision::RetryAfter(wait) => {
                    tracing::debug!(%method, path = url.path(), ?failure, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                    retries_done += 1;
                }
                retry::Decision::GiveUp => {
                    let why = unanswered.then_some("an attempt got no answer");
                    let e = error::unanswered_write(error, &method, creates, why);
                    return Err(self.scrub(e));
                }
            }
        }
    }

    /// A 404 from a base URL without `/v1` is most often that prefix missing: say so.
    fn hint_v1(&self, e: &mut ApiError) {
        let base = &self.inner.base;
        if base
            .path_segments()
            .is_some_and(|mut s| !s.any(|s| s == "v1"))
        {
            e.message = format!("{} (did you mean {}/v1?)", e.message, self.base_url());
        }
    }

    fn scrub(&self, e: ApiError) -> ApiError {
        match &self.inner.api_key {
            Some(k) => e.scrub(k.expose()),
            None => e,
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&'static str, String)],
        body: Option<&Value>,
        effect: Effect,
    ) -> Result<T, ApiError> {
        let bytes = self
            .send(method.clone(), segments, query, body, effect)
            .await?;
        let creates = effect == Effect::Creates;
        if let Some(e) = (effect == Effect::Lists)
            .then(|| error::enveloped(&bytes, &method, segments))
            .flatten()
        {
            return Err(self.scrub(e));
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| self.scrub(error::unreadable(&method, segments, &e, &bytes, creates)))
    }

    pub async fn create_conversation(
        &self,
        metadata: Option<&Metadata>,
        items: &[Value],
    ) -> Result<Conversation, ApiError> {
        self.writable("create a conversation")?;
        check_item_count(items, true)?;
        let mut body = Map::new();
        if metadata.is_some() {
            body.insert("metadata".into(), check_metadata(metadata)?);
        }
        if !items.is_empty() {
            body.insert("items".into(), Value::Array(items.to_vec()));
        }
        self.call(
            Method::POST,
            &["conversations"],
            &[],
            Some(&Value::Object(body)),
            Effect::Creates,
        )
        .await
    }

    pub async fn get_conversation(&self, id: &str) -> Result<Conversation, ApiError> {
        check_id("conversation_id", id)?;
        self.call(
            Method::GET,
            &["conversations", id],
            &[],
            None,
            Effect::ReadOrIdempotent,
        )
        .await
    }

    /// Replaces the metadata; `None` sends `"metadata": null`.
    pub async fn update_conversation(
        &self,
        id: &str,
        metadata: Option<&Metadata>,
    ) -> Result<Conversation, ApiError> {
        self.writable("update a conversation")?;
        check_id("conversation_id", id)?;
        let body = json!({"metadata": check_metadata(metadata)?});
        self.call(
            Method::POST,
            &["conversations", id],
            &[],
            Some(&body),
            Effect::ReadOrIdempotent,
        )
        .await
    }

    pub async fn delete_conversation(&self, id: &str) -> Result<DeletedConversation, ApiError> {
        self.writable("delete a conversation")?;
        check_id("conversation_id", id)?;
        self.call(
            Method::DELETE,
            &["conversations", id],
            &[],
            None,
            Effect::ReadOrIdempotent,
        )
        .await
    }

    pub async fn list_items(
        &self,
        conversation: &str,
        params: &ListParams,
    ) -> Result<ItemPage, ApiError> {
        check_id("conversation_id", conversation)?;
        self.call(
            Method::GET,
            &["conversations", conversation, "items"],
            &params.query(),
            None,
            Effect::Lists,
        )
        .await
    }

    /// Adds 1 to 20 items, in order.
    pub async fn create_items(
        &self,
        conversation: &str,
        items: &[Value],
        include: &[String],
    ) -> Result<ItemPage, ApiError> {
        self.writable("add items")?;
        check_id("conversation_id", conversation)?;
        check_item_count(items, false)?;
        let body = json!({"items": items});
        self.call(
            Method::POST,
            &["conversations", conversation, "items"],
            &include_query(include),
            Some(&body),
            Effect::Creates,
        )
        .await
    }

    pub async fn get_item(
        &self,
        conversation: &str,
        item: &str,
        include: &[String],
    ) -> Result<Item, ApiError> {
        check_id("conversation_id", conversation)?;
        check_id("item_id", item)?;
        self.call(
            Method::GET,
            &["conversations", conversation, "items", item],
            &include_query(include),
            None,
            Effect::ReadOrIdempotent,
        )
        .await
    }

    /// Deletes an item. The server may answer with the conversation (OpenAI) or with a
    /// deleted-marker; both are accepted.
    pub async fn delete_item(&self, conversation: &str, item: &str) -> Result<(), ApiError> {
        self.delete_item_raw(conversation, item).await.map(|_| ())
    }

    /// Deletes an item and returns the server's answer as it came.
    pub async fn delete_item_raw(&self, conversation: &str, item: &str) -> Result<Value, ApiError> {
        self.writable("delete an item")?;
        check_id("conversation_id", conversation)?;
        check_id("item_id", item)?;
        let answer: Value = self
            .call(
                Method::DELETE,
                &["conversations", conversation, "items", item],
                &[],
                None,
                Effect::ReadOrIdempotent,
            )
            .await?;
        error::deleted_answer(answer)
    }

    /// Lists conversations (an extension of the local server; OpenAI has no such endpoint).
    /// A server without it gives an error of kind [`ErrorKind::NotSupported`].
    pub async fn list_conversations(
        &self,
        params: &ListParams,
    ) -> Result<ConversationPage, ApiError> {
        let mut query = params.query();
        query.retain(|(k, _)| *k != "include[]");
        self.call(Method::GET, &["conversations"], &query, None, Effect::Lists)
            .await
            .map_err(|e| match e.status {
                Some(404) | Some(405) => ApiError {
                    kind: ErrorKind::NotSupported,
                    message: format!(
                        "this server cannot list conversations (it answered: {})",
                        e.message
                    ),
                    ..e
                },
                _ => e,
            })
    }

    /// All items of a conversation, page by page, following `after` while `has_more`, within
    /// [`Client::limits`]. Ends after the last page, after an error, or with
    /// [`PageEvent::Stopped`] when the server makes no progress.
    pub fn item_pages(
        &self,
        conversation: &str,
        params: ListParams,
    ) -> impl Stream<Item = Result<PageEvent, ApiError>> + Send + 'static {
        paging::stream(self, conversation, params, paging::Strictness::Lenient)
    }

    /// Like [`Client::item_pages`], for a backup: a page without a `data` array of objects is
    /// an error, not an empty page.
    pub fn item_pages_checked(
        &self,
        conversation: &str,
        params: ListParams,
    ) -> impl Stream<Item = Result<PageEvent, ApiError>> + Send + 'static {
        paging::stream(self, conversation, params, paging::Strictness::Checked)
    }
}
