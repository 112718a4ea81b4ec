//! Splitting request URLs and `host:port` targets without allocating.

use crate::record::Scheme;

/// The parts of a URL seam needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UrlParts<'a> {
    pub scheme: Scheme,
    /// Host without brackets, port or trailing dot; empty when the URL has none.
    pub host: &'a [u8],
    pub port: Option<u16>,
    /// True when the URL has a `?query`.
    pub query: bool,
    /// True when the authority carries `user[:password]@`.
    pub userinfo: bool,
}

/// Splits `scheme://[user@]host[:port]/path?query`. A URL without `://` is
/// taken as `host[:port][/path]` (what proxies log for CONNECT and for some
/// malformed requests); a bare path (`/index.html`) has no host.
pub fn split_url(u: &[u8]) -> UrlParts<'_> {
    let (scheme, rest) = match crate::formats::find(u, b"://") {
        Some(i) if i <= 10 => (Scheme::parse(u.get(..i).unwrap_or_default()), u.get(i + 3..).unwrap_or_default()),
        _ => (Scheme::None, u),
    };
    if rest.first() == Some(&b'/') || rest.first() == Some(&b'*') {
        return UrlParts {
            scheme,
            query: super::find_byte(b'?', rest).is_some(),
            ..UrlParts::default()
        };
    }
    let end = rest.iter().position(|&c| matches!(c, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or_default();
    let tail = rest.get(end..).unwrap_or_default();
    let query = tail.iter().take_while(|&&c| c != b'#').any(|&c| c == b'?');
    let (userinfo, hostport) = match authority.iter().rposition(|&c| c == b'@') {
        Some(i) => (true, authority.get(i + 1..).unwrap_or_default()),
        None => (false, authority),
    };
    let (host, port) = split_host_port(hostport);
    UrlParts {
        scheme,
        host,
        port: port.or(scheme.default_port()),
        query,
        userinfo,
    }
}

/// Splits `host:port`, `[v6]:port`, `host`, or a bare IPv6 address.
pub fn split_host_port(hp: &[u8]) -> (&[u8], Option<u16>) {
    split_host_port_at(hp, super::find_byte(b':', hp))
}

/// [`split_host_port`] for a caller that has already looked for the first
/// colon of `hp` (`colon`).
#[inline]
pub fn split_host_port_at(hp: &[u8], colon: Option<usize>) -> (&[u8], Option<u16>) {
    if let Some(inner) = hp.strip_prefix(b"[") {
        return match memchr::memchr(b']', inner) {
            Some(i) => {
                let host = inner.get(..i).unwrap_or_default();
                let port = inner
                    .get(i + 1..)
                    .and_then(|p| p.strip_prefix(b":"))
                    .and_then(crate::time::parse_u16);
                (host, port)
            }
            None => (inner, None),
        };
    }
    // The first colon, and no other after it (more than one colon and no
    // brackets: a bare IPv6 address). The port is short, so the second
    // search is cheaper than a scan back from the end.
    match colon {
        Some(i) if hp.get(i + 1..).is_some_and(|p| !p.contains(&b':')) => {
            let host = hp.get(..i).unwrap_or_default();
            let port = hp.get(i + 1..).and_then(crate::time::parse_u16);
            (strip_dot(host), port)
        }
        _ => (strip_dot(hp), None),
    }
}

fn strip_dot(h: &[u8]) -> &[u8] {
    h.strip_suffix(b".").unwrap_or(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_split_at_the_only_colon() {
        // The rule as first written: split where the last colon is also the first.
        fn by_last_colon(hp: &[u8]) -> (&[u8], Option<u16>) {
            if hp.starts_with(b"[") {
                return split_host_port(hp);
            }
            match hp.iter().rposition(|&c| c == b':') {
                Some(i) if hp.iter().position(|&c| c == b':') == Some(i) => (strip_dot(&hp[..i]), crate::time::parse_u16(&hp[i + 1..])),
                _ => (strip_dot(hp), None),
            }
        }
        let pieces: &[&[u8]] = &[b"a", b"1", b":", b"443", b".", b"::", b"99999", b"-", &[b'h'; 30]];
        let mut rng = crate::synth::rng::Rng::new(4);
        for _ in 0..20_000 {
            let hp = crate::formats::random_text(&mut rng, pieces, 8);
            assert_eq!(split_host_port(&hp), by_last_colon(&hp), "{:?}", String::from_utf8_lossy(&hp));
        }
    }

    #[test]
    fn full_url() {
        let p = split_url(b"https://User:pw@API.Example.com:8443/v1/x?token=abc#frag");
        assert_eq!(p.scheme, Scheme::Https);
        assert_eq!(p.host, b"API.Example.com");
        assert_eq!(p.port, Some(8443));
        assert!(p.query && p.userinfo);
    }

    #[test]
    fn implicit_ports_and_paths() {
        assert_eq!(split_url(b"http://h/").port, Some(80));
        assert_eq!(split_url(b"https://h").port, Some(443));
        let p = split_url(b"/index.html?a=1");
        assert!(p.host.is_empty() && p.query);
        assert!(!split_url(b"http://h/p#x?y").query);
    }

    #[test]
    fn connect_targets() {
        assert_eq!(split_host_port(b"api.hubapi.com:443"), (&b"api.hubapi.com"[..], Some(443)));
        assert_eq!(split_host_port(b"[2001:db8::1]:8443"), (&b"2001:db8::1"[..], Some(8443)));
        assert_eq!(split_host_port(b"2001:db8::1"), (&b"2001:db8::1"[..], None));
        assert_eq!(split_host_port(b"host.example."), (&b"host.example"[..], None));
    }
}
