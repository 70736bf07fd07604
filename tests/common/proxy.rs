//! A proxy in front of a real server: it passes every request on and notes the cursor
//! (`after`, "" for none) of each listing of items. [`Options`] make its listings leave
//! `last_id` out (as some servers do) or come late.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use serde_json::Value;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Listings leave `last_id` out.
    pub strip_last_id: bool,
    /// Each listing waits this long before it is passed on.
    pub delay: Duration,
}

#[derive(Clone)]
struct Front {
    upstream: String,
    http: reqwest::Client,
    options: Options,
    listings: Arc<Mutex<Vec<String>>>,
}

pub struct Proxy {
    /// The proxy's base URL, `http://127.0.0.1:PORT/v1`.
    pub url: String,
    listings: Arc<Mutex<Vec<String>>>,
    /// For a proxy started outside a runtime: the one it runs on.
    _runtime: Option<tokio::runtime::Runtime>,
}

impl Proxy {
    /// Starts on the current tokio runtime, before `upstream` (a base URL ending in `/v1`).
    pub async fn start(upstream: &str, options: Options) -> Proxy {
        let (url, listings) = serve(upstream, options).await;
        Proxy {
            url,
            listings,
            _runtime: None,
        }
    }

    /// Like [`Proxy::start`], on a runtime of its own (for tests that run the binary).
    pub fn start_blocking(upstream: &str, options: Options) -> Proxy {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (url, listings) = runtime.block_on(serve(upstream, options));
        Proxy {
            url,
            listings,
            _runtime: Some(runtime),
        }
    }

    /// The cursor of every listing of items passed on so far, in order.
    pub fn listings(&self) -> Vec<String> {
        self.listings.lock().unwrap().clone()
    }

    /// How many listings of items were passed on.
    pub fn lists(&self) -> usize {
        self.listings.lock().unwrap().len()
    }
}

async fn serve(upstream: &str, options: Options) -> (String, Arc<Mutex<Vec<String>>>) {
    let listings = Arc::new(Mutex::new(Vec::new()));
    let state = Front {
        upstream: upstream.trim_end_matches("/v1").to_string(),
        http: reqwest::Client::new(),
        options,
        listings: listings.clone(),
    };
    let app = Router::new().fallback(pass_on).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), listings)
}

async fn pass_on(
    State(front): State<Front>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> axum::response::Response {
    let listing = method == Method::GET && uri.path().ends_with("/items");
    if listing {
        let after = uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("after=")))
            .unwrap_or_default();
        front.listings.lock().unwrap().push(after.to_string());
        tokio::time::sleep(front.options.delay).await;
    }
    let sent = front
        .http
        .request(method, format!("{}{uri}", front.upstream))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    let Ok(answer) = sent else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    let mut bytes = answer.bytes().await.unwrap_or_default().to_vec();
    if listing && front.options.strip_last_id {
        if let Ok(mut page) = serde_json::from_slice::<Value>(&bytes) {
            if let Some(page) = page.as_object_mut() {
                page.remove("last_id");
            }
            bytes = serde_json::to_vec(&page).unwrap();
        }
    }
    (status, [("content-type", "application/json")], bytes).into_response()
}
