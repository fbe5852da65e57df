//! The accept loop, with a shutdown that answers what clients already sent.
//!
//! On shutdown the listener closes first. Connections accepted just before may not have read their
//! request yet, and closing such a connection drops the bytes the client sent (the client sees a
//! reset and cannot tell whether its request ran). So they get a moment to start their request;
//! then every connection is told to finish what it is serving and close.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// How long connections accepted before shutdown get to start their first request.
const START_GRACE: Duration = Duration::from_secs(1);
/// How long requests in flight get to finish.
const FINISH_GRACE: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until `shutdown` completes, then drains as described above.
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let builder = Builder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
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
                let service = TowerToHyperService::new(app.clone());
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service).into_owned());
                tokio::spawn(async move {
                    if let Err(err) = connection.await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
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
