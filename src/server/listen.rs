//! The HTTP/1.1 connection loop: a backlog of 1024, a cap on open connections, and timeouts for
//! the request head, the body and idle keep-alive connections. Requests the HTTP parser refuses
//! before any route (a head too large, a URL too long, a bad byte in a header) are answered in
//! the API's error envelope with an `x-request-id`, like every other error.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

use super::Limits;

/// Pending connections the kernel queues before `accept`.
pub const BACKLOG: u32 = 1024;

/// The most connections `--max-connections` may allow.
pub const MAX_CONNECTIONS: usize = 1 << 20;

/// Binds `addr` with a backlog of [`BACKLOG`].
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Accepts connections until `stop` changes, then lets open ones finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let max = limits.max_connections.clamp(1, MAX_CONNECTIONS);
    let permits = Arc::new(Semaphore::new(max));
    loop {
        // Beyond the cap, connections wait in the backlog rather than being refused.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop.changed() => break,
        };
        let (stream, _) = tokio::select! {
            r = listener.accept() => match r {
                Ok(s) => s,
                Err(e) => {
                    // Out of descriptors and the like: wait a little instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let stop = stop.clone();
        let limits = limits.clone();
        tokio::spawn(async move {
            connection(stream, app, limits, stop).await;
            drop(permit);
        });
    }
    drop(listener);
    // Every open connection holds a permit: having them all back means all have finished.
    let _ = permits.acquire_many(max as u32).await;
    Ok(())
}

/// Where a connection is in its life, for its timeouts.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request to start; `first` is true until one has been answered.
    Waiting { since: Instant, first: bool },
    /// Some bytes of a request head have arrived.
    Head { since: Instant },
    /// Requests are being handled.
    Busy(usize),
}

struct ConnState {
    phase: Phase,
    /// A request was handed to the router since the last head began; when not, anything written
    /// is the parser's own refusal.
    dispatched: bool,
}

type Shared = Arc<Mutex<ConnState>>;

fn with<T>(st: &Shared, f: impl FnOnce(&mut ConnState) -> T) -> Option<T> {
    st.lock().ok().map(|mut g| f(&mut g))
}

async fn connection(
    stream: TcpStream,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let st: Shared = Arc::new(Mutex::new(ConnState {
        phase: Phase::Waiting {
            since: Instant::now(),
            first: true,
        },
        dispatched: true,
    }));
    let io = TokioIo::new(Io::new(stream, st.clone()));
    let svc_state = st.clone();
    let svc = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        with(&svc_state, |s| {
            s.dispatched = true;
            s.phase = match s.phase {
                Phase::Busy(n) => Phase::Busy(n + 1),
                _ => Phase::Busy(1),
            };
        });
        let done = Done(svc_state.clone());
        let app = app.clone();
        async move {
            let res = app.oneshot(req.map(Body::new)).await;
            drop(done);
            res
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, svc);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = expired(&st, &limits) => {
                tracing::debug!("connection timed out");
                return;
            }
            _ = stop.changed(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Marks the end of one request's handling, even when its future is dropped.
struct Done(Shared);

impl Drop for Done {
    fn drop(&mut self) {
        with(&self.0, |s| {
            s.phase = match s.phase {
                Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
                _ => Phase::Waiting {
                    since: Instant::now(),
                    first: false,
                },
            };
        });
    }
}

/// Resolves when the connection has waited too long for a request or its head.
async fn expired(st: &Shared, limits: &Limits) {
    loop {
        let phase = with(st, |s| s.phase);
        let deadline = match phase {
            Some(Phase::Waiting { since, first: true }) | Some(Phase::Head { since }) => {
                Some(since + limits.header_timeout)
            }
            Some(Phase::Waiting {
                since,
                first: false,
            }) => Some(since + limits.idle_timeout),
            Some(Phase::Busy(_)) => None,
            None => return,
        };
        match deadline {
            Some(d) if d <= Instant::now() => return,
            Some(d) => tokio::time::sleep_until(d.into()).await,
            // While a request is handled its own timeouts apply; look again later.
            None => tokio::time::sleep(limits.header_timeout.min(Duration::from_secs(1))).await,
        }
    }
}

/// The socket, noting when request bytes arrive, and replacing the parser's bare refusals with
/// the API's envelope.
struct Io {
    inner: TcpStream,
    st: Shared,
    capture: Option<Vec<u8>>,
    pending: Vec<u8>,
    sent: usize,
}

/// The largest refusal head kept to be rewritten; anything longer passes through as it is.
const MAX_CAPTURE: usize = 16 * 1024;

impl Io {
    fn new(inner: TcpStream, st: Shared) -> Self {
        Io {
            inner,
            st,
            capture: None,
            pending: Vec::new(),
            sent: 0,
        }
    }

    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.pending.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            with(&this.st, |s| {
                if let Phase::Waiting { since, first } = s.phase {
                    s.phase = Phase::Head {
                        since: if first { since } else { Instant::now() },
                    };
                    s.dispatched = false;
                }
            });
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        if this.capture.is_none() {
            let refusing = with(&this.st, |s| {
                matches!(
                    s.phase,
                    Phase::Head { .. } | Phase::Waiting { first: true, .. }
                ) && !s.dispatched
            })
            .unwrap_or(false);
            if !refusing {
                return Pin::new(&mut this.inner).poll_write(cx, buf);
            }
            this.capture = Some(Vec::new());
        }
        let Some(cap) = this.capture.as_mut() else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        cap.extend_from_slice(buf);
        let end = cap.windows(4).position(|w| w == b"\r\n\r\n");
        if end.is_some() || cap.len() > MAX_CAPTURE {
            let captured = this.capture.take().unwrap_or_default();
            this.pending = match end {
                Some(end) => rewrite(&captured, end + 4),
                None => captured,
            };
            this.sent = 0;
            with(&this.st, |s| s.dispatched = true);
            // Errors surface on the next write or flush.
            let _ = this.drain(cx);
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// The parser's refusal (`HTTP/1.1 431 …`, no body) as the API's error envelope. An answer that
/// came from the router (it has an `x-request-id`) is kept as it is.
fn rewrite(captured: &[u8], head_len: usize) -> Vec<u8> {
    let head = String::from_utf8_lossy(&captured[..head_len]).to_ascii_lowercase();
    if head.contains("\r\nx-request-id:") {
        return captured.to_vec();
    }
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (400..600).contains(s))
        .unwrap_or(400);
    envelope_response(status)
}

fn envelope_response(status: u16) -> Vec<u8> {
    let body = super::error::connection_error(status).body().to_string();
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Bad Request");
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: {}\r\nopenai-version: 2020-10-01\r\nconnection: close\r\ndate: {}\r\n\r\n{body}",
        body.len(),
        super::ids::request_id(),
        httpdate::fmt_http_date(std::time::SystemTime::now()),
    )
    .into_bytes()
}
