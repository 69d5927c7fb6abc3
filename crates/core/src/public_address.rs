//! Keeping webhooks outside: a delivery may go only to an address on the
//! public internet, never to the firm's own network (loopback, private,
//! link-local, unique-local, multicast, unspecified, shared or reserved
//! blocks, whether written as IPv4, IPv6 or IPv4 inside IPv6). Checked when
//! an endpoint is added and again at every connection, against the address
//! the name resolves to then, so a name that changes its answer (DNS
//! rebinding) cannot lead a delivery inside. `INTAKE_WEBHOOK_ALLOW_PRIVATE`
//! turns the check off, for a CRM on the firm's own network.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), often the inside of a cloud.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, the old 6to4 relay anycast, benchmarking, reserved for future use.
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 88 && c == 99)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // SIIT (::ffff:0:a.b.c.d) carries an IPv4 address too.
    if s[..6] == [0, 0, 0, 0, 0xffff, 0] {
        return is_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address inside.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return is_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    if s[0] == 0x2002 {
        return is_public_v4(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // The old IPv4-compatible form (::a.b.c.d), deprecated and never public.
        || s[..6] == [0, 0, 0, 0, 0, 0]
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1) // local-use NAT64 (64:ff9b:1::/48)
        || (s[0] == 0x2001 && s[1] == 0) // Teredo: a tunnel to anywhere
        || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
}

/// Why an endpoint is refused (completes "The URL …").
pub const REFUSED: &str = "points inside a private network (loopback, private, link-local or reserved addresses are \
                           refused; set INTAKE_WEBHOOK_ALLOW_PRIVATE=true for a CRM on the firm's own network)";

/// Checks every address `host` resolves to now (an address literal is its own answer).
pub async fn check_host(host: &url::Host<&str>, port: u16) -> Result<(), String> {
    let addrs: Vec<IpAddr> = match host {
        url::Host::Ipv4(v4) => vec![IpAddr::V4(*v4)],
        url::Host::Ipv6(v6) => vec![IpAddr::V6(*v6)],
        url::Host::Domain(name) => tokio::net::lookup_host((*name, port))
            .await
            .map_err(|_| format!("has a host name ({name}) that does not resolve"))?
            .map(|a| a.ip())
            .collect(),
    };
    if addrs.is_empty() || !addrs.into_iter().all(is_public) {
        return Err(REFUSED.into());
    }
    Ok(())
}

/// The webhook client's resolver: the system's answer, with every
/// non-public address removed; a name with none left fails to connect.
#[derive(Debug, Default)]
pub struct PublicOnly;

impl reqwest_client::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest_client::dns::Name) -> reqwest_client::dns::Resolving {
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(REFUSED.into());
            }
            Ok(Box::new(public.into_iter()) as reqwest_client::dns::Addrs)
        })
    }
}

/// The resolver to give the webhook client.
pub fn resolver() -> Arc<PublicOnly> {
    Arc::new(PublicOnly)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for inside in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
            "::ffff:0:127.0.0.1",
            "64:ff9b:1::a00:1",
            "2001:0:4136:e378::1",
            "192.88.99.1",
        ] {
            assert!(!public(inside), "{inside} must be refused");
        }
        for outside in
            ["93.184.215.14", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:1.1.1.1", "64:ff9b::101:101"]
        {
            assert!(public(outside), "{outside} is public");
        }
    }

    #[tokio::test]
    async fn names_are_checked_by_what_they_resolve_to() {
        assert!(check_host(&url::Host::Domain("localhost"), 80).await.is_err());
        assert!(check_host(&url::Host::Ipv4("10.0.0.1".parse().unwrap()), 80).await.is_err());
        assert!(check_host(&url::Host::Ipv6("::1".parse().unwrap()), 80).await.is_err());
        assert!(check_host(&url::Host::Ipv4("1.1.1.1".parse().unwrap()), 80).await.is_ok());
    }
}
