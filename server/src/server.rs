//! Running the server: serve HTTP and WebSockets until a shutdown signal, then
//! close every WebSocket with a Close frame, let every meeting task finish its
//! batch, and flush the store.

use crate::config::ServerConfig;
use crate::http::{router, AppState};
use crate::hub::Hub;
use crate::listen::{AcceptLimits, Counter};
use crate::service::{Archives, Directory, Ledger, Meetings};
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
    // The nodes' addresses (kept current by the hub) and the trusted proxies:
    // not counted per address by the accept loop.
    let peers = crate::hub::PeerAddresses::default();
    let proxies: std::collections::HashSet<_> = config.trusted_proxies.iter().copied().collect();
    let relay = match store.leases() {
        None => None,
        Some(leases) => {
            let url = node_url(&config, &listener)?;
            let secret = leases.join(url.clone()).await.map_err(std::io::Error::other)?;
            tracing::info!(node = leases.node(), %url, "joined the service's nodes");
            Some(Arc::new(crate::http::relay_client::Relay::new(secret)))
        }
    };
    let hub = Hub::new(store.clone(), token.clone(), hub, peers.clone());
    let directory = Directory::new(store.clone());
    let clips = crate::service::clips::Clips::new(store.clone());
    let ledger = Ledger::new(store.clone(), directory.clone());
    let matters = Arc::new(crate::service::Matters::new(
        directory.clone(),
        ledger.clone(),
        crate::service::Photos::new(directory.clone()),
    ));
    let state = AppState {
        matters,
        directory: Arc::new(directory),
        meetings: Meetings::new(ledger.clone(), clips.clone()),
        archives: Archives::new(hub.clone(), store.clone(), clips),
        ledger,
        hub,
        shutdown: token.clone(),
        connections: TaskTracker::new(),
        ws_per_address: Counter::new(config.limits.ws_per_address),
        ws_per_meeting: Counter::new(config.limits.ws_per_meeting),
        per_address: Arc::new(crate::http::PerAddress::new(&config.limits)),
        relay,
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
        peers,
        proxies,
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

/// The address other nodes reach this one at: `--node-url`, else the
/// address listened on (this machine's LAN address if it listens on all).
fn node_url(config: &ServerConfig, listener: &TcpListener) -> std::io::Result<String> {
    if let Some(url) = &config.node_url {
        return Ok(url.trim_end_matches('/').to_owned());
    }
    let local = listener.local_addr()?;
    let ip = match local.ip() {
        ip if ip.is_unspecified() => local_ip_address::local_ip().map_err(std::io::Error::other)?,
        ip => ip,
    };
    Ok(format!("http://{}", std::net::SocketAddr::new(ip, local.port())))
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
