//! Barracuda CloudGen Firewall (formerly NG Firewall, 7.x to 9.x) logs as
//! the box writes and streams them: a severity column padded to nine
//! characters, the box name, then the service's message. The firewall
//! activity log is the traffic record, in its keyed layout
//! (`Block: type=FWD|proto=UDP|srcIF=eth0|srcIP=...|dstIP=...|...`) or its
//! positional one (`Allow: LOUT|UDP|eth0|192.0.2.10|61988|<mac>|...`); the
//! box log file adds a leading `2026 10 05 00:15:02 Security +01:00` stamp.
//!
//! Reference: "Firewall Activity Log"
//! <https://campus.barracuda.com/product/cloudgenfirewall/doc/79465001/firewall-activity-log/>.
//!
//! Fields: type|proto|srcIF|srcIP|srcPort|srcMAC|dstIP|dstPort|dstService|
//! dstIF|rule|info|srcNAT|dstNAT|duration|count|receivedBytes|sentBytes|
//! receivedPackets|sentPackets|user|protocol|application|target|content|urlcat.
//! `sentBytes` is what the source sent (`bytes_out`). An entry is written
//! when a session is allowed or blocked (`Allow`, `Block`, `Drop`, the
//! `Local...` forms for the box's own traffic); with session-state logging
//! on, a `Remove` entry follows when it ends, which is ignored so that a
//! session counts once. Every other box or service line (authentication,
//! configuration, events, IPS, watchdog, accounting) is ignored.

use super::common::{find, has, local_ms, undated, user, ymd_hms};
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, Action, Proto, Record};
use crate::time::{parse_offset, parse_u16, parse_u64, TimeCtx};

pub struct Barracuda;

/// Severity words of the nine-character column.
const SEVERITIES: &[&[u8]] = &[
    b"Info",
    b"Notice",
    b"Warning",
    b"Security",
    b"Error",
    b"Fatal",
    b"Panic",
    b"Debug",
    b"Alert",
    b"Critical",
];

impl Format for Barracuda {
    fn name(&self) -> &'static str {
        "barracuda"
    }

    fn title(&self) -> &'static str {
        "Barracuda CloudGen Firewall activity log (keyed or positional, file or syslog)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        (has(line, b"|srcIP=") && has(line, b"|dstIP="))
            || severity_column(syslog::strip_pri(line)).is_some()
            || severity_column(syslog::split(line, &TimeCtx::default()).1).is_some()
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let Some((action_word, fields)) = activity(line) else {
            return Err(LineError::Ignored("box or service log line"));
        };
        let action = match action_word.strip_prefix(b"Local").unwrap_or(action_word) {
            b"Allow" | b"Pass" | b"Redirect" => Action::Allowed,
            b"Block" | b"Drop" | b"Deny" | b"Fail" | b"Reject" => Action::Denied,
            b"Remove" => return Err(LineError::Ignored("session end (its start entry is the record)")),
            _ => Action::Unknown,
        };
        let mut f = Fields::new(fields);
        let mut rec = Record {
            action,
            ..Record::default()
        };
        rec.proto = Proto::parse(f.get(1, b"proto"));
        rec.src_ip = parse_ip(f.get(3, b"srcIP"));
        rec.src_port = parse_u16(f.get(4, b"srcPort"));
        rec.dst_ip = parse_ip(f.get(6, b"dstIP"));
        rec.dst_port = parse_u16(f.get(7, b"dstPort"));
        let service = f.get(8, b"dstService");
        rec.bytes_in = parse_u64(f.get(16, b"receivedBytes"));
        rec.bytes_out = parse_u64(f.get(17, b"sentBytes"));
        rec.user = user(f.get(20, b"user"));
        let app = f.get(22, b"application");
        rec.service = opt_text(if app.is_empty() { service } else { app });
        if rec.src_ip.is_none() || rec.dst_ip.is_none() {
            return Err(LineError::Skipped("bad or missing source/destination"));
        }
        rec.time_ms = time(line, ctx);
        Ok(rec)
    }
}

/// `Info     ` etc.: a known severity padded with spaces to nine characters,
/// then the box name. Returns what follows the column.
fn severity_column(s: &[u8]) -> Option<&[u8]> {
    let word = SEVERITIES.iter().find(|w| s.starts_with(w))?;
    let pad = s.get(word.len()..9)?;
    if !pad.iter().all(|&c| c == b' ') || s.get(9).is_none_or(|&c| c == b' ') {
        // `Security` is eight letters: one space; nothing is wider.
        return None;
    }
    s.get(9..)
}

/// The action word and the `|`-separated fields of an activity entry.
fn activity(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut from = 0;
    while let Some(i) = line.get(from..).and_then(|l| find(l, b": ")) {
        let at = from + i;
        let fields = line.get(at + 2..)?;
        let word_start = line.get(..at)?.iter().rposition(|&c| c == b' ').map_or(0, |p| p + 1);
        let word = line.get(word_start..at)?;
        let pipes = memchr::memchr_iter(b'|', fields).take(8).count();
        let first = fields.split(|&c| c == b'|').next().unwrap_or_default();
        let typed = first.starts_with(b"type=")
            || first == b"<cumulative>"
            || (!first.is_empty() && first.len() <= 6 && first.iter().all(u8::is_ascii_uppercase));
        if pipes >= 8 && typed && !word.is_empty() && word.iter().all(u8::is_ascii_alphabetic) {
            return Some((word, fields));
        }
        from = at + 2;
    }
    None
}

/// Field access by key (`srcIP=...`) in the keyed layout, by position in
/// the positional one.
struct Fields<'a> {
    all: &'a [u8],
    keyed: bool,
}

impl<'a> Fields<'a> {
    fn new(all: &'a [u8]) -> Self {
        Fields {
            all,
            keyed: all.starts_with(b"type="),
        }
    }

    fn get(&mut self, pos: usize, key: &[u8]) -> &'a [u8] {
        let mut it = self.all.split(|&c| c == b'|');
        if self.keyed {
            it.find_map(|kv| kv.strip_prefix(key).and_then(|r| r.strip_prefix(b"=")))
                .unwrap_or_default()
        } else {
            it.nth(pos).unwrap_or_default()
        }
    }
}

/// The box log file's `2026 10 05 00:15:02 Security +01:00` stamp, else the
/// syslog envelope's.
fn time(line: &[u8], ctx: &TimeCtx) -> i64 {
    let l = syslog::strip_pri(line);
    if let Some((local, ms, n)) = ymd_hms(l) {
        // `<stamp> <severity> <offset>`.
        let mut toks = super::common::Tokens(l.get(n..).unwrap_or_default());
        let _sev = toks.next();
        return match toks.next().and_then(parse_offset) {
            Some(off) => (local - i64::from(off)) * 1000 + ms,
            None => local_ms(ctx, local, ms),
        };
    }
    syslog::split(line, ctx).0.time_ms.unwrap_or_else(|| undated(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Barracuda.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn keyed_box_log_entry_with_offset() {
        let l = "2026 10 05 01:15:02 Security +01:00 Block: type=FWD|proto=UDP|srcIF=eth0|srcIP=192.0.2.10|srcPort=54915|srcMAC=00:00:5e:00:53:01|dstIP=198.51.100.255|dstPort=54915|dstService=|dstIF=|rule=BLOCKALL|info=Block by Rule|srcNAT=0.0.0.0|dstNAT=0.0.0.0|duration=0|count=1|receivedBytes=0|sentBytes=0|receivedPackets=0|sentPackets=0|user=|protocol=|application=|target=|content=|urlcat=";
        assert!(Barracuda.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port), (Some(54915), Some(54915)));
        assert_eq!((r.proto, r.action), (Proto::Udp, Action::Denied));
    }

    #[test]
    fn positional_stream_entry_with_bytes_and_user() {
        let l = "Info     fw-01 Allow: FWD|TCP|eth1|192.0.2.10|51000|00:00:5e:00:53:01|203.0.113.7|443|https||LAN-2-INTERNET|0|198.51.100.1|203.0.113.7|3000|1|5400|1200|12|10|jdoe|HTTPS|Office365||||";
        assert!(Barracuda.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!((r.action, r.proto), (Action::Allowed, Proto::Tcp));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.service.as_deref(), Some("Office365"));
        assert!(Barracuda.sniff(b"<134>Oct  5 00:15:02 fw-01 Security fw-01 LocalBlock: <cumulative>|UDP|eth0"));
        let v6 = p("<134>Oct  5 00:15:02 fw-01 Security fw-01 LocalBlock: <cumulative>|UDP|eth0|2001:db8::9|0|00:00:00:00:00:00|2001:0db8:0000:0000:0000:0000:0000:0001|811|||<no-match>|4003|||0|24|0|0|0|0||||||").unwrap();
        assert_eq!(v6.dst_ip, "2001:db8::1".parse().ok());
        assert_eq!((v6.action, rfc3339(v6.time_ms).as_str()), (Action::Denied, "2026-10-05T00:15:02Z"));
    }

    #[test]
    fn session_end_and_box_lines_are_ignored() {
        assert_eq!(
            p("Info     fw-01 Remove: FWD|TCP|eth1|192.0.2.10|51000|00:00:5e:00:53:01|203.0.113.7|443|https||R|0|||3000|1|5400|1200|12|10||||||"),
            Err(LineError::Ignored("session end (its start entry is the record)"))
        );
        for l in [
            "Info     fw-01 phibs: Authentication Login for peer=192.0.2.10 origin=DCCLIENT server=box user=jdoe",
            "Warning  fw-01 firewall: [Request] Allow:   IPS ALLIP(0) 198.51.100.9 -> 192.0.2.10:0 |[ID: 5000002 Port Scan]||3|Probing",
            "Info     fw-01 event: [1071065] Insert Event from 127.0.0.1:56405 - (D|3|boxfw|3|firewall|4015|192.0.2.10:443|fw-01|1740029102|TCP 198.51.100.9:80 (eth0) -> 192.0.2.10:443)",
            "Security fw-01 LOGIN ATTEMPT: Login from 198.51.100.9: Denied: Firewall Rule BLOCK",
        ] {
            assert!(Barracuda.sniff(l.as_bytes()), "{l}");
            assert!(matches!(p(l), Err(LineError::Ignored(_))), "{l}");
        }
        assert!(!Barracuda.sniff(b"Information about the service"));
    }
}
