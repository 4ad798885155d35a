//! Running the server: serve HTTP and WebSockets until a shutdown signal, then
//! close every WebSocket with a Close frame, let every meeting task finish its
//! batch, and flush the store.

use crate::config::ServerConfig;
use crate::http::{router, AppState};
use crate::hub::Hub;
use crate::listen::{AcceptLimits, Counter};
use crate::service::{Archives, Ledger, Meetings};
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
    // Loopback is exempt from per-address rules everywhere, or nowhere.
    let mut hub = config.hub.clone();
    hub.door.exempt_loopback = config.limits.exempt_loopback;
    let hub = Hub::new(store.clone(), token.clone(), hub);
    let ledger = Ledger::new(store.clone());
    let state = AppState {
        meetings: Meetings::new(ledger.clone()),
        archives: Archives::new(hub.clone(), store.clone()),
        ledger,
        hub,
        shutdown: token.clone(),
        connections: TaskTracker::new(),
        ws_per_address: Counter::new(config.limits.ws_per_address),
        ws_per_meeting: Counter::new(config.limits.ws_per_meeting),
        per_address: Arc::new(crate::http::PerAddress::new(&config.limits)),
        config: Arc::new(config),
    };
    let app = router(state.clone());
    let signal = token.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown => {}
            _ = signal.cancelled() => {}
        }
        // Upgraded sockets are not HTTP connections any more: they watch this too.
        signal.cancel();
    });
    let limits = AcceptLimits {
        header_timeout: state.config.limits.header_timeout,
        per_address: state.config.limits.http_per_address,
        exempt_loopback: state.config.limits.exempt_loopback,
    };
    crate::listen::serve(listener, app, limits, token.clone()).await;
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
    Ok(())
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
