//! The accept loop, with a shutdown that answers what clients already sent.
//!
//! On shutdown the listener closes first. Connections accepted just before may not have read their
//! request yet, and closing such a connection drops the bytes the client sent (the client sees a
//! reset and cannot tell whether its request ran). So they get a moment to start their request;
//! then every connection is told to finish what it is serving and close.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// How long connections accepted before shutdown get to start their first request.
const START_GRACE: Duration = Duration::from_secs(1);
/// How long requests in flight get to finish.
const FINISH_GRACE: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until `shutdown` completes, then drains as described above. At most
/// `limits.max_connections` connections are open at once (the kernel's backlog holds the rest), and
/// a connection that sends no complete request head within `limits.idle_timeout` is closed.
/// With `tls`, every connection is HTTPS (its handshake bounded by the same timeout).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &super::Limits,
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()>,
) {
    let tls = tls.map(tokio_rustls::TlsAcceptor::from);
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.idle_timeout);
    builder.http2().timer(TokioTimer::new()).keep_alive_interval(limits.idle_timeout);
    let connections = std::sync::Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let Ok(permit) = connections.clone().acquire_owned().await else { break };
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!(error = %err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // hyper's header timeout starts once it knows the protocol, which takes a first
                // byte: a second handle on the socket waits for that byte, within the same bound.
                let Some((stream, probe)) = with_probe(stream) else { continue };
                let service = TowerToHyperService::new(app.clone());
                let idle = limits.idle_timeout;
                if let Some(acceptor) = tls.clone() {
                    let watcher = graceful.watcher();
                    let builder = builder.clone();
                    tokio::spawn(async move {
                        // The handshake is the first request head's work: the same bound applies.
                        let Ok(Ok(stream)) = tokio::time::timeout(idle, acceptor.accept(stream)).await else { return };
                        drop(probe);
                        let connection = watcher.watch(builder.serve_connection(TokioIo::new(stream), service).into_owned());
                        if let Err(err) = connection.await {
                            tracing::debug!(error = %err, "connection ended with an error");
                        }
                        drop(permit);
                    });
                    continue;
                }
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service).into_owned());
                tokio::spawn(async move {
                    tokio::pin!(connection);
                    let first_byte = tokio::time::timeout(idle, probe.readable());
                    let done = tokio::select! {
                        done = &mut connection => Some(done),
                        waited = first_byte => if waited.is_err() { return } else { None },
                    };
                    drop(probe);
                    let done = match done { Some(done) => done, None => connection.await };
                    if let Err(err) = done {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                    drop(permit);
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::time::sleep(START_GRACE).await;
    if tokio::time::timeout(FINISH_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after {FINISH_GRACE:?}; stopping anyway");
    }
}

/// The accepted socket and a second handle on it, to watch for its first byte.
fn with_probe(stream: tokio::net::TcpStream) -> Option<(tokio::net::TcpStream, tokio::net::TcpStream)> {
    let std = stream.into_std().ok()?;
    let probe = std.try_clone().ok()?;
    Some((tokio::net::TcpStream::from_std(std).ok()?, tokio::net::TcpStream::from_std(probe).ok()?))
}
