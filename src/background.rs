//! Fleet background traffic: services that many internal hosts contact on
//! their own (updates, certificate checks, time sync, telemetry, antivirus,
//! CDNs). It is not an integration; findings get status `background`.
//!
//! Two signals, either suffices:
//! - the bundled catalogue `data/background.txt` (documented there, one
//!   group per kind of service), matched on the host name and its parent
//!   domains;
//! - prevalence: the share of internal sources in the scan that reach the
//!   destination (see [`Prevalence`]).

use ahash::AHashMap;
use std::sync::LazyLock;

/// The catalogue text, bundled into the binary.
pub const CATALOGUE: &str = include_str!("../data/background.txt");

/// One catalogue domain and the group it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub domain: &'static str,
    pub group: &'static str,
    pub description: &'static str,
}

static INDEX: LazyLock<AHashMap<&'static str, Entry>> = LazyLock::new(|| parse(CATALOGUE));

/// Parses catalogue text (`[group] description` headers, one domain a line).
pub fn parse(text: &'static str) -> AHashMap<&'static str, Entry> {
    let mut map = AHashMap::new();
    let (mut group, mut description) = ("", "");
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            if let Some((g, d)) = rest.split_once(']') {
                (group, description) = (g.trim(), d.trim());
            }
            continue;
        }
        map.insert(
            line,
            Entry {
                domain: line,
                group,
                description,
            },
        );
    }
    map
}

/// The catalogue entry a host name falls under (itself or a parent domain).
pub fn lookup(host: &str) -> Option<Entry> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let mut rest = host;
    loop {
        if let Some(e) = INDEX.get(rest) {
            return Some(*e);
        }
        match rest.split_once('.') {
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return None,
        }
    }
}

/// Number of catalogue domains (for the README and tests).
pub fn len() -> usize {
    INDEX.len()
}

/// Prevalence thresholds: a destination reached by at least `min_share` of
/// the internal sources, and by at least `min_sources` of them, is fleet
/// background.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prevalence {
    pub min_share: f64,
    pub min_sources: usize,
}

impl Default for Prevalence {
    fn default() -> Self {
        Prevalence {
            min_share: 0.25,
            min_sources: 5,
        }
    }
}

impl Prevalence {
    pub fn is_background(&self, sources: usize, total: usize) -> bool {
        sources >= self.min_sources && sources as f64 >= self.min_share * total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_parses_with_groups() {
        assert!(len() > 100);
        let e = lookup("v10.events.data.microsoft.com").unwrap();
        assert_eq!((e.domain, e.group), ("data.microsoft.com", "telemetry"));
        assert_eq!(lookup("ocsp.digicert.com").unwrap().group, "pki");
        assert_eq!(lookup("ctldl.windowsupdate.com.").unwrap().group, "os-update");
    }

    #[test]
    fn parents_match_but_lookalikes_and_clouds_do_not() {
        assert!(lookup("evilwindowsupdate.com").is_none());
        assert!(lookup("windowsupdate.com.attacker.example").is_none());
        assert!(lookup("mybucket.s3.amazonaws.com").is_none());
        assert!(lookup("api.example.com").is_none());
        assert!(lookup("com").is_none());
        assert!(lookup("").is_none());
    }

    #[test]
    fn every_group_has_a_description_and_domains_are_lower_case() {
        for e in INDEX.values() {
            assert!(!e.group.is_empty() && !e.description.is_empty(), "{e:?}");
            assert_eq!(e.domain, e.domain.to_ascii_lowercase());
            assert!(e.domain.contains('.'), "{e:?}");
        }
    }

    #[test]
    fn prevalence_needs_share_and_count() {
        let p = Prevalence::default();
        assert!(p.is_background(30, 45));
        assert!(!p.is_background(3, 45));
        assert!(!p.is_background(4, 8));
    }
}
