//! Validated settings shared by the pipeline stages.

use ipnet::IpNet;
use std::net::IpAddr;

/// The internal address ranges (`--internal`), with the IPv4 ones also as
/// (network, mask) pairs: the check runs twice per record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Networks(Vec<IpNet>, Vec<(u32, u32)>);

impl Networks {
    fn new(nets: Vec<IpNet>) -> Networks {
        let v4 = nets
            .iter()
            .filter_map(|n| match n {
                IpNet::V4(n) => Some((u32::from(n.network()), u32::from(n.netmask()))),
                IpNet::V6(_) => None,
            })
            .collect();
        Networks(nets, v4)
    }
}

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
        Networks::new(DEFAULT_INTERNAL.iter().filter_map(|s| s.parse().ok()).collect())
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
        Ok(Networks::new(v))
    }

    #[inline]
    pub fn contains(&self, ip: &IpAddr) -> bool {
        let v4 = match ip {
            IpAddr::V4(v4) => Some(*v4),
            IpAddr::V6(v6) => v6.to_ipv4_mapped(),
        };
        match v4 {
            Some(v4) => {
                let a = u32::from(v4);
                self.1.iter().any(|&(net, mask)| a & mask == net)
            }
            None => self.0.iter().any(|n| n.contains(ip)),
        }
    }

    pub fn ranges(&self) -> &[IpNet] {
        &self.0
    }
}
