//! WatchGuard Firebox (Fireware 11.x to 12.x) syslog: the classic traffic
//! line `firewall: msg_id="3000-0148" Allow 1-Trusted 0-External 60 tcp 20
//! 63 192.0.2.10 203.0.113.7 51000 443 offset 10 S ... (Outgoing-00)`, the
//! Traffic Monitor layout `Allow 192.0.2.10 203.0.113.7 https/tcp 51000 443
//! ... msg_id="3000-0151" ... sent_bytes="..." rcvd_bytes="..."`, proxy
//! lines with `op=`, `dstname=`, `arg=`, and the tab-separated key=value
//! layout `1.0|WatchGuard|XTM|12.8|30000148|src=...#011dst=...` that
//! relays write when they strip the `LEEF:` marker (full LEEF lines are
//! the `leef` format's; this parser reads them too when forced).
//!
//! Reference: Fireware Log Message Catalog and "Read a Log Message"
//! <https://www.watchguard.com/help/docs/help-center/en-US/Content/en-US/Fireware/logging/read_log-msg.html>.
//!
//! Records: firewall traffic messages (`3000-xxxx`: allowed and denied
//! packets, connection ends with byte counts), and proxy requests (HTTP
//! `1AFF`, HTTPS `2CFF`) that name the host (`dstname=`) or deny it.
//! Fireware logs a policy's connection at its start (`3000-0148`) and, when
//! "log for reports" is on, at its end with the byte counts (`3000-0151`);
//! both are records, so with both options on a connection counts twice.
//! Proxy inspection events, DNS proxy queries, authentication, VPN and DHCP
//! messages are ignored.

use super::common::{find, has, mdy_hms, undated, user, Tokens};
use super::kv::{pairs, pairs_sep};
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, text, Action, Proto, Record};
use crate::time::{parse_iso8601, parse_offset, parse_u16, parse_u64, TimeCtx};

pub struct WatchGuard;

impl Format for WatchGuard {
    fn name(&self) -> &'static str {
        "watchguard"
    }

    fn title(&self) -> &'static str {
        "WatchGuard Firebox (Fireware) syslog: traffic and proxy messages"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, Method, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"msg_id=\"") || (has(line, b"|WatchGuard|") && !has(line, b"LEEF:"))
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (hdr, msg) = syslog::split(line, ctx);
        let mut w = Wg::default();
        match find(msg, b"|WatchGuard|") {
            Some(i) => w.read_keyed(msg.get(i + 12..).unwrap_or_default()),
            None => w.read_classic(msg),
        }
        let keep = classify(&w)?;
        let host = w.dstname.filter(|h| !h.is_empty() && parse_ip(h).is_none());
        let mut rec = w.rec;
        rec.dst_host = host.map(text);
        if rec.src_ip.is_none() || rec.dst_ip.is_none() {
            return Err(LineError::Skipped("bad or missing source/destination"));
        }
        rec.action = match keep {
            Action::Unknown => Action::from_word(w.disp),
            a => a,
        };
        rec.time_ms = hdr
            .time_ms
            .or_else(|| w.dev_time.and_then(|t| dev_time(t, ctx)))
            .or_else(|| w.iso_time.and_then(|t| parse_iso8601(t, &ctx.zone)))
            .unwrap_or_else(|| undated(ctx));
        Ok(rec)
    }
}

#[derive(Default)]
struct Wg<'a> {
    rec: Record<'a>,
    /// Message id without the dash, `30000148`.
    id: [u8; 8],
    disp: &'a [u8],
    msg: &'a [u8],
    dstname: Option<&'a [u8]>,
    dev_time: Option<&'a [u8]>,
    iso_time: Option<&'a [u8]>,
}

impl<'a> Wg<'a> {
    fn set_id(&mut self, v: &[u8]) {
        let mut n = 0;
        for &c in v.iter().filter(|c| c.is_ascii_alphanumeric()) {
            if let Some(slot) = self.id.get_mut(n) {
                *slot = c.to_ascii_uppercase();
                n += 1;
            }
        }
    }

    /// One key=value pair, shared by both layouts.
    fn pair(&mut self, k: &'a [u8], v: &'a [u8]) {
        let rec = &mut self.rec;
        match k {
            b"msg_id" => self.set_id(v),
            b"disp" => self.disp = v,
            b"msg" => self.msg = v,
            b"src" | b"src_ip" => rec.src_ip = parse_ip(v).or(rec.src_ip),
            b"dst" | b"dst_ip" => rec.dst_ip = parse_ip(v).or(rec.dst_ip),
            b"srcPort" | b"src_port" => rec.src_port = parse_u16(v).or(rec.src_port),
            b"dstPort" | b"dst_port" => rec.dst_port = parse_u16(v).or(rec.dst_port),
            b"proto" => rec.proto = Proto::parse(v),
            b"sent_bytes" => rec.bytes_out = parse_u64(v),
            b"rcvd_bytes" => rec.bytes_in = parse_u64(v),
            b"src_user" | b"usrName" => rec.user = user(strip_auth_domain(v)),
            b"dstname" => self.dstname = Some(v),
            b"op" => rec.method = opt_text(v),
            b"arg" => {
                rec.url_query = memchr::memchr(b'?', v).is_some();
                rec.url = opt_text(v);
            }
            b"app_name" | b"app" => rec.service = opt_text(v),
            b"devTime" => self.dev_time = Some(v),
            _ => {}
        }
    }

    /// `1.0|WatchGuard|XTM|12.8.2|30000148|k=v<TAB or #011>k=v...` (after
    /// `|WatchGuard|`).
    fn read_keyed(&mut self, s: &'a [u8]) {
        let mut head = s.splitn(4, |&c| c == b'|');
        let _product = head.next();
        let _version = head.next();
        if let Some(id) = head.next() {
            self.set_id(id);
        }
        for (k, v) in pairs_sep(head.next().unwrap_or_default(), b'\t') {
            self.pair(k, v);
        }
    }

    /// The classic and Traffic Monitor layouts: positional fields, then
    /// `key="value"` pairs.
    fn read_classic(&mut self, msg: &'a [u8]) {
        for (k, v) in pairs(msg) {
            self.pair(k, v);
        }
        // Positional part: after `msg_id="..."` (syslog), or from the start
        // (Traffic Monitor); it begins with the disposition.
        let start = match find(msg, b"msg_id=\"") {
            Some(i) if !starts_with_disposition(msg) => {
                let v = msg.get(i + 8..).unwrap_or_default();
                v.get(memchr::memchr(b'"', v).map_or(v.len(), |q| q + 1)..).unwrap_or_default()
            }
            _ => msg,
        };
        self.positional(start);
        if let Some(i) = find(msg, b"(20") {
            let t = msg.get(i + 1..).unwrap_or_default();
            let end = memchr::memchr(b')', t).unwrap_or(t.len());
            self.iso_time = t.get(..end);
        }
    }

    fn positional(&mut self, s: &'a [u8]) {
        let mut it = Tokens(s);
        match it.next() {
            Some(d @ (b"Allow" | b"Deny")) => self.disp = d,
            _ => return,
        }
        let mut prev: [&[u8]; 8] = [&[]; 8];
        let mut last: Option<&[u8]> = None;
        for (n, t) in it.by_ref().take(12).enumerate() {
            if t.starts_with(b"(") || t.contains(&b'=') {
                return;
            }
            if let (Some(a), Some(ip)) = (last, parse_ip(t)) {
                if let Some(src) = parse_ip(a) {
                    self.rec.src_ip = Some(src);
                    self.rec.dst_ip = Some(ip);
                    break;
                }
            }
            if let Some(slot) = prev.get_mut(n % 8) {
                *slot = t;
            }
            last = Some(t);
        }
        if self.rec.dst_ip.is_none() {
            return;
        }
        // A protocol name before the addresses (`60 tcp 20 63 src dst`).
        if let Some(p) = prev
            .iter()
            .filter(|t| t.first().is_some_and(u8::is_ascii_alphabetic))
            .map(|t| Proto::parse(t))
            .find(|p| matches!(p, Proto::Tcp | Proto::Udp | Proto::Icmp))
        {
            self.rec.proto = p;
        }
        let mut next = it.next();
        // Traffic Monitor: `service/proto sport dport`.
        if let Some(svc) = next.filter(|t| t.contains(&b'/')) {
            let mut sp = svc.splitn(2, |&c| c == b'/');
            let name = sp.next().unwrap_or_default();
            self.rec.proto = Proto::parse(sp.next().unwrap_or_default());
            if self.rec.service.is_none() {
                self.rec.service = opt_text(name);
            }
            next = it.next();
        }
        if let Some(sport) = next.and_then(parse_u16) {
            self.rec.src_port = Some(sport);
            self.rec.dst_port = it.next().and_then(parse_u16);
        }
    }
}

fn starts_with_disposition(msg: &[u8]) -> bool {
    msg.starts_with(b"Allow ") || msg.starts_with(b"Deny ")
}

/// `john@example.com@radius` → `john@example.com` (the authentication
/// server suffix is not part of the account).
fn strip_auth_domain(v: &[u8]) -> &[u8] {
    match memchr::memrchr(b'@', v) {
        Some(i) if memchr::memchr(b'@', v) != Some(i) => v.get(..i).unwrap_or(v),
        _ => v,
    }
}

/// Whether the message is a record, and an action it implies.
fn classify(w: &Wg) -> Result<Action, LineError> {
    let id = &w.id;
    let msg = w.msg;
    if id.starts_with(b"3000") {
        return Ok(Action::Unknown);
    }
    if id.starts_with(b"1AFF") || id.starts_with(b"2CFF") {
        if msg.starts_with(b"ProxyDeny") || msg.starts_with(b"ProxyDrop") || msg.starts_with(b"ProxyBlock") {
            return Ok(Action::Denied);
        }
        if w.dstname.is_some() && (w.rec.method.is_some() || msg.ends_with(b"request")) {
            return Ok(Action::Unknown);
        }
        return Err(LineError::Ignored("proxy inspection event (its request is logged)"));
    }
    if id.starts_with(b"1DFF") {
        return Err(LineError::Ignored("DNS proxy query"));
    }
    if id == &[0u8; 8] && !w.disp.is_empty() {
        return Ok(Action::Unknown);
    }
    Err(LineError::Ignored("non-traffic message"))
}

/// LEEF `devTime=Oct 05 2026 00:15:02 +0200`.
fn dev_time(t: &[u8], ctx: &TimeCtx) -> Option<i64> {
    let (local, ms, n) = mdy_hms(t)?;
    let zone = t.get(n..).map(<[u8]>::trim_ascii).and_then(parse_offset);
    Some(match zone {
        Some(off) => (local - i64::from(off)) * 1000 + ms,
        None => super::common::local_ms(ctx, local, ms),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        WatchGuard.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn classic_packet_log() {
        let l = r#"<140>Oct  5 00:15:02 FW-1 801003EB8B2EF (2026-10-05T00:15:02) firewall: msg_id="3000-0148" Allow 1-Trusted 0-External 60 tcp 20 63 192.0.2.10 203.0.113.7 51000 443 offset 10 S 2982213793 win 2105 (Outgoing-proxy-00)"#;
        assert!(WatchGuard.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.src_ip, "192.0.2.10".parse().ok());
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
    }

    #[test]
    fn traffic_monitor_layout_with_byte_counts() {
        let r = p(r#"Allow 192.0.2.10 203.0.113.7 https/tcp 51000 443 1-Trusted 0-External Allowed (HTTPS-00) proc_id="firewall" rc="100" msg_id="3000-0151" src_ip_nat="198.51.100.1" duration="14" sent_pkts="10" rcvd_pkts="5" sent_bytes="564" rcvd_bytes="785" src_user="jdoe@example.com@AD""#).unwrap();
        assert_eq!((r.src_port, r.dst_port, r.proto), (Some(51000), Some(443), Proto::Tcp));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(564), Some(785)));
        assert_eq!(r.user.as_deref(), Some("jdoe@example.com"));
        assert_eq!(r.service.as_deref(), Some("https"));
    }

    #[test]
    fn stripped_leef_with_rsyslog_tab_escapes() {
        let r = p("1.0|WatchGuard|XTM|12.10.1|30000151|serial=80AB#011policy=DNS-00#011disp=Allow#011in_if=LAN - 10 Gbits#011src=192.0.2.10#011srcPort=52818#011dst=2001:db8::53#011dstPort=53#011proto=udp#011sent_bytes=69#011rcvd_bytes=185").unwrap();
        assert_eq!(r.dst_ip, "2001:db8::53".parse().ok());
        assert_eq!((r.dst_port, r.proto, r.action), (Some(53), Proto::Udp, Action::Allowed));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(69), Some(185)));
    }

    #[test]
    fn http_proxy_request_and_deny() {
        let r = p("1.0|WatchGuard|XTM|12.8|1AFF0024|policy=HTTPS-00\tdisp=Allow\tsrc=192.0.2.10\tsrcPort=52804\tdst=203.0.113.7\tdstPort=443\tproto=tcp\top=GET\tdstname=api.example.com\targ=/v1/items?id=2\tsent_bytes=604\trcvd_bytes=0\tmsg=HTTP request").unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!((r.method.as_deref(), r.url_query, r.action), (Some("GET"), true, Action::Allowed));
        let d = p("1.0|WatchGuard|XTM|12.8|1AFF0021|disp=Deny\tsrc=192.0.2.10\tsrcPort=52803\tdst=203.0.113.7\tdstPort=443\tproto=tcp\tdstname=www.example.net\targ=/\tmsg=ProxyDeny: HTTP Request categories").unwrap();
        assert_eq!(d.action, Action::Denied);
    }

    #[test]
    fn inspection_dns_and_auth_are_ignored() {
        for l in [
            "1.0|WatchGuard|XTM|12.8|2CFF0009|disp=Allow\tsrc=192.0.2.10\tsrcPort=1\tdst=203.0.113.7\tdstPort=443\tmsg=ProxyInspect: HTTPS content inspection",
            "1.0|WatchGuard|XTM|12.10|1DFF000F|disp=Allow#011src=192.0.2.10#011dst=198.51.100.53#011dstPort=53#011question=example.org#011msg=DNS request",
            "1.0|WatchGuard|XTM|12.10|3E000002|host_name=fw#011msg=SSL VPN user jdoe@example.com@radius from 198.51.100.9 logged in",
        ] {
            assert!(WatchGuard.sniff(l.as_bytes()));
            assert!(matches!(p(l), Err(LineError::Ignored(_))), "{l}");
        }
    }
}
