//! OpenBSD / FreeBSD pf packet logs as tcpdump prints them from the pflog
//! interface (`tcpdump -n -e -ttt -i pflog0`), read from a file or relayed
//! over syslog: `rule 2/(match) block in on em0: 192.0.2.7.51234 >
//! 198.51.100.2.443: S ...`, FreeBSD's `rule 5/0(match): pass out on em0:`,
//! with or without tcpdump's verbose `(tos ..., proto TCP (6), length 60)`
//! header.
//!
//! Reference: pflog(4) and pf.conf(5) "log"
//! <https://man.openbsd.org/pflog.4>, tcpdump(8) output format.
//!
//! pfSense and OPNsense write their pf log as `filterlog` CSV instead; that
//! is the `filterlog` format, and this parser hands such lines to it.
//! One record per logged packet: `pass` is Allowed, `block` Denied, other
//! rule actions (`match`) Unknown; `bytes_out` is the IP length when the
//! verbose header gives it.

use super::common::{find, has, local_ms, undated, ymd_hms, Tokens};
use super::filterlog::Filterlog;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{Action, Proto, Record};
use crate::time::{parse_u16, parse_u64, TimeCtx};
use std::net::IpAddr;

pub struct Pf;

impl Format for Pf {
    fn name(&self) -> &'static str {
        "pf"
    }

    fn title(&self) -> &'static str {
        "OpenBSD/FreeBSD pf log as printed by tcpdump from pflog (file or syslog)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, SrcPort, DstIp, DstPort, Proto, Action, BytesOut]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"rule ") && has(line, b"(match") && has(line, b" on ") && has(line, b" > ")
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let Some(r) = find(line, b"rule ") else {
            if Filterlog.sniff(line) {
                return Filterlog.parse(line, ctx);
            }
            return Err(LineError::Ignored("not a pf rule log line"));
        };
        let head = line.get(..r).unwrap_or_default();
        let rest = line.get(r + 5..).unwrap_or_default();
        let m = find(rest, b"(match)").ok_or(LineError::Skipped("no (match) after rule"))?;
        let mut rest = rest.get(m + 7..).unwrap_or_default();
        rest = rest.strip_prefix(b":").unwrap_or(rest).trim_ascii_start();
        // `-e` may add `[uid 0, pid 123]` before the action.
        if rest.first() == Some(&b'[') {
            let end = memchr::memchr(b']', rest).ok_or(LineError::Skipped("unclosed [ ]"))?;
            rest = rest.get(end + 1..).unwrap_or_default();
        }
        let mut toks = Tokens(rest);
        let action = match toks.next() {
            Some(b"pass") => Action::Allowed,
            Some(b"block") => Action::Denied,
            Some(_) => Action::Unknown,
            None => return Err(LineError::Skipped("truncated pf line")),
        };
        // `in on em0:` then the packet.
        let packet = loop {
            match toks.next() {
                Some(t) if t.ends_with(b":") => break toks.rest(),
                Some(_) => {}
                None => return Err(LineError::Skipped("no interface")),
            }
        };
        let (verbose, packet) = verbose_header(packet);
        let mut toks = Tokens(packet);
        let src = toks.next().ok_or(LineError::Skipped("no source"))?;
        if toks.next() != Some(b">") {
            return Err(LineError::Skipped("no 'src > dst'"));
        }
        let dst = toks.next().ok_or(LineError::Skipped("no destination"))?;
        let dst = dst.strip_suffix(b":").unwrap_or(dst);
        let (src_ip, src_port) = addr_port(src);
        let (dst_ip, dst_port) = addr_port(dst);
        if src_ip.is_none() || dst_ip.is_none() {
            return Err(LineError::Skipped("bad address"));
        }
        let body = toks.rest();
        let proto = verbose_proto(verbose).unwrap_or_else(|| body_proto(body, src_port.is_some()));
        Ok(Record {
            time_ms: time(line, head, ctx),
            src_ip,
            src_port,
            dst_ip,
            dst_port,
            proto,
            action,
            bytes_out: verbose_length(verbose),
            ..Record::default()
        })
    }
}

/// The time: a `2026-10-05 00:15:02.123` (`tcpdump -tttt`) or BSD stamp at
/// the start, or the syslog envelope's.
fn time(line: &[u8], head: &[u8], ctx: &TimeCtx) -> i64 {
    if let Some((local, ms, _)) = ymd_hms(syslog::strip_pri(head)) {
        return local_ms(ctx, local, ms);
    }
    syslog::split(line, ctx).0.time_ms.unwrap_or_else(|| undated(ctx))
}

/// Splits off tcpdump's verbose `(tos 0x0, ttl 64, ..., length 60)` header.
fn verbose_header(p: &[u8]) -> (&[u8], &[u8]) {
    let p = p.trim_ascii_start();
    if p.first() != Some(&b'(') {
        return (&[], p);
    }
    let mut depth = 0usize;
    for (i, &c) in p.iter().enumerate() {
        match c {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return (p.get(..=i).unwrap_or_default(), p.get(i + 1..).unwrap_or_default());
                }
            }
            _ => {}
        }
    }
    (&[], p)
}

fn verbose_proto(v: &[u8]) -> Option<Proto> {
    let i = find(v, b"proto ")?;
    let name = Tokens(v.get(i + 6..)?).next()?;
    Some(Proto::parse(name.strip_suffix(b",").unwrap_or(name)))
}

fn verbose_length(v: &[u8]) -> Option<u64> {
    let i = find(v, b"length ")?;
    let n = v.get(i + 7..)?;
    let end = n.iter().position(|c| !c.is_ascii_digit()).unwrap_or(n.len());
    parse_u64(n.get(..end)?)
}

/// Protocol from what tcpdump prints after `dst:`.
fn body_proto(body: &[u8], has_ports: bool) -> Proto {
    let first = Tokens(body).next().unwrap_or_default();
    if first.starts_with(b"icmp") || first.starts_with(b"ICMP") {
        Proto::Icmp
    } else if first == b"Flags"
        || first.eq_ignore_ascii_case(b"tcp")
        || (has_ports && !first.is_empty() && first.iter().all(|c| b"SFRPEWU.".contains(c)))
    {
        Proto::Tcp
    } else if first.starts_with(b"UDP") || first.eq_ignore_ascii_case(b"udp") {
        Proto::Udp
    } else {
        Proto::Unknown
    }
}

/// tcpdump's `address.port` (`192.0.2.7.51234`, `2001:db8::1.443`) or a
/// bare address.
fn addr_port(t: &[u8]) -> (Option<IpAddr>, Option<u16>) {
    if let Some(ip) = parse_ip(t) {
        return (Some(ip), None);
    }
    match memchr::memrchr(b'.', t) {
        Some(i) => (t.get(..i).and_then(parse_ip), t.get(i + 1..).and_then(parse_u16)),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Pf.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn openbsd_tcpdump_ttt_line() {
        let l = "Oct  5 00:15:02.148296 rule 0/(match) block in on em0: 198.51.100.5.36153 > 192.0.2.1.22: S 2049519380:2049519380(0) win 16384 <mss 1460,nop,nop,sackOK> (DF)";
        assert!(Pf.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.src_ip, "198.51.100.5".parse().ok());
        assert_eq!((r.src_port, r.dst_port), (Some(36153), Some(22)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Denied));
    }

    #[test]
    fn freebsd_syslog_with_verbose_header() {
        let r = p("<134>Oct  5 00:15:02 fw pf: 00:00:01.000 rule 54/0(match): pass out on em0: (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto UDP (17), length 76) 192.0.2.10.123 > 198.51.100.1.123: NTPv4, Client, length 48").unwrap();
        assert_eq!((r.proto, r.action, r.bytes_out), (Proto::Udp, Action::Allowed, Some(76)));
        assert_eq!(r.dst_port, Some(123));
    }

    #[test]
    fn ipv6_ports_and_icmp_without_ports() {
        let r = p("2026-10-05 00:15:02.5 rule 3/(match) [uid 0, pid 77] pass out on em0: 2001:db8::10.51234 > 2001:0db8:0000:0000:0000:0000:0000:0080.443: Flags [S], seq 1, length 0").unwrap();
        assert_eq!(r.dst_ip, "2001:db8::80".parse().ok());
        assert_eq!((r.src_port, r.dst_port, r.proto), (Some(51234), Some(443), Proto::Tcp));
        assert_eq!(r.time_ms % 1000, 500);
        let i = p("rule 1/(match) block in on em0: 198.51.100.5 > 192.0.2.1: icmp: echo request").unwrap();
        assert_eq!((i.proto, i.dst_port, i.action), (Proto::Icmp, None, Action::Denied));
    }

    #[test]
    fn filterlog_csv_goes_to_the_filterlog_reader() {
        let r = p("5,,,1000000103,igb0,match,block,in,4,0x0,,64,2345,0,DF,17,udp,72,192.0.2.10,198.51.100.53,5353,53,52").unwrap();
        assert_eq!((r.dst_port, r.action), (Some(53), Action::Denied));
        assert_eq!(
            p("Oct  5 00:15:02 fw pf: 192.0.2.1.1 > 192.0.2.2.2: [|tcp]"),
            Err(LineError::Ignored("not a pf rule log line"))
        );
        assert_eq!(
            p("rule 1/(match) block in on em0: garbage"),
            Err(LineError::Skipped("no 'src > dst'"))
        );
    }
}
