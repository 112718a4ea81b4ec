//! Validated settings shared by the pipeline stages.

use ipnet::IpNet;
use std::net::IpAddr;

/// The internal address ranges (`--internal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Networks(Vec<IpNet>);

/// RFC 1918, RFC 6598 (carrier-grade NAT), loopback, link-local, and IPv6
/// unique-local, link-local and loopback.
pub const DEFAULT_INTERNAL: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "fc00::/7",
    "fe80::/10",
    "::1/128",
];

impl Default for Networks {
    fn default() -> Self {
        Networks(DEFAULT_INTERNAL.iter().filter_map(|s| s.parse().ok()).collect())
    }
}

impl Networks {
    /// Parses a comma-separated CIDR list; a bare address counts as /32 or /128.
    pub fn parse(list: &str) -> Result<Networks, String> {
        let mut v = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = item
                .parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("'{item}' is not a CIDR range or IP address"))?;
            v.push(net);
        }
        if v.is_empty() {
            return Err("--internal needs at least one CIDR range".into());
        }
        Ok(Networks(v))
    }

    #[inline]
    pub fn contains(&self, ip: &IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(*ip),
            v4 => *v4,
        };
        self.0.iter().any(|n| n.contains(&ip))
    }

    pub fn ranges(&self) -> &[IpNet] {
        &self.0
    }
}
