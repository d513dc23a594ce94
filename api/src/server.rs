//! The accept loop: the router served over HTTP/1.1 and HTTP/2 with the
//! connection hygiene `axum::serve` does not offer.
//!
//! - A header-read timeout: a client must send a request's headers within
//!   it, and a kept-alive connection may not sit idle longer (slowloris).
//! - A bound on open connections: beyond it, new ones wait in the kernel's
//!   backlog instead of taking memory here.
//! - The one error shape even for what hyper answers itself: a request it
//!   cannot parse (400), a URI or header block too long (414, 431) get our
//!   JSON body instead of an empty one.
//! - Graceful shutdown: on the signal, stop accepting, let requests in
//!   flight finish (for a few seconds).

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use shared::{ErrorBody, ErrorCode};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How long requests in flight may take to finish after the shutdown signal.
const DRAIN: Duration = Duration::from_secs(5);

/// Connection limits (see `Config`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    /// From a request's first byte to its answer, body included.
    pub request_timeout: Duration,
    /// Whether h2c is served (with keep-alive pings that end dead peers).
    pub http2: bool,
}

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    if limits.http2 {
        builder
            .http2()
            .timer(TokioTimer::new())
            .keep_alive_interval(Some(limits.header_read_timeout))
            .keep_alive_timeout(limits.header_read_timeout)
            .max_concurrent_streams(64);
    } else {
        builder = builder.http1_only();
    }
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&open).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off briefly
                    // rather than spin; the listener itself is still fine.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // A client must start its request within the header-read timeout:
        // the version sniffing below waits for a first byte indefinitely,
        // and hyper's own timer only runs once it has one.
        let first_byte = limits.header_read_timeout;
        let router = router.clone();
        let builder = builder.clone();
        let graceful_watch = graceful.watcher();
        tokio::spawn(async move {
            let mut probe = [0u8; 1];
            match tokio::time::timeout(first_byte, stream.peek(&mut probe)).await {
                Ok(Ok(n)) if n > 0 => {}
                // Silent, closed, or broken: nothing to serve.
                _ => return,
            }
            let deadline = limits.request_timeout;
            let service = tower::service_fn(move |req: hyper::Request<Incoming>| {
                let mut req = req.map(Body::new);
                req.extensions_mut().insert(ConnectInfo(peer));
                let answer = router.clone().oneshot(req);
                async move {
                    // A request that is not answered in time (a body that
                    // never comes, say) ends, and with it the connection.
                    match tokio::time::timeout(deadline, answer).await {
                        Ok(answered) => answered,
                        Err(_) => Ok(too_slow()),
                    }
                }
            });
            let conn = builder.serve_connection_with_upgrades(
                TokioIo::new(ShapedErrors::new(stream)),
                TowerToHyperService::new(service),
            );
            // Errors here are the client's (a reset, a timeout): nothing to log.
            let _ = graceful_watch.watch(conn).await;
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => {
            tracing::warn!("connections still open after the drain period; stopping anyway");
        }
    }
    Ok(())
}

/// 408 in the error shape, and the connection is not kept.
fn too_slow() -> axum::response::Response {
    let body = ErrorBody::new(
        ErrorCode::InvalidRequest,
        "The request did not arrive in time.",
    );
    let mut response =
        axum::response::Response::new(Body::from(serde_json::to_vec(&body).unwrap_or_default()));
    *response.status_mut() = axum::http::StatusCode::REQUEST_TIMEOUT;
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// A TCP stream that rewrites hyper's own error responses (sent when a
/// request cannot even be parsed, so no handler ever saw it) into the JSON
/// error shape. Everything else passes through untouched.
struct ShapedErrors {
    inner: TcpStream,
    /// A replacement being written, and how much of it is out.
    replacing: Option<(Vec<u8>, usize)>,
}

impl ShapedErrors {
    fn new(inner: TcpStream) -> Self {
        ShapedErrors {
            inner,
            replacing: None,
        }
    }
}

/// The JSON response for one of hyper's automatic error heads, if `head` is
/// one: a 400, 414 or 431 status line, no body, no content type (every
/// error we answer ourselves has a JSON body).
fn shaped(head: &[u8]) -> Option<Vec<u8>> {
    let (status, code, description) = if head.starts_with(b"HTTP/1.1 400 ") {
        (
            "400 Bad Request",
            ErrorCode::InvalidRequest,
            "The request could not be parsed as HTTP.",
        )
    } else if head.starts_with(b"HTTP/1.1 414 ") {
        (
            "414 URI Too Long",
            ErrorCode::InvalidRequest,
            "The request URI is too long.",
        )
    } else if head.starts_with(b"HTTP/1.1 431 ") {
        (
            "431 Request Header Fields Too Large",
            ErrorCode::InvalidRequest,
            "The request headers are too large.",
        )
    } else {
        return None;
    };
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    if !text.ends_with("\r\n\r\n") || text.contains("\r\ncontent-type:") {
        return None;
    }
    let body = serde_json::to_string(&ErrorBody::new(code, description)).ok()?;
    Some(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             cache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl AsyncRead for ShapedErrors {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ShapedErrors {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none() {
            match shaped(buf) {
                Some(bytes) => this.replacing = Some((bytes, 0)),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        // Write the replacement to the end, then report hyper's bytes as
        // written (hyper retries the same buffer after a Pending).
        while let Some((bytes, done)) = this.replacing.as_mut() {
            if *done == bytes.len() {
                this.replacing = None;
                return Poll::Ready(Ok(buf.len()));
            }
            match Pin::new(&mut this.inner).poll_write(cx, &bytes[*done..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *done += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    /// One buffer per write, so a response head always arrives whole.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_own_empty_error_heads_are_rewritten() {
        let auto = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let shaped_400 = String::from_utf8(shaped(auto).unwrap()).unwrap();
        assert!(shaped_400.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        assert!(shaped_400.contains("content-type: application/json"));
        assert!(shaped_400.ends_with(r#"{"error":"invalid_request","error_description":"The request could not be parsed as HTTP."}"#));
        assert!(shaped(b"HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n").is_some());
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 50\r\n\r\n";
        assert!(shaped(ours).is_none(), "our own errors pass");
        assert!(shaped(b"HTTP/1.1 200 OK\r\n\r\n").is_none());
        assert!(shaped(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\n\r\nhello").is_none());
    }
}
