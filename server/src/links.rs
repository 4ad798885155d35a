//! The absolute links handed out for a meeting.
//!
//! The base is `--public-url` when set. Otherwise it is the address the request
//! came in on — except that a request to `localhost` on a server listening on
//! all interfaces gets the LAN address instead: the organiser often opens the
//! page on the laptop that runs the server, and a QR code pointing at
//! `localhost` would send every phone to itself.

use axum::http::{header, HeaderMap};
use babahui_shared::MeetingId;

/// How links are built for this server.
#[derive(Debug, Clone, Default)]
pub struct LinkBase {
    /// `--public-url`, without a trailing slash.
    pub public_url: Option<String>,
    /// `http://<lan-ip>:<port>` when listening on all interfaces.
    pub lan_url: Option<String>,
}

impl LinkBase {
    /// The base URL for a request with these headers.
    pub fn for_request(&self, headers: &HeaderMap) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        match &self.lan_url {
            Some(lan) if is_loopback_host(host) => lan.clone(),
            _ => format!("http://{host}"),
        }
    }
}

fn is_loopback_host(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    name == "localhost" || name.starts_with("127.") || name == "[::1]"
}

/// The attendee's link: the meeting and its invite code (this is what the QR holds).
pub fn join_url(base: &str, id: &MeetingId, invite: &str) -> String {
    format!("{base}/m/{id}?i={invite}")
}

/// The moderator's link; the token is in the fragment, which browsers never send to a server.
pub fn moderator_url(base: &str, id: &MeetingId, token: &str) -> String {
    format!("{base}/m/{id}/moderator#k={token}")
}

/// The organiser's link: the organiser page with the organiser key in the
/// fragment (never sent to a server; the page keeps it on that device).
pub fn organiser_url(base: &str, key: &str) -> String {
    format!("{base}/#k={key}")
}

/// The projector's link (read-only token in the fragment).
pub fn projector_url(base: &str, id: &MeetingId, token: &str) -> String {
    format!("{base}/m/{id}/projector#k={token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, host.parse().unwrap());
        h
    }

    #[test]
    fn localhost_is_replaced_by_the_lan_address_only_when_known() {
        let lan = LinkBase {
            public_url: None,
            lan_url: Some("http://192.168.1.5:8080".into()),
        };
        assert_eq!(lan.for_request(&headers("localhost:8080")), "http://192.168.1.5:8080");
        assert_eq!(lan.for_request(&headers("127.0.0.1:8080")), "http://192.168.1.5:8080");
        assert_eq!(lan.for_request(&headers("10.0.0.2:8080")), "http://10.0.0.2:8080");
        let plain = LinkBase::default();
        assert_eq!(plain.for_request(&headers("127.0.0.1:9")), "http://127.0.0.1:9");
        let public = LinkBase {
            public_url: Some("https://bbh.example".into()),
            lan_url: None,
        };
        assert_eq!(public.for_request(&headers("x")), "https://bbh.example");
    }
}
