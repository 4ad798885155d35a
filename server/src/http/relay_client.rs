//! The client a node relays requests with, and the secret it shows (see
//! [`super::relay`]).

use axum::body::Body;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// What a node needs to relay requests; present on a shared store only.
#[derive(Clone, Debug)]
pub struct Relay {
    secret: String,
    client: Client<HttpConnector, Body>,
}

impl Relay {
    /// A relay that shows `secret` to the nodes it relays to.
    pub fn new(secret: String) -> Relay {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(std::time::Duration::from_secs(2)));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(std::time::Duration::from_secs(30))
            .build(connector);
        Relay { secret, client }
    }
}

impl Relay {
    pub(super) fn secret(&self) -> &str {
        &self.secret
    }

    pub(super) fn client(&self) -> &Client<HttpConnector, Body> {
        &self.client
    }
}
