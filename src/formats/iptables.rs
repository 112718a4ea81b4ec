//! Linux netfilter packet logs (iptables/nftables `LOG` target, ufw,
//! firewalld, OpenWrt, Ubiquiti EdgeOS/UniFi), as the kernel writes them to
//! syslog: `[prefix]IN=eth0 OUT= MAC=... SRC=... DST=... LEN=... PROTO=TCP
//! SPT=... DPT=...`.
//!
//! Reference: the `LOG` target in iptables-extensions(8)
//! <https://ipset.netfilter.org/iptables-extensions.man.html#lbDI> and the
//! kernel's `nf_log_syslog.c` for the field layout.
//!
//! Each line is one packet, so a record is one packet: `bytes_out` is the
//! IP datagram length (`LEN=`). The action comes from the user's
//! `--log-prefix`: a word BLOCK, DROP, REJECT, DENY (or a past tense of
//! them) means Denied, ACCEPT, ALLOW, PASS, PERMIT means Allowed; EdgeOS
//! rule prefixes `[NAME-RULE-D]`/`-R]` are Denied and `-A]` Allowed. A prefix
//! that says neither (`FIREWALL_OUT`, no prefix) leaves the action Unknown:
//! the kernel does not log what the rule did next. A `[12345.678]` kernel
//! uptime stamp is not a wall-clock time and is ignored; the time comes from
//! the syslog envelope.

use super::common::{has, undated};
use super::kv::pairs;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{Action, Proto, Record};
use crate::time::{parse_u16, parse_u64, TimeCtx};

pub struct Iptables;

impl Format for Iptables {
    fn name(&self) -> &'static str {
        "iptables"
    }

    fn title(&self) -> &'static str {
        "Linux netfilter LOG lines (iptables, ufw, firewalld, OpenWrt, EdgeOS/UniFi)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, SrcPort, DstIp, DstPort, Proto, Action, BytesOut]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"IN=") && has(line, b"OUT=") && has(line, b"SRC=") && has(line, b"DST=")
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (hdr, msg) = syslog::split(line, ctx);
        let Some(at) = packet_start(msg) else {
            if has(msg, b"PROTO=") || has(msg, b"SPT=") {
                return Err(LineError::Skipped("truncated packet log (no IN=)"));
            }
            return Err(LineError::Ignored("not a packet log line"));
        };
        let prefix = msg.get(..at).unwrap_or_default();
        let fields = msg.get(at..).unwrap_or_default();
        // An ICMP error quotes the offending packet in brackets; its SRC/DST
        // and ports are not this packet's.
        let fields = match crate::formats::find(fields, b" [") {
            Some(i) => fields.get(..i).unwrap_or(fields),
            None => fields,
        };
        let mut rec = Record::default();
        let mut len = None;
        for (k, v) in pairs(fields) {
            match k {
                b"SRC" if rec.src_ip.is_none() => rec.src_ip = parse_ip(v),
                b"DST" if rec.dst_ip.is_none() => rec.dst_ip = parse_ip(v),
                // The first LEN is the IP length; UDP repeats its own.
                b"LEN" if len.is_none() => len = parse_u64(v),
                b"PROTO" => rec.proto = proto(v),
                b"SPT" => rec.src_port = parse_u16(v),
                b"DPT" => rec.dst_port = parse_u16(v),
                _ => {}
            }
        }
        if rec.src_ip.is_none() {
            return Err(LineError::Skipped("bad or missing SRC="));
        }
        rec.bytes_out = len;
        rec.time_ms = hdr.time_ms.unwrap_or_else(|| undated(ctx));
        let tag = if hdr.tag == b"kernel" { &b""[..] } else { hdr.tag };
        rec.action = match prefix_action(prefix) {
            Action::Unknown => prefix_action(tag),
            a => a,
        };
        Ok(rec)
    }
}

/// Where the `IN=` field starts: at the start of the message or after a
/// space or the closing bracket/parenthesis of a prefix (`[UFW BLOCK] IN=`,
/// `[WAN_LOCAL-default-D]IN=`, `DROP(src wan)IN=`).
fn packet_start(msg: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = msg.get(from..).and_then(|m| crate::formats::find(m, b"IN=")) {
        let at = from + i;
        let escaped = at >= 4 && msg.get(at - 4..at).is_some_and(|e| super::kv::escape_len(e) == 4);
        if at == 0 || escaped || matches!(msg.get(at - 1), Some(b' ' | b']' | b')' | b':' | b'\t')) {
            return Some(at);
        }
        from = at + 3;
    }
    None
}

fn proto(v: &[u8]) -> Proto {
    if v.eq_ignore_ascii_case(b"ICMPv6") {
        Proto::Icmp
    } else {
        Proto::parse(v)
    }
}

/// The action a log prefix names (see the module doc).
fn prefix_action(prefix: &[u8]) -> Action {
    if has(prefix, b"-D]") || has(prefix, b"-R]") {
        return Action::Denied;
    }
    if has(prefix, b"-A]") {
        return Action::Allowed;
    }
    const DENY: &[&[u8]] = &[
        b"block",
        b"blocked",
        b"drop",
        b"dropped",
        b"reject",
        b"rejected",
        b"deny",
        b"denied",
        b"discard",
    ];
    const ALLOW: &[&[u8]] = &[b"accept", b"accepted", b"allow", b"allowed", b"pass", b"permit", b"permitted"];
    let mut allowed = false;
    for w in prefix.split(|c| !c.is_ascii_alphanumeric()) {
        if DENY.iter().any(|d| w.eq_ignore_ascii_case(d)) {
            return Action::Denied;
        }
        allowed |= ALLOW.iter().any(|a| w.eq_ignore_ascii_case(a));
    }
    if allowed {
        Action::Allowed
    } else {
        Action::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Iptables.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn ufw_block_with_kernel_uptime_stamp() {
        let l = "Oct  5 00:15:02 host1 kernel: [ 3529.289825] [UFW BLOCK] IN=eth0 OUT= MAC=00:00:5e:00:53:01:00:00:5e:00:53:02:08:00 SRC=203.0.113.9 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=0 DF PROTO=TCP SPT=44321 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0";
        assert!(Iptables.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.src_ip, "203.0.113.9".parse().ok());
        assert_eq!(r.dst_ip, "192.0.2.10".parse().ok());
        assert_eq!((r.src_port, r.dst_port, r.bytes_out), (Some(44321), Some(22), Some(60)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Denied));
    }

    #[test]
    fn edgeos_rule_suffix_gives_the_action() {
        let a = p("Oct  5 00:15:02 er4 kernel: [WAN_LOCAL-default-D]IN=eth0 OUT= MAC=00:00:5e:00:53:01 SRC=198.51.100.4 DST=192.0.2.1 LEN=40 PROTO=TCP SPT=5000 DPT=23").unwrap();
        assert_eq!(a.action, Action::Denied);
        let b = p(
            "Oct  5 00:15:02 er4 kernel: [LAN_OUT-20-A]IN=eth1 OUT=eth0 SRC=192.0.2.20 DST=198.51.100.4 LEN=52 PROTO=TCP SPT=5000 DPT=443",
        )
        .unwrap();
        assert_eq!(b.action, Action::Allowed);
    }

    #[test]
    fn prefix_words_and_unknown_prefixes() {
        let deny = p("Oct  5 00:15:02 h kernel: SFW2-INext-DROP-DEFLT IN=eth0 OUT= SRC=198.51.100.4 DST=192.0.2.1 LEN=28 PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=2").unwrap();
        assert_eq!((deny.action, deny.proto, deny.dst_port), (Action::Denied, Proto::Icmp, None));
        let allow = p("LAN->WAN ACCEPT IN=eth1 OUT=eth0 SRC=192.0.2.20 DST=198.51.100.4 LEN=52 PROTO=TCP SPT=5000 DPT=80").unwrap();
        assert_eq!(allow.action, Action::Allowed);
        let unknown =
            p("Oct  5 00:15:02 h kernel: FIREWALL_OUT IN= OUT=eth0 SRC=192.0.2.20 DST=198.51.100.4 LEN=40 PROTO=TCP SPT=1 DPT=2").unwrap();
        assert_eq!(unknown.action, Action::Unknown);
        // A prefix that is also the syslog tag position ("DENY:").
        let tag = p("Oct  5 00:15:02 DENY: IN=eth0 OUT= SRC=198.51.100.4 DST=192.0.2.1 LEN=40 PROTO=TCP SPT=1 DPT=2").unwrap();
        assert_eq!(tag.action, Action::Denied);
    }

    #[test]
    fn icmp_error_quotes_another_packet() {
        let r = p("Oct  5 00:15:02 h kernel: DROP IN=eth0 OUT= SRC=192.0.2.7 DST=192.0.2.8 LEN=88 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.8 DST=198.51.100.9 LEN=60 PROTO=UDP SPT=21458 DPT=62936 LEN=40 ]").unwrap();
        assert_eq!(r.src_ip, "192.0.2.7".parse().ok());
        assert_eq!((r.src_port, r.dst_port, r.bytes_out, r.proto), (None, None, Some(88), Proto::Icmp));
    }

    #[test]
    fn ipv6_full_and_compressed() {
        let r = p("Oct  5 00:15:02 h kernel: [  307.757925] IN= OUT=eth0 SRC=2001:0db8:0000:0000:0000:0000:0000:0001 DST=2001:db8::2 LEN=96 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0").unwrap();
        assert_eq!(r.src_ip, "2001:db8::1".parse().ok());
        assert_eq!(r.dst_ip, "2001:db8::2".parse().ok());
        assert_eq!(r.proto, Proto::Icmp);
        let udp = p("IN=eth0 OUT= SRC=2001:db8::a DST=2001:db8::b LEN=72 PROTO=UDP SPT=546 DPT=547 LEN=32").unwrap();
        assert_eq!((udp.bytes_out, udp.dst_port), (Some(72), Some(547)));
    }

    #[test]
    fn rsyslog_escaped_tabs_separate_fields() {
        let r =
            p("Oct  5 00:15:02 h kernel: DROP IN=eth0#011OUT= SRC=198.51.100.4#011DST=192.0.2.1 LEN=40 PROTO=TCP#011SPT=1 DPT=2").unwrap();
        assert_eq!(r.dst_ip, "192.0.2.1".parse().ok());
        assert_eq!((r.src_port, r.proto), (Some(1), Proto::Tcp));
    }

    #[test]
    fn fragments_and_other_kernel_lines() {
        assert_eq!(
            p("Oct  5 00:15:02 gw user.info kernel: TTL=126 ID=1 DF PROTO=TCP SPT=1 DPT=443 WINDOW=8212"),
            Err(LineError::Skipped("truncated packet log (no IN=)"))
        );
        assert_eq!(
            p("Oct  5 00:15:02 gw kernel: eth0: link up"),
            Err(LineError::Ignored("not a packet log line"))
        );
        assert_eq!(
            p("IN=eth0 OUT= SRC=not-an-ip DST=192.0.2.1"),
            Err(LineError::Skipped("bad or missing SRC="))
        );
    }
}
