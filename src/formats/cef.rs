//! ArcSight Common Event Format (CEF 0 and 1), as firewalls and proxies send
//! it over syslog: `CEF:Version|Vendor|Product|Version|SignatureID|Name|
//! Severity|Extension`, with or without a syslog envelope.
//!
//! Reference: "Implementing ArcSight CEF", revision 25 (Micro Focus, 2017),
//! <https://www.microfocus.com/documentation/arcsight/arcsight-smartconnectors/pdfdoc/common-event-format-v25/common-event-format-v25.pdf>.
//!
//! The extension is `key=value` pairs separated by spaces; a value runs up
//! to the space before the next key and may hold spaces. Escapes: `\|` and
//! `\\` in the header, `\=`, `\\`, `\n`, `\r` in values. Standard keys feed
//! the record (`src`, `spt`, `dst`, `dpt`, `dhost`, `suser`, `out`, `in`,
//! `proto`, `act`, `request`, `requestClientApplication`, `requestMethod`,
//! `app`, and the times `start`, `rt`, `end` in epoch ms or
//! `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]`, zone from `dtz` when the stamp has
//! none). Vendor keys and which events are traffic come from the tables in
//! [`super::siem`]: FortiGate (`FTNTFGT`/`FortinetFortiGate` keys; traffic
//! logs are records, UTM and event logs ignored), Palo Alto Networks
//! (TRAFFIC and URL logs), SonicWall, Check Point, Forcepoint NGFW.
//!
//! Quirks read as they occur: `CEF: 0` with a space; a header whose leading
//! `CEF:` was stripped (`0|Fortinet|...`); Check Point's extra empty header
//! field (`CEF:0||Check Point|...`); values wrapped over several lines.

use super::siem::{self, Event, Fields, Slot};
use super::{syslog, Field, Format, LineError, LineResult};
use crate::time::TimeCtx;

pub struct Cef;

impl Format for Cef {
    fn name(&self) -> &'static str {
        "cef"
    }

    fn title(&self) -> &'static str {
        "ArcSight CEF (generic; FortiGate, Palo Alto, SonicWall, Check Point, Forcepoint vendor keys)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        match crate::formats::find(line, b"CEF:") {
            Some(i) => line.get(i + 4..).is_some_and(|r| {
                let r = r.trim_ascii_start();
                r.first().is_some_and(u8::is_ascii_digit) && r.get(1) == Some(&b'|')
            }),
            None => stripped_header_start(line).is_some(),
        }
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        parse_line(line, ctx)
    }
}

/// Parses one CEF line (the entry point other formats delegate to).
pub fn parse_line<'a>(line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
    let (envelope, h) = split(line).ok_or(LineError::Skipped("not a CEF line"))?;
    let vendor = siem::vendor(h.vendor, h.product);
    let mut fields = Fields::default();
    for (k, v) in Extension::new(h.extension) {
        if let Some(s) = siem::slot(vendor, k, standard_key) {
            fields.set(s, v);
        }
    }
    let ev = Event {
        class: h.class,
        name: h.name,
        product: h.product,
    };
    fields.finish(vendor, &ev, envelope, ctx)
}

/// The standard CEF keys seam reads, short and full names.
fn standard_key(k: &[u8]) -> Option<Slot> {
    Some(match k {
        b"src" | b"sourceAddress" => Slot::Src,
        b"spt" | b"sourcePort" => Slot::SrcPort,
        b"dst" | b"destinationAddress" => Slot::Dst,
        b"dpt" | b"destinationPort" => Slot::DstPort,
        b"dhost" | b"destinationHostName" => Slot::DstHost,
        b"request" | b"requestUrl" => Slot::Url,
        b"suser" | b"sourceUserName" => Slot::User,
        b"out" | b"bytesOut" => Slot::BytesOut,
        b"in" | b"bytesIn" => Slot::BytesIn,
        b"proto" | b"transportProtocol" => Slot::Proto,
        b"act" | b"deviceAction" => Slot::Action,
        b"start" | b"startTime" => Slot::Start,
        b"rt" | b"receiptTime" | b"deviceReceiptTime" => Slot::Receipt,
        b"end" | b"endTime" => Slot::End,
        b"dtz" | b"deviceTimeZone" => Slot::Zone,
        b"requestClientApplication" => Slot::UserAgent,
        b"requestMethod" => Slot::Method,
        b"app" | b"applicationProtocol" => Slot::App,
        b"cat" | b"deviceEventCategory" => Slot::Category,
        _ => return None,
    })
}

/// The parts of a CEF header seam reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Header<'a> {
    pub vendor: &'a [u8],
    pub product: &'a [u8],
    pub class: &'a [u8],
    pub name: &'a [u8],
    pub extension: &'a [u8],
}

/// Where the header of a CEF line whose `CEF:` prefix was stripped starts
/// (`0|Fortinet|Fortigate|...`), after an optional syslog envelope: a
/// version digit, then at least six more `|` before the first `=`.
fn stripped_header_start(line: &[u8]) -> Option<usize> {
    let (_, msg) = syslog::split(line, &TimeCtx::default());
    let start = line.len().checked_sub(msg.len())?;
    match msg {
        [v, b'|', rest @ ..] if v.is_ascii_digit() => {
            let eq = memchr::memchr(b'=', rest).unwrap_or(rest.len());
            let pipes = memchr::memchr_iter(b'|', rest.get(..eq)?).count();
            (pipes >= 6).then_some(start)
        }
        _ => None,
    }
}

/// Splits a line into its envelope (what precedes the header) and header.
pub fn split(line: &[u8]) -> Option<(&[u8], Header<'_>)> {
    let (envelope, rest) = match crate::formats::find(line, b"CEF:") {
        Some(i) => (line.get(..i)?, line.get(i + 4..)?.trim_ascii_start()),
        None => {
            let s = stripped_header_start(line)?;
            (line.get(..s)?, line.get(s..)?)
        }
    };
    // Version, then six header fields (seven with Check Point's extra
    // one): the extension starts where the text before the next `|` holds a
    // `=` (extension values may hold `|`; header fields escape theirs).
    let mut f: [&[u8]; 7] = [b""; 7];
    let mut n = 0;
    let mut rest = rest;
    let (version, r) = next_field(rest)?;
    if version.trim_ascii().is_empty() || !version.trim_ascii().iter().all(u8::is_ascii_digit) {
        return None;
    }
    rest = r?;
    while n < 7 {
        let Some((field, r)) = next_field(rest) else { break };
        let Some(r) = r else { break };
        if n >= 6 && memchr::memchr(b'=', field).is_some() {
            break;
        }
        if let Some(slot) = f.get_mut(n) {
            *slot = field;
        }
        n += 1;
        rest = r;
    }
    if n < 6 {
        return None;
    }
    // Check Point's exporter writes an extra empty field after the version.
    let f = if n == 7 && f.first().is_some_and(|v| v.is_empty()) {
        f.get(1..)?
    } else {
        f.get(..)?
    };
    Some((
        envelope,
        Header {
            vendor: f.first().copied().unwrap_or_default(),
            product: f.get(1).copied().unwrap_or_default(),
            class: f.get(3).copied().unwrap_or_default(),
            name: f.get(4).copied().unwrap_or_default(),
            extension: rest,
        },
    ))
}

/// The next header field up to an unescaped `|`: (field, rest after the
/// pipe), rest `None` when there is no pipe.
fn next_field(s: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let mut i = 0;
    loop {
        match s.get(i..).and_then(|t| memchr::memchr2(b'|', b'\\', t)) {
            Some(off) => {
                let at = i + off;
                if s.get(at) == Some(&b'\\') {
                    i = at + 2;
                } else {
                    return Some((s.get(..at)?, s.get(at + 1..)));
                }
            }
            None => return Some((s, None)),
        }
    }
}

/// True for bytes a CEF key may hold (the specification allows letters and
/// digits; vendors add `_`, `.`, `-`, `:` and brackets).
#[inline]
fn key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b':' | b'[' | b']')
}

/// Iterates over the `key=value` pairs of an extension (also used for
/// space-separated LEEF attributes). Values are trimmed and still escaped.
pub struct Extension<'a> {
    rest: &'a [u8],
}

impl<'a> Extension<'a> {
    pub fn new(ext: &'a [u8]) -> Self {
        Extension { rest: ext }
    }
}

/// Index in `v` of the whitespace before the next key (`v.len()` when none):
/// a `key=` with an unescaped `=` whose key is preceded by whitespace.
fn value_end(v: &[u8]) -> usize {
    for e in memchr::memchr_iter(b'=', v) {
        let backslashes = v.get(..e).map_or(0, |b| b.iter().rev().take_while(|&&c| c == b'\\').count());
        if backslashes % 2 == 1 {
            continue;
        }
        let head = v.get(..e).unwrap_or_default();
        let key_len = head.iter().rev().take_while(|&&c| key_byte(c)).count();
        if key_len == 0 || key_len >= e {
            continue;
        }
        let ws = e - key_len - 1;
        if v.get(ws).is_some_and(u8::is_ascii_whitespace) {
            return ws;
        }
    }
    v.len()
}

impl<'a> Iterator for Extension<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let s = self.rest.trim_ascii_start();
            let eq = memchr::memchr(b'=', s)?;
            let raw_key = s.get(..eq)?;
            // Text before the first key that is not a key (a stray word)
            // is skipped: the key is the last word before `=`.
            let key = match raw_key.iter().rposition(u8::is_ascii_whitespace) {
                Some(i) => raw_key.get(i + 1..)?,
                None => raw_key,
            };
            let v = s.get(eq + 1..)?;
            let end = value_end(v);
            self.rest = v.get(end..).unwrap_or_default();
            if key.is_empty() || !key.iter().all(|&c| key_byte(c)) {
                continue;
            }
            return Some((key, v.get(..end)?.trim_ascii()));
        }
    }
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
        Cef.parse(l.as_bytes(), &ctx())
    }

    #[test]
    fn generic_firewall_event_with_syslog_envelope() {
        let r = p("<134>Oct  5 00:15:03 gw01 CEF:0|Acme|Edge Gateway|3.1|100|Connection allowed|3|rt=1790900102000 src=10.1.2.3 spt=51000 dst=203.0.113.7 dpt=443 proto=TCP act=allow suser=EXAMPLE\\\\svc_backup out=1200 in=5400 app=HTTPS").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-02T00:15:02Z");
        assert_eq!((r.src_ip, r.dst_ip), ("10.1.2.3".parse().ok(), "203.0.113.7".parse().ok()));
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!(r.user.as_deref(), Some("svc_backup"));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert_eq!(r.service.as_deref(), Some("HTTPS"));
    }

    #[test]
    fn values_keep_spaces_and_escaped_equals_and_pipes() {
        let e: Vec<_> = Extension::new(br"msg=a b\=c d cs2=http://x/ve?vn\=EICAR raw=Method\=GET|Agent\=x y= z=1").collect();
        assert_eq!(
            e,
            vec![
                (&b"msg"[..], &br"a b\=c d"[..]),
                (&b"cs2"[..], &br"http://x/ve?vn\=EICAR"[..]),
                (&b"raw"[..], &br"Method\=GET|Agent\=x"[..]),
                (&b"y"[..], &b""[..]),
                (&b"z"[..], &b"1"[..]),
            ]
        );
        // An `=` inside a value that does not follow a space is data.
        let e: Vec<_> = Extension::new(b"originsicname=CN=fw-1,O=mgmt.example sequencenum=103").collect();
        assert_eq!(e.first(), Some(&(&b"originsicname"[..], &b"CN=fw-1,O=mgmt.example"[..])));
    }

    #[test]
    fn proxy_request_gives_host_port_and_agent() {
        let r = p("CEF:0|Acme|Proxy|1.0|200|Request|1|start=Oct 05 2026 02:15:02 dtz=Europe/Paris src=10.0.0.5 spt=40000 dst=198.51.100.9 request=https://api.example.com/v1/items?key\\=abc requestMethod=GET requestClientApplication=curl/8.0 act=allowed").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!(r.dst_port, Some(443));
        assert!(r.url_query);
        assert_eq!(r.url.as_deref(), Some("https://api.example.com/v1/items?key=abc"));
        assert_eq!((r.method.as_deref(), r.user_agent.as_deref()), (Some("GET"), Some("curl/8.0")));
    }

    #[test]
    fn fortigate_traffic_is_a_record_and_utm_is_ignored() {
        let r = p("CEF:0|Fortinet|Fortigate|v7.2.8|00013|traffic:forward close|3|deviceExternalId=FGT60F FTNTFGTeventtime=1790900102123456789 FTNTFGTtz=+0200 FTNTFGTlogid=0000000013 cat=traffic:forward FTNTFGTsubtype=forward src=192.0.2.10 spt=50123 dst=203.0.113.20 dpt=443 proto=6 act=close duser=jdoe FTNTFGTapp=HTTPS.BROWSER app=HTTPS out=3652 in=146668").unwrap();
        assert_eq!(r.time_ms, 1_790_900_102_123);
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.service.as_deref(), Some("HTTPS.BROWSER"));
        assert_eq!((r.bytes_out, r.bytes_in, r.action), (Some(3652), Some(146668), Action::Allowed));
        assert_eq!(
            p("CEF:0|Fortinet|Fortigate|v7.2.8|08192|utm:virus infected blocked|4|FTNTFGTeventtime=1790900102 cat=utm:virus src=192.0.2.10 dst=203.0.113.20 act=blocked"),
            Err(LineError::Ignored("utm log (its session has a traffic log)"))
        );
        assert_eq!(
            p("CEF:0|Fortinet|Fortigate|v7.2.8|32102|event:system|7|FTNTFGTeventtime=1790900102 cat=event:system"),
            Err(LineError::Ignored("system event"))
        );
    }

    #[test]
    fn fortigate_header_without_cef_prefix_and_interim_deltas() {
        let line = "0|Fortinet|Fortigate|v7.2.10|00020|traffic:forward accept|3|FTNTFGTeventtime=1790900102 cat=traffic:forward src=192.0.2.10 spt=50000 dst=203.0.113.20 dpt=22 proto=6 act=accept out=9000 in=8000 FTNTFGTsentdelta=90 FTNTFGTrcvddelta=80 FTNTFGTunauthuser=example.com\\\\jdoe";
        assert!(Cef.sniff(line.as_bytes()));
        let r = p(line).unwrap();
        assert_eq!((r.bytes_out, r.bytes_in), (Some(90), Some(80)));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
    }

    #[test]
    fn palo_alto_traffic_and_url_records_other_types_ignored() {
        let t = p("CEF:0|Palo Alto Networks|PAN-OS|10.1|TRAFFIC|end|3|rt=Oct 05 2026 00:15:09 dtz=UTC start=Oct 05 2026 00:15:02 src=10.0.0.8 dst=198.51.100.4 spt=50000 dpt=443 proto=tcp act=allow suser=example\\\\svc out=100 in=200 app=ssl").unwrap();
        assert_eq!(rfc3339(t.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((t.bytes_out, t.bytes_in), (Some(100), Some(200)));
        let u = p("CEF:0|Palo Alto Networks|PAN-OS|10.1|THREAT|url|1|start=Oct 05 2026 00:15:02 src=10.0.0.8 dst=198.51.100.4 spt=50000 dpt=443 proto=tcp act=block-url request=\"files.example.net/upload\"").unwrap();
        assert_eq!(u.action, Action::Denied);
        assert_eq!(u.dst_host.as_deref(), Some("files.example.net"));
        assert_eq!(
            p("CEF:0|Palo Alto Networks|PAN-OS|10.1|THREAT|spyware|5|start=Oct 05 2026 00:15:02 src=10.0.0.8 dst=198.51.100.4"),
            Err(LineError::Ignored("non-traffic log type"))
        );
    }

    #[test]
    fn check_point_extra_header_field_and_wrapped_lines() {
        let r = p("CEF:0||Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act=Accept rt=1790900102000 spt=56688 dpt=443 suser=LASTNAME FIRSTNAME (U123)  \nsrc=10.3.3.3 dst=203.0.113.2 proto=6 tls_server_host_name=login.example.com").unwrap();
        assert_eq!(r.user.as_deref(), Some("LASTNAME FIRSTNAME (U123)"));
        assert_eq!(r.dst_host.as_deref(), Some("login.example.com"));
        assert_eq!(r.action, Action::Allowed);
        assert_eq!(
            p("CEF:0|Check Point|SmartDefense|Check Point|IPS|Some Protection|High|act=Detect rt=1790900102000 src=10.3.3.3 dst=203.0.113.2"),
            Err(LineError::Ignored("threat prevention log (its connection has a firewall log)"))
        );
    }

    #[test]
    fn sonicwall_quoted_values_and_protocol_with_service() {
        let r = p("CEF:0|SonicWall|NSa 2700|7.0.1|537|Connection Closed|4|rt=1790900102000 src=192.0.2.1 spt= 40000 dst=198.51.100.1 dpt=53 proto=udp/dns out=77 in=99 susr=\"example.com\\jdoe\" fw_action=\"NA\"").unwrap();
        assert_eq!((r.src_port, r.proto), (Some(40000), Proto::Udp));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.action, Action::Allowed);
        assert_eq!(
            p("CEF:0|SonicWall|NSa 2700|7.0.1|1154|Application Control Detection Alert|9|rt=1790900102000 src=192.0.2.1 dst=198.51.100.1"),
            Err(LineError::Ignored("alert on a session (its connection has its own log)"))
        );
    }

    #[test]
    fn alerts_without_connection_are_ignored_and_missing_time_is_skipped() {
        assert_eq!(
            p("CEF:0|Cybereason|Cybereason|1.0|5|Malop Connection Added|5|dst=203.0.113.3 dpt=443 rt=1790900102000"),
            Err(LineError::Ignored("endpoint detection alert"))
        );
        assert_eq!(
            p("CEF:0|Acme|Box|1|1|Login|3|suser=admin src=10.0.0.1 rt=1790900102000"),
            Err(LineError::Ignored("event without source and destination"))
        );
        assert_eq!(
            p("CEF:0|Forcepoint|Firewall|6.8|70018|Connection_Allowed|0|src=192.0.2.1 dst=203.0.113.4 spt=1 dpt=443"),
            Err(LineError::Skipped("no time stamp"))
        );
    }

    #[test]
    fn forcepoint_connection_events_take_action_from_the_name() {
        let r = p("CEF:0|FORCEPOINT|Firewall|6.8.5|70019|Connection_Discarded|0|src=192.0.2.1 dst=203.0.113.4 spt=138 dpt=138 proto=17 rt=Oct 05 2026 00:15:02").unwrap();
        assert_eq!((r.action, r.proto), (Action::Denied, Proto::Udp));
    }

    #[test]
    fn broken_headers_are_not_cef() {
        assert!(p("CEF:0|only|three").is_err());
        assert!(p("CEF:x|a|b|c|d|e|f|src=1").is_err());
        assert!(!Cef.sniff(b"1.0|WatchGuard|XTM|12|1|src=1"));
        assert!(!Cef.sniff(b"date=2026-10-05 time=00:15:02 type=traffic"));
        for l in [
            "CEF:",
            "CEF:0|",
            "CEF:0|||||||",
            "0|||||||=",
            "CEF:0|a|b|c|d|e|f|\\",
            "CEF:0|a|b|c|d|e|f|=x =y k=\\",
        ] {
            let _ = p(l);
            let _ = Cef.sniff(l.as_bytes());
        }
    }

    #[test]
    fn every_truncation_and_byte_flip_of_the_samples_is_safe() {
        for line in include_str!("../../testdata/formats/cef/sample.log").lines() {
            let b = line.as_bytes();
            for i in 0..=b.len() {
                let _ = Cef.parse(&b[..i], &ctx());
                let _ = Cef.sniff(&b[..i]);
                let mut m = b.to_vec();
                m[i.min(b.len().saturating_sub(1))] ^= 0x5a;
                let _ = Cef.parse(&m, &ctx());
            }
            assert!(Cef.sniff(b), "sample line not recognised: {line}");
        }
    }
}
