//! The client's address behind a reverse proxy. Sign-in throttling, session records and token
//! use read the peer address from axum's `ConnectInfo`. Behind nginx that address is the
//! proxy's, so every person would share one throttle. When the peer is a trusted proxy
//! (`IPSOLIS_TRUSTED_PROXIES`), this layer replaces it with the address the proxy saw, taken
//! from `X-Forwarded-For`. Headers from any other peer are ignored, because anyone can send them.

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The networks whose connections may name the client in `X-Forwarded-For`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and networks, such as
    /// `127.0.0.1, 10.0.0.0/8, ::1`.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        let mut networks = Vec::new();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let network = match word.parse::<IpNet>() {
                Ok(network) => network,
                Err(_) => word
                    .parse::<IpAddr>()
                    .map(IpNet::from)
                    .map_err(|_| format!("{word:?} is neither an IP address nor a network"))?,
            };
            networks.push(network);
        }
        Ok(TrustedProxies(Arc::new(networks)))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|network| network.contains(&address))
    }

    /// Returns the client address for a connection from `peer`: the right-most address in
    /// `X-Forwarded-For` that is not itself a trusted proxy, or `peer` when the peer is not
    /// trusted or the header is missing or malformed.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut hops = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            let Ok(text) = value.to_str() else {
                return peer;
            };
            for hop in text.split(',').map(str::trim) {
                match hop.parse::<IpAddr>() {
                    Ok(address) => hops.push(address),
                    Err(_) => return peer,
                }
            }
        }
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        client
    }
}

/// Middleware that rewrites `ConnectInfo` to the client's address when a trusted proxy
/// forwarded the request.
pub async fn from_trusted_proxy(
    axum::extract::State(proxies): axum::extract::State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let client = proxies.client(peer.ip(), request.headers());
        if client != peer.ip() {
            let rewritten = SocketAddr::new(client, 0);
            request.extensions_mut().insert(ConnectInfo(rewritten));
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn client_ignores_header_from_untrusted_peer() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let forged = headers(&["203.0.113.9"]);
        assert_eq!(proxies.client(ip("192.0.2.1"), &forged), ip("192.0.2.1"));
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &forged), ip("10.0.0.1"));
    }

    #[test]
    fn client_is_right_most_untrusted_hop() {
        let proxies = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        // A client sent its own forged header; nginx appended the address it saw.
        let chain = headers(&["198.51.100.7, 203.0.113.9", "10.1.2.3"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &chain), ip("203.0.113.9"));
        let one = headers(&["203.0.113.9"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &one), ip("203.0.113.9"));
    }

    #[test]
    fn client_keeps_peer_on_bad_header() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &headers(&["not-an-address"])),
            ip("127.0.0.1")
        );
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        // Only trusted hops: the left-most one is as close to the client as the chain goes.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &headers(&["127.0.0.1"])),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn trust_matches_mapped_ipv4_peer() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();
        let peer = ip("::ffff:127.0.0.1");
        assert_eq!(
            proxies.client(peer, &headers(&["203.0.113.9"])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn parse_names_invalid_entry() {
        let error = TrustedProxies::parse("10.0.0.0/8, nginx").unwrap_err();
        assert!(error.contains("\"nginx\""), "{error}");
        assert!(TrustedProxies::parse(" , ").unwrap().is_empty());
    }
}
