//! `convtui serve`: a local, faithful implementation of the Conversations API (axum + SQLite).

pub mod error;
pub mod ids;
pub mod routes;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServeError>>,
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/v1`
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Stops accepting connections, lets in-flight requests finish, and closes the database.
    pub async fn shutdown(mut self) -> Result<(), ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
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

/// Opens the database, binds the address and serves in a background task.
pub async fn start(opts: ServeOptions) -> Result<RunningServer, ServeError> {
    if !opts.addr.ip().is_loopback() && opts.api_key.is_none() {
        return Err(ServeError::NoKeyOnNetwork(opts.addr));
    }
    let store = open_store(&opts.database)?;
    let listener = TcpListener::bind(opts.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: opts.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: opts.addr,
        source,
    })?;
    let state = AppState::new(store, opts.api_key);
    let app = routes::router(state.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
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
    })
}

/// Runs until SIGINT or SIGTERM, printing the one ready line on stdout.
pub async fn run(opts: ServeOptions) -> Result<(), ServeError> {
    let mut server = start(opts).await?;
    println!("convtui serve: listening on {}", server.base_url());
    tokio::select! {
        _ = shutdown_signal() => {}
        r = server.wait() => return r,
    }
    tracing::info!("shutting down");
    if let Some(stop) = server.stop.take() {
        let _ = stop.send(());
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
