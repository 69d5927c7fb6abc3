//! Who the client is, for rate limits and lockouts. Only a connection from a
//! trusted proxy (`INTAKE_TRUSTED_PROXIES`) may name the client, and only in
//! the one header the proxy is configured to write (`INTAKE_CLIENT_IP_HEADER`):
//! nginx and ingress-nginx append to `X-Forwarded-For` but pass a client's own
//! `Forwarded` through untouched, so reading any header would let a client
//! choose its address and dodge every per-address limit.

use axum::http::HeaderMap;
use std::net::{IpAddr, Ipv6Addr};

/// The client address a request's limits apply to (see [`ClientIp::limit_key`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The address limits count against: an IPv6 client is its /64, the
    /// block one subscriber gets, so it cannot step through addresses.
    pub fn limit_key(self) -> IpAddr {
        match self.0 {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
            IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().expect("checked")),
            v4 => v4,
        }
    }
}

/// An address block, `10.0.0.0/8` or `::1/128` (a bare address is a block of one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Self> {
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a.parse::<IpAddr>().ok()?, Some(b.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Self { net: addr, bits })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), self.bits),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), self.bits),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (full, rest) = ((bits / 8) as usize, bits % 8);
    a[..full] == b[..full] && (rest == 0 || (a[full] ^ b[full]) >> (8 - rest) == 0)
}

/// The header trusted proxies name the client in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientIpHeader {
    /// `X-Forwarded-For`, appended to by each proxy (nginx, ingress-nginx, most load balancers).
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=…`, for proxies that append to it (Envoy, Traefik when configured).
    Forwarded,
    /// `X-Real-IP`: one address, set (never appended) by the proxy.
    XRealIp,
}

impl ClientIpHeader {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Some(Self::XForwardedFor),
            "forwarded" => Some(Self::Forwarded),
            "x-real-ip" => Some(Self::XRealIp),
            _ => None,
        }
    }
}

/// The client of a request that arrived from `peer`.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr], header: ClientIpHeader) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    // Each proxy appends the address it saw: read from the right, past our own proxies.
    let mut hops: Vec<IpAddr> = Vec::new();
    match header {
        ClientIpHeader::Forwarded => {
            for v in headers.get_all("forwarded") {
                let Ok(v) = v.to_str() else { continue };
                for element in v.split(',') {
                    for pair in element.split(';') {
                        if let Some((k, val)) = pair.trim().split_once('=')
                            && k.trim().eq_ignore_ascii_case("for")
                            && let Some(ip) = parse_forwarded_for(val)
                        {
                            hops.push(ip);
                        }
                    }
                }
            }
        }
        ClientIpHeader::XForwardedFor => {
            for v in headers.get_all("x-forwarded-for") {
                let Ok(v) = v.to_str() else { continue };
                hops.extend(v.split(',').filter_map(|s| s.trim().parse::<IpAddr>().ok()));
            }
        }
        ClientIpHeader::XRealIp => {
            // Set by the proxy, replacing whatever the client sent: only the last one counts.
            let last = headers.get_all("x-real-ip").iter().next_back();
            hops.extend(last.and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<IpAddr>().ok()));
        }
    }
    hops.into_iter().rev().find(|ip| !is_trusted(*ip)).unwrap_or(peer)
}

/// `for=192.0.2.1`, `for="[2001:db8::1]:4711"`, `for="192.0.2.1:80"`.
fn parse_forwarded_for(v: &str) -> Option<IpAddr> {
    let v = v.trim().trim_matches('"');
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    v.parse().ok().or_else(|| v.rsplit_once(':')?.0.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_trusted_proxies_may_name_the_client() {
        use ClientIpHeader::*;
        let proxies = [Cidr::parse("10.0.0.0/8").unwrap(), Cidr::parse("::1").unwrap()];
        let xff = headers(&[("x-forwarded-for", "203.0.113.9, 10.1.2.3")]);
        assert_eq!(resolve(ip("10.0.0.2"), &xff, &proxies, XForwardedFor), ip("203.0.113.9"));
        assert_eq!(resolve(ip("198.51.100.7"), &xff, &proxies, XForwardedFor), ip("198.51.100.7"));
        // A client's own forged entry sits left of the one our proxy added.
        let forged = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9")]);
        assert_eq!(resolve(ip("10.0.0.2"), &forged, &proxies, XForwardedFor), ip("203.0.113.9"));
        let fwd = headers(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")]);
        assert_eq!(resolve(ip("::1"), &fwd, &proxies, Forwarded), ip("2001:db8::7"));
        assert_eq!(resolve(ip("::1"), &headers(&[]), &proxies, Forwarded), ip("::1"));
        let real = headers(&[("x-real-ip", "203.0.113.5")]);
        assert_eq!(resolve(ip("10.0.0.2"), &real, &proxies, XRealIp), ip("203.0.113.5"));
    }

    #[test]
    fn a_header_the_proxy_does_not_write_is_ignored() {
        use ClientIpHeader::*;
        let proxies = [Cidr::parse("127.0.0.1").unwrap()];
        // nginx appended the real client to X-Forwarded-For and passed the client's own Forwarded through.
        let h = headers(&[("x-forwarded-for", "203.0.113.9"), ("forwarded", "for=198.51.100.1")]);
        assert_eq!(resolve(ip("127.0.0.1"), &h, &proxies, XForwardedFor), ip("203.0.113.9"));
        let only_forwarded = headers(&[("forwarded", "for=198.51.100.1")]);
        assert_eq!(resolve(ip("127.0.0.1"), &only_forwarded, &proxies, XForwardedFor), ip("127.0.0.1"));
        let only_xff = headers(&[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(resolve(ip("127.0.0.1"), &only_xff, &proxies, Forwarded), ip("127.0.0.1"));
        assert_eq!(resolve(ip("127.0.0.1"), &only_xff, &proxies, XRealIp), ip("127.0.0.1"));
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64() {
        let a = ClientIp("2001:db8:1:2:aaaa::1".parse().unwrap()).limit_key();
        let b = ClientIp("2001:db8:1:2:bbbb::9".parse().unwrap()).limit_key();
        assert_eq!(a, b);
        assert_ne!(a, ClientIp("2001:db8:1:3::1".parse().unwrap()).limit_key());
        assert_eq!(ClientIp("::ffff:192.0.2.1".parse().unwrap()).limit_key(), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn cidrs() {
        assert!(Cidr::parse("192.168.0.0/16").unwrap().contains("192.168.44.1".parse().unwrap()));
        assert!(!Cidr::parse("192.168.0.0/17").unwrap().contains("192.168.200.1".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("nonsense").is_none());
    }
}
