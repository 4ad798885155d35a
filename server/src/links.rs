//! The absolute links handed out for a meeting.
//!
//! The base is `--public-url` when set. Otherwise it is the address the request
//! came in on — except that a request to `localhost` on a server listening on
//! all interfaces gets the LAN address instead: the organiser often opens the
//! page on the laptop that runs the server, and a QR code pointing at
//! `localhost` would send every phone to itself.
//!
//! The `Host` header is the client's word, so it is used only when it names
//! this server: a loopback address or `localhost`, or one of this machine's own
//! addresses. Anything else (`Host: evil.example`) gets the server's own
//! address instead, so no one on the Wi-Fi can make the server hand out a QR
//! code that points elsewhere.

use axum::http::{header, HeaderMap};
use babahui_shared::MeetingId;

/// How links are built for this server.
#[derive(Debug, Clone, Default)]
pub struct LinkBase {
    /// `--public-url`, without a trailing slash.
    pub public_url: Option<String>,
    /// `http://<lan-ip>:<port>` when listening on all interfaces.
    pub lan_url: Option<String>,
    /// This machine's own addresses: a `Host` naming one of them is trusted.
    pub own_ips: Vec<std::net::IpAddr>,
    /// The address to use when the `Host` cannot be trusted and there is no
    /// LAN address (`http://<listening address>`).
    pub listen_url: Option<String>,
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
        let fallback = || {
            self.lan_url
                .clone()
                .or_else(|| self.listen_url.clone())
                .unwrap_or_else(|| "http://localhost".to_owned())
        };
        if is_loopback_host(host) {
            return self.lan_url.clone().unwrap_or_else(|| format!("http://{host}"));
        }
        match host_ip(host) {
            Some(ip) if self.own_ips.contains(&ip) => format!("http://{host}"),
            _ => fallback(),
        }
    }
}

/// The IP address a `Host` header names (`10.0.0.2:8080`, `[fe80::1]:80`), if it is one.
fn host_ip(host: &str) -> Option<std::net::IpAddr> {
    if let Ok(sock) = host.parse::<std::net::SocketAddr>() {
        return Some(sock.ip());
    }
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
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
            lan_url: Some("http://192.168.1.5:8080".into()),
            own_ips: vec!["192.168.1.5".parse().unwrap(), "10.0.0.2".parse().unwrap()],
            ..LinkBase::default()
        };
        assert_eq!(lan.for_request(&headers("localhost:8080")), "http://192.168.1.5:8080");
        assert_eq!(lan.for_request(&headers("127.0.0.1:8080")), "http://192.168.1.5:8080");
        assert_eq!(lan.for_request(&headers("10.0.0.2:8080")), "http://10.0.0.2:8080");
        let plain = LinkBase::default();
        assert_eq!(plain.for_request(&headers("127.0.0.1:9")), "http://127.0.0.1:9");
        let public = LinkBase {
            public_url: Some("https://bbh.example".into()),
            ..LinkBase::default()
        };
        assert_eq!(public.for_request(&headers("x")), "https://bbh.example");
    }

    #[test]
    fn a_host_that_is_not_this_server_is_not_handed_out() {
        let lan = LinkBase {
            lan_url: Some("http://192.168.1.5:8080".into()),
            own_ips: vec!["192.168.1.5".parse().unwrap()],
            ..LinkBase::default()
        };
        for forged in ["evil.example", "evil.example:8080", "6.6.6.6:8080", "[2001:db8::1]:80"] {
            assert_eq!(lan.for_request(&headers(forged)), "http://192.168.1.5:8080", "{forged}");
        }
        let bound = LinkBase {
            listen_url: Some("http://192.168.1.5:8080".into()),
            ..LinkBase::default()
        };
        assert_eq!(bound.for_request(&headers("evil.example")), "http://192.168.1.5:8080");
        assert_eq!(
            LinkBase::default().for_request(&headers("evil.example")),
            "http://localhost"
        );
    }
}
