//! `convtui serve`: a local, faithful implementation of the Conversations API (axum + SQLite).

pub mod chaos;
pub mod error;
pub mod ids;
pub mod listen;
pub mod page;
pub mod routes;
pub mod schema;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::protocol::validate::ItemTypes;

use routes::AppState;
use store::Store;

/// Where the server keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    File(PathBuf),
    Memory,
}

impl Database {
    /// The default file in the user's data directory.
    pub fn default_file() -> Option<PathBuf> {
        crate::paths::data_dir().map(|d| d.join("local.sqlite3"))
    }
}

#[derive(Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    pub database: Database,
    pub api_key: Option<String>,
}

/// The key is never shown, not even in debug output.
impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("addr", &self.addr)
            .field("database", &self.database)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// How the server protects itself, and what it accepts. The defaults suit a local server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How long a client has to send a request's head, from connecting or from its first byte.
    pub header_timeout: Duration,
    /// How long a client has to send a request's body.
    pub body_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Item bytes in one page; a page stops early with `has_more: true`.
    pub max_page_bytes: usize,
    /// Accept item types the API does not list (kept as sent).
    pub allow_unknown_item_types: bool,
    /// Faults to inject, for testing clients.
    pub chaos: Option<chaos::Chaos>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 512,
            max_page_bytes: store::DEFAULT_MAX_PAGE_BYTES,
            allow_unknown_item_types: false,
            chaos: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("refusing to listen on {0} without --api-key: anyone who can reach that address could read and delete your conversations. Pass --api-key KEY, or listen on a loopback address such as 127.0.0.1")]
    NoKeyOnNetwork(SocketAddr),
    #[error("cannot open the database {path}: {source}")]
    Database {
        path: String,
        source: rusqlite::Error,
    },
    #[error("cannot create the directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Serve(std::io::Error),
}

/// A server running in the background of this process.
pub struct RunningServer {
    addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    task: JoinHandle<Result<(), ServeError>>,
    state: AppState,
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/v1`
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Runs `f` on this server's storage, on the blocking pool.
    pub async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, error::ApiError> + Send + 'static,
    ) -> Result<T, error::ApiError> {
        self.state.with_store(f).await
    }

    /// Stops accepting connections, lets in-flight requests finish, and closes the database.
    pub async fn shutdown(mut self) -> Result<(), ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        self.wait().await
    }

    /// Waits until the server stops by itself (it only does so on failure).
    pub async fn wait(&mut self) -> Result<(), ServeError> {
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(ServeError::Serve(std::io::Error::other(e.to_string()))),
        }
    }
}

fn open_store(database: &Database) -> Result<Store, ServeError> {
    match database {
        Database::Memory => Store::memory().map_err(|source| ServeError::Database {
            path: ":memory:".into(),
            source,
        }),
        Database::File(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| ServeError::Directory {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            Store::open(path).map_err(|source| ServeError::Database {
                path: path.display().to_string(),
                source,
            })
        }
    }
}

/// Opens the database, binds the address and serves in a background task, with the default
/// [`Limits`].
pub async fn start(opts: ServeOptions) -> Result<RunningServer, ServeError> {
    start_with(opts, Limits::default()).await
}

/// Opens the database, binds the address and serves in a background task.
pub async fn start_with(opts: ServeOptions, limits: Limits) -> Result<RunningServer, ServeError> {
    if !opts.addr.ip().is_loopback() && opts.api_key.is_none() {
        return Err(ServeError::NoKeyOnNetwork(opts.addr));
    }
    let mut store = open_store(&opts.database)?;
    store.set_max_page_bytes(limits.max_page_bytes);
    let listener = listen::bind(opts.addr).map_err(|source| ServeError::Bind {
        addr: opts.addr,
        source,
    })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: opts.addr,
        source,
    })?;
    let types = if limits.allow_unknown_item_types {
        ItemTypes::Any
    } else {
        ItemTypes::Known
    };
    let state = AppState::new(store, opts.api_key)
        .with_item_types(types)
        .with_body_timeout(limits.body_timeout);
    let app = routes::router(state.clone(), limits.chaos.clone());
    let (stop, stopped) = watch::channel(false);
    let running_state = state.clone();
    let task = tokio::spawn(async move {
        let result = listen::serve(listener, app, limits, stopped)
            .await
            .map_err(ServeError::Serve);
        if let Some(store) = state.take_store() {
            tokio::task::spawn_blocking(move || store.close())
                .await
                .ok();
        }
        result
    });
    Ok(RunningServer {
        addr,
        stop: Some(stop),
        task,
        state: running_state,
    })
}

/// Runs until SIGINT or SIGTERM, printing the one ready line on stdout.
pub async fn run(opts: ServeOptions) -> Result<(), ServeError> {
    run_with(opts, Limits::default()).await
}

/// [`run`] with the given [`Limits`].
pub async fn run_with(opts: ServeOptions, limits: Limits) -> Result<(), ServeError> {
    let mut server = start_with(opts, limits).await?;
    println!("convtui serve: listening on {}", server.base_url());
    tokio::select! {
        _ = shutdown_signal() => {}
        r = server.wait() => return r,
    }
    tracing::info!("shutting down");
    if let Some(stop) = server.stop.take() {
        let _ = stop.send(true);
    }
    // In-flight requests get time to finish; a client that never completes its request, or a
    // second signal, does not keep the process alive.
    tokio::select! {
        r = server.wait() => r,
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => {
            eprintln!("convtui serve: requests still open after {} s; stopping anyway", SHUTDOWN_GRACE.as_secs());
            Ok(())
        }
        _ = shutdown_signal() => {
            eprintln!("convtui serve: stopping at once");
            Ok(())
        }
    }
}

/// How long in-flight requests may take to finish after SIGINT or SIGTERM.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
