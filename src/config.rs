//! Validated settings shared by the pipeline stages.

use ipnet::IpNet;
use std::net::IpAddr;

/// The internal address ranges (`--internal`), with the IPv4 ones also as
/// (network, mask) pairs and a table by first octet: the check runs twice
/// per record, and most external addresses are settled by their first
/// octet alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Networks {
    nets: Vec<IpNet>,
    v4: Vec<(u32, u32)>,
    /// Per first octet of an IPv4 address: [`NONE`], [`ALL`] or [`SOME`].
    first: [u8; 256],
}

/// No range meets the first octet's /8.
const NONE: u8 = 0;
/// One range holds the whole /8.
const ALL: u8 = 1;
/// Ranges cover part of the /8: check them.
const SOME: u8 = 2;

impl Networks {
    fn new(nets: Vec<IpNet>) -> Networks {
        let v4: Vec<(u32, u32)> = nets
            .iter()
            .filter_map(|n| match n {
                IpNet::V4(n) => Some((u32::from(n.network()), u32::from(n.netmask()))),
                IpNet::V6(_) => None,
            })
            .collect();
        let mut first = [NONE; 256];
        for (octet, state) in first.iter_mut().enumerate() {
            let block = (octet as u32) << 24;
            for &(net, mask) in &v4 {
                // The range meets the /8 when they agree on the bits both
                // fix, and holds it whole when it fixes at most 8 bits.
                let both = mask & 0xff00_0000;
                if block & both == net & both {
                    if mask & 0x00ff_ffff == 0 {
                        *state = ALL;
                        break;
                    }
                    *state = SOME;
                }
            }
        }
        Networks { nets, v4, first }
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
                match self.first.get((a >> 24) as usize) {
                    Some(&NONE) => false,
                    Some(&ALL) => true,
                    _ => self.v4.iter().any(|&(net, mask)| a & mask == net),
                }
            }
            None => self.nets.iter().any(|n| n.contains(ip)),
        }
    }

    pub fn ranges(&self) -> &[IpNet] {
        &self.nets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_octet_table_agrees_with_the_ranges() {
        let lists = [
            DEFAULT_INTERNAL.join(","),
            "0.0.0.0/0".to_string(),
            "10.0.0.0/7,172.16.5.0/24,200.1.2.3,64.0.0.0/2,::ffff:0:0/96".to_string(),
            "192.168.1.0/24,192.0.0.0/8,10.1.0.0/16".to_string(),
        ];
        let mut rng = crate::synth::rng::Rng::new(1);
        for list in &lists {
            let nets = Networks::parse(list).expect("valid list");
            for _ in 0..20_000 {
                let first = *rng.pick(&[0u8, 9, 10, 11, 63, 64, 100, 127, 128, 169, 172, 192, 200, 255]);
                let a = u32::from(first) << 24 | (rng.next_u64() as u32 & 0x00ff_ffff);
                let ip = IpAddr::V4(a.into());
                let want = nets.ranges().iter().any(|n| n.contains(&ip));
                assert_eq!(nets.contains(&ip), want, "{ip} in {list}");
            }
        }
    }
}
