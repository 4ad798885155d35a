//! Running the server: serve HTTP and WebSockets until a shutdown signal, then
//! close every WebSocket with a Close frame, let every meeting task finish its
//! batch, and flush the store.

use crate::http::{router, AppState, ServerConfig};
use crate::hub::Hub;
use crate::store::Store;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Serves on `listener` until `shutdown` resolves, then shuts down cleanly.
/// When this returns, the store is flushed and closed.
pub async fn run(
    listener: TcpListener,
    store: Store,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let token = CancellationToken::new();
    let state = AppState {
        hub: Hub::new(store.clone(), token.clone(), config.hub.clone()),
        config: Arc::new(config),
        shutdown: token.clone(),
        connections: TaskTracker::new(),
        ledger: crate::ledger::Ledger::new(store.clone()),
    };
    let app = router(state.clone());
    let signal = token.clone();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = shutdown => {}
                _ = signal.cancelled() => {}
            }
            // axum does not wait for upgraded sockets: tell them ourselves.
            signal.cancel();
        })
        .await;
    token.cancel();
    state.connections.close();
    state.connections.wait().await;
    state.hub.wait_stopped().await;
    drop(state);
    tokio::task::spawn_blocking(move || {
        let flushed = store.flush();
        store.close();
        flushed
    })
    .await
    .map_err(std::io::Error::other)?
    .map_err(std::io::Error::other)?;
    served
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}
