//! IBM QRadar Log Event Extended Format (LEEF 1.0 and 2.0), with or without
//! a syslog envelope: `LEEF:Version|Vendor|Product|Version|EventID|` then
//! `key=value` attributes separated by a tab (1.0), or by the delimiter that
//! LEEF 2.0 names in a sixth header field (a character, or hex as `x09`,
//! `0x5E`).
//!
//! Reference: IBM, "Log Event Extended Format (LEEF)", QRadar DSM
//! documentation, <https://www.ibm.com/docs/en/dsm?topic=overview-leef-event-components>.
//!
//! Standard keys read: `src`, `dst`, `srcPort`, `dstPort`, `usrName`,
//! `srcBytes`, `dstBytes`, `proto`, `action`, `url`, `userAgent`, `method`,
//! and the time `devTime`, read with `devTimeFormat` (Java
//! `SimpleDateFormat`) when given, else as epoch ms or `MMM dd yyyy
//! HH:mm:ss`. Vendor keys and which events are records come from
//! [`super::siem`] (WatchGuard Fireware, Forcepoint NGFW). Producers that
//! separate attributes with spaces instead of tabs, and syslog relays that
//! write the tab as `#011`, are read too.

use super::cef::Extension;
use super::siem::{self, Event, Fields, Slot};
use super::{Field, Format, LineError, LineResult};
use crate::time::TimeCtx;

pub struct Leef;

impl Format for Leef {
    fn name(&self) -> &'static str {
        "leef"
    }

    fn title(&self) -> &'static str {
        "IBM QRadar LEEF 1.0/2.0 (generic; WatchGuard, Forcepoint vendor keys)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        crate::formats::find(line, b"LEEF:").is_some_and(|i| {
            line.get(i + 5..)
                .is_some_and(|r| r.first().is_some_and(u8::is_ascii_digit) && memchr::memchr(b'|', r).is_some())
        })
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let i = crate::formats::find(line, b"LEEF:").ok_or(LineError::Skipped("not a LEEF line"))?;
        let envelope = line.get(..i).unwrap_or_default();
        let h = header(line.get(i + 5..).unwrap_or_default()).ok_or(LineError::Skipped("truncated LEEF header"))?;
        let vendor = siem::vendor(h.vendor, h.product);
        let mut fields = Fields::default();
        let mut add = |k: &[u8], v: &'a [u8]| {
            if let Some(s) = siem::slot(vendor, k, standard_key) {
                fields.set(s, v);
            }
        };
        match h.delimiter {
            Delimiter::Byte(d) => {
                for part in h.attributes.split(|&c| c == d) {
                    if let Some((k, v)) = pair(part) {
                        add(k, v);
                    }
                }
            }
            Delimiter::Relay => {
                let mut rest = h.attributes;
                loop {
                    let (part, next) = match crate::formats::find(rest, b"#011") {
                        Some(j) => (rest.get(..j).unwrap_or_default(), rest.get(j + 4..)),
                        None => (rest, None),
                    };
                    if let Some((k, v)) = pair(part) {
                        add(k, v);
                    }
                    match next {
                        Some(n) => rest = n,
                        None => break,
                    }
                }
            }
            Delimiter::Spaces => {
                for (k, v) in Extension::new(h.attributes) {
                    add(k, v);
                }
            }
        }
        let ev = Event {
            class: h.event_id,
            name: h.event_id,
            product: h.product,
        };
        fields.finish(vendor, &ev, envelope, ctx)
    }
}

/// The standard LEEF attributes seam reads (and common non-standard ones).
fn standard_key(k: &[u8]) -> Option<Slot> {
    Some(match k {
        b"src" => Slot::Src,
        b"srcPort" => Slot::SrcPort,
        b"dst" => Slot::Dst,
        b"dstPort" => Slot::DstPort,
        b"usrName" | b"accountName" => Slot::User,
        b"srcBytes" => Slot::BytesOut,
        b"dstBytes" => Slot::BytesIn,
        b"proto" => Slot::Proto,
        b"action" => Slot::Action,
        b"devTime" => Slot::DevTime,
        b"devTimeFormat" => Slot::TimeFormat,
        b"url" => Slot::Url,
        b"dhost" | b"dstHost" | b"domain" => Slot::DstHost,
        b"userAgent" | b"useragent" => Slot::UserAgent,
        b"method" | b"httpMethod" => Slot::Method,
        b"app" | b"application" => Slot::App,
        b"cat" => Slot::Category,
        _ => return None,
    })
}

/// How attributes are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delimiter {
    Byte(u8),
    /// The tab written as `#011` by a syslog relay.
    Relay,
    /// Spaces, as some producers write it (values may hold spaces; read
    /// like a CEF extension).
    Spaces,
}

#[derive(Debug, Clone, Copy)]
struct Header<'a> {
    vendor: &'a [u8],
    product: &'a [u8],
    event_id: &'a [u8],
    delimiter: Delimiter,
    attributes: &'a [u8],
}

/// Parses what follows `LEEF:`.
fn header(s: &[u8]) -> Option<Header<'_>> {
    let mut parts = s.splitn(6, |&c| c == b'|');
    let version = parts.next()?.trim_ascii();
    let vendor = parts.next()?;
    let product = parts.next()?;
    let _product_version = parts.next()?;
    let event_id = parts.next()?;
    let mut rest = parts.next().unwrap_or_default();
    let mut delimiter = None;
    if version.first() == Some(&b'2') {
        // LEEF 2.0: an optional delimiter field before the attributes.
        if let Some(p) = memchr::memchr(b'|', rest) {
            let spec = rest.get(..p).unwrap_or_default();
            if !spec.contains(&b'=') {
                delimiter = delimiter_spec(spec);
                rest = rest.get(p + 1..).unwrap_or_default();
            }
        }
    }
    let delimiter = delimiter.unwrap_or(if memchr::memchr(b'\t', rest).is_some() {
        Delimiter::Byte(b'\t')
    } else if crate::formats::find(rest, b"#011").is_some() {
        Delimiter::Relay
    } else {
        Delimiter::Spaces
    });
    Some(Header {
        vendor,
        product,
        event_id,
        delimiter,
        attributes: rest,
    })
}

/// A LEEF 2.0 delimiter field: one character, `\t`, or hex (`x09`, `0x09`).
fn delimiter_spec(spec: &[u8]) -> Option<Delimiter> {
    let hex = spec
        .strip_prefix(b"0x")
        .or_else(|| spec.strip_prefix(b"0X"))
        .or_else(|| spec.strip_prefix(b"x"))
        .or_else(|| spec.strip_prefix(b"X"));
    match (spec, hex) {
        (_, Some(h)) if (1..=2).contains(&h.len()) => {
            let v = u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()?;
            Some(Delimiter::Byte(v))
        }
        (b"\\t", _) => Some(Delimiter::Byte(b'\t')),
        ([c], _) => Some(Delimiter::Byte(*c)),
        _ => None,
    }
}

/// `key=value` → (key, value); `None` without `=` or with an empty key.
fn pair(part: &[u8]) -> Option<(&[u8], &[u8])> {
    let eq = memchr::memchr(b'=', part)?;
    let k = part.get(..eq)?.trim_ascii();
    let v = part.get(eq + 1..)?;
    (!k.is_empty()).then_some((k, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Action, Proto};
    use crate::time::rfc3339;

    fn ctx() -> TimeCtx {
        TimeCtx::utc(2026)
    }

    fn p(l: &str) -> LineResult<'_> {
        Leef.parse(l.as_bytes(), &ctx())
    }

    #[test]
    fn leef1_tab_separated_with_dev_time_format() {
        let r = p("<13>Oct  5 00:15:03 gw LEEF:1.0|Acme|Gateway|2.0|Allowed|devTimeFormat=MMM dd yyyy HH:mm:ss Z\tdevTime=Oct 05 2026 02:15:02 +0200\tsrc=10.0.0.4\tsrcPort=50000\tdst=203.0.113.9\tdstPort=443\tproto=TCP\tusrName=jdoe\tsrcBytes=10\tdstBytes=20\taction=allow").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port, r.proto), (Some(50000), Some(443), Proto::Tcp));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(10), Some(20)));
        assert_eq!((r.user.as_deref(), r.action), (Some("jdoe"), Action::Allowed));
    }

    #[test]
    fn leef2_named_delimiters_hex_and_caret() {
        let r = p("LEEF:2.0|Acme|Gateway|2.0|1|^|devTime=1790900102000^src=10.0.0.4^dst=203.0.113.9^dstPort=22").unwrap();
        assert_eq!((r.time_ms, r.dst_port), (1_790_900_102_000, Some(22)));
        let r = p("LEEF:2.0|Acme|Gateway|2.0|1|x7C|devTime=1790900102000|src=10.0.0.4|dst=203.0.113.9").unwrap();
        assert_eq!(r.dst_ip, "203.0.113.9".parse().ok());
        let r = p("LEEF:2.0|Acme|Gateway|2.0|1|devTime=1790900102000\tsrc=10.0.0.4\tdst=203.0.113.9").unwrap();
        assert_eq!(r.src_ip, "10.0.0.4".parse().ok());
    }

    #[test]
    fn relay_escaped_tabs_and_space_separated_attributes() {
        let r = p("LEEF:1.0|Acme|Gateway|2.0|1|devTime=1790900102000#011src=10.0.0.4#011dst=203.0.113.9#011msg=a b c").unwrap();
        assert_eq!(r.dst_ip, "203.0.113.9".parse().ok());
        let r = p("LEEF:1.0|Acme|Gateway|1.0|3003|devTime=Oct 05 2026 00:15:02.009 CEST src=10.0.0.4 dst=203.0.113.9 devTimeFormat=MMM dd yyyy HH:mm:ss.SSS z").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-04T22:15:02Z");
    }

    #[test]
    fn watchguard_disp_is_the_verdict_and_action_is_not() {
        let r = p("<140>Oct  5 00:15:02 fb LEEF:1.0|WatchGuard|XTM|12.8|1AFF0021|policy=HTTPS-00\tdisp=Deny\tsrc=10.0.1.22\tsrcPort=52803\tdst=203.0.113.5\tdstPort=443\tproto=tcp\top=GET\tdstname=www.example.com\targ=/\taction=HTTP-Client\tsent_bytes=604\trcvd_bytes=0\tsrc_user=jdoe@example.com").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.action, Action::Denied);
        assert_eq!(r.dst_host.as_deref(), Some("www.example.com"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(604), Some(0)));
        assert_eq!((r.method.as_deref(), r.user.as_deref()), (Some("GET"), Some("jdoe@example.com")));
        assert_eq!(
            p("LEEF:1.0|WatchGuard|XTM|12.8|16000066|serial=0\tmsg=DHCPREQUEST for 10.0.2.52"),
            Err(LineError::Ignored("event without source and destination"))
        );
    }

    #[test]
    fn forcepoint_connection_events_only() {
        let r = p("LEEF:1.0|Forcepoint|Firewall|7.1.5|Connection_Closed|devTimeFormat=MMM dd yyyy HH:mm:ss\tsrc=10.2.3.4\tdst=192.0.2.1\tsrcPort=63200\tdstPort=443\tproto=6\tdevTime=Oct 05 2026 00:15:02").unwrap();
        assert_eq!((r.action, r.proto), (Action::Allowed, Proto::Tcp));
        assert_eq!(
            p("LEEF:1.0|Forcepoint|Firewall|7.1.5|Generic|devTime=Oct 05 2026 00:15:02\tsrc=10.2.3.4\tdst=192.0.2.1"),
            Err(LineError::Ignored("non-connection event"))
        );
    }

    #[test]
    fn malformed_headers() {
        assert_eq!(p("LEEF:1.0|a|b"), Err(LineError::Skipped("truncated LEEF header")));
        assert!(!Leef.sniff(b"1.0|WatchGuard|XTM|12|1|src=1"));
        for l in [
            "LEEF:",
            "LEEF:2.0|||||",
            "LEEF:2.0|a|b|c|d|0x|",
            "LEEF:2.0|a|b|c|d|xZZ|src=1",
            "LEEF:1.0|a|b|c|d|#011#011=",
        ] {
            let _ = p(l);
        }
    }

    #[test]
    fn every_truncation_and_byte_flip_of_the_samples_is_safe() {
        for line in include_str!("../../testdata/formats/leef/sample.log").lines() {
            let b = line.as_bytes();
            for i in 0..=b.len() {
                let _ = Leef.parse(&b[..i], &ctx());
                let _ = Leef.sniff(&b[..i]);
                let mut m = b.to_vec();
                m[i.min(b.len().saturating_sub(1))] ^= 0x5a;
                let _ = Leef.parse(&m, &ctx());
            }
            assert!(Leef.sniff(b), "sample line not recognised: {line}");
        }
    }
}
