//! Clavister cOS Core (NetWall, 11.x to 15.x) syslog: `[2026-10-05
//! 00:15:02] EFW: CONN: prio=1 id=00600002 rev=1 event=conn_close
//! action=close rule=lan_to_wan conn=close connipproto=TCP connrecvif=lan
//! connsrcip=192.0.2.10 connsrcport=51000 conndestif=wan
//! conndestip=203.0.113.7 conndestport=443 origsent=1200 termsent=5400`,
//! and the bracketed layout some collectors produce (`id=600002
//! event=conn_close action=close [message=...][rules rule=...][conn [conn
//! connsrcip=... origsent=4.52 K ...]]`).
//!
//! Reference: cOS Core Log Reference Guide
//! <https://docs.clavister.com/repo/cos-core-log-reference-guide/15.00/doc/>.
//!
//! cOS Core logs a connection when it opens (`conn_open`) and when it closes
//! (`conn_close`, with `origsent`/`termsent`: bytes sent by the originator
//! and by the terminator); the close is the record and the open is ignored,
//! so a connection counts once. Packets dropped or rejected by the rule set
//! or by state and protocol checks (`ruleset_drop_packet`,
//! `unexpected_tcp_flags`, `ttl_low`, ...) are Denied records; HTTP ALG URL
//! requests (`request_url`) are records naming the host. ALG, application
//! control, IPsec, user-authentication, ARP and system events are ignored,
//! as are packet events the firewall let through (flag stripping, option
//! adjustments). Byte counts may carry a unit (`4.52 K`, read as ×1000).

use super::common::{after, find, has, local_ms, scaled_bytes, undated, ymd_hms};
use super::kv::pairs;
use super::url::split_url;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{text, Action, Proto, Record};
use crate::time::{parse_u16, TimeCtx};

pub struct Clavister;

impl Format for Clavister {
    fn name(&self) -> &'static str {
        "clavister"
    }

    fn title(&self) -> &'static str {
        "Clavister cOS Core syslog (connection, drop and URL events)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, Url]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        // `... id=00600002 rev=1 event=...` or `id=600002 event=...`.
        let Some(e) = find(line, b" event=") else { return false };
        let before = line.get(..e).unwrap_or_default();
        let word = before.rsplit(|&c| c == b' ').next().unwrap_or_default();
        let numeric = |p: &[u8]| {
            word.strip_prefix(p)
                .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
        };
        numeric(b"id=") || numeric(b"rev=")
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let mut rec = Record::default();
        let (mut event, mut action, mut conn) = (&b""[..], &b""[..], &b""[..]);
        let (mut pkt_src, mut pkt_dst, mut pkt_sport, mut pkt_dport) = (None, None, None, None);
        let (mut url, mut domain, mut arp) = (None, None, false);
        for (k, v) in pairs(line) {
            match k {
                b"event" => event = v,
                b"action" => action = v,
                b"conn" => conn = v,
                b"connsrcip" => rec.src_ip = parse_ip(v),
                b"conndestip" => rec.dst_ip = parse_ip(v),
                b"connsrcport" => rec.src_port = parse_u16(v),
                b"conndestport" => rec.dst_port = parse_u16(v),
                b"connipproto" => rec.proto = Proto::parse(v),
                b"ipproto" if rec.proto == Proto::Unknown && matches!(Proto::parse(v), Proto::Tcp | Proto::Udp | Proto::Icmp) => {
                    rec.proto = Proto::parse(v);
                }
                b"ipproto" => arp |= v.eq_ignore_ascii_case(b"Arp"),
                b"srcip" => pkt_src = pkt_src.or(parse_ip(v)),
                b"destip" => pkt_dst = pkt_dst.or(parse_ip(v)),
                b"srcport" => pkt_sport = pkt_sport.or(parse_u16(v)),
                b"destport" => pkt_dport = pkt_dport.or(parse_u16(v)),
                b"origsent" => rec.bytes_out = scaled_bytes(v, after(line, v)),
                b"termsent" => rec.bytes_in = scaled_bytes(v, after(line, v)),
                b"url" => url = Some(v),
                b"domain" => domain = Some(v),
                _ => {}
            }
        }
        let closing = event.starts_with(b"conn_close") || conn.eq_ignore_ascii_case(b"close");
        let opening = event.starts_with(b"conn_open") || conn.eq_ignore_ascii_case(b"open");
        rec.action = if closing {
            Action::Allowed
        } else if opening {
            return Err(LineError::Ignored("connection opened (its close event is the record)"));
        } else if event == b"request_url" {
            match Action::from_word(action) {
                Action::Unknown => Action::Allowed,
                a => a,
            }
        } else if matches!(action, b"drop" | b"reject") && !arp {
            // A dropped packet: connection info when the event has it, else the packet's.
            rec.bytes_out = None;
            rec.bytes_in = None;
            Action::Denied
        } else if event.is_empty() {
            return Err(LineError::Skipped("no event="));
        } else {
            return Err(LineError::Ignored("non-traffic event"));
        };
        if rec.src_ip.is_none() {
            rec.src_ip = pkt_src;
            rec.dst_ip = pkt_dst;
            rec.src_port = pkt_sport;
            rec.dst_port = pkt_dport;
        }
        if rec.src_ip.is_none() || rec.dst_ip.is_none() {
            return Err(match rec.action {
                Action::Denied => LineError::Ignored("dropped frame without IP addresses"),
                _ => LineError::Skipped("bad or missing connection addresses"),
            });
        }
        if event == b"request_url" {
            rec.bytes_out = None; // running totals of the connection, not of this request
            rec.bytes_in = None;
            if let Some(u) = url {
                let p = split_url(u);
                let host = if p.host.is_empty() { domain.unwrap_or_default() } else { p.host };
                if !host.is_empty() && parse_ip(host).is_none() {
                    rec.dst_host = Some(text(host));
                }
                rec.url_query = p.query;
                rec.url = Some(text(u));
            }
        }
        rec.time_ms = time(line, ctx);
        Ok(rec)
    }
}

/// `[2026-10-05 00:15:02]` after an optional `<PRI>` (local, `--tz`), else
/// a syslog envelope's stamp.
fn time(line: &[u8], ctx: &TimeCtx) -> i64 {
    let l = syslog::strip_pri(line);
    if let Some((local, ms, _)) = l.strip_prefix(b"[").and_then(ymd_hms) {
        return local_ms(ctx, local, ms);
    }
    if has(l, b"EFW:") {
        if let Some(i) = find(l, b"[") {
            if let Some((local, ms, _)) = l.get(i + 1..).and_then(ymd_hms) {
                return local_ms(ctx, local, ms);
            }
        }
    }
    syslog::split(line, ctx).0.time_ms.unwrap_or_else(|| undated(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Clavister.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn classic_conn_close_is_the_record() {
        let l = "<134>[2026-10-05 00:15:02] EFW: CONN: prio=1 id=00600002 rev=1 event=conn_close action=close rule=lan_to_wan conn=close connipproto=TCP connrecvif=lan connsrcip=192.0.2.10 connsrcport=51000 conndestif=wan conndestip=203.0.113.7 conndestport=443 origsent=1200 termsent=5400";
        assert!(Clavister.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert_eq!(
            p("[2026-10-05 00:15:00] EFW: CONN: prio=1 id=00600001 rev=1 event=conn_open action=open conn=open connipproto=TCP connsrcip=192.0.2.10 connsrcport=51000 conndestip=203.0.113.7 conndestport=443"),
            Err(LineError::Ignored("connection opened (its close event is the record)"))
        );
    }

    #[test]
    fn bracketed_layout_with_unit_byte_counts() {
        let r = p("id=600002 event=conn_close action=close [message=Connection closed reason=\"\" connrecvzone=\"lan\" ][rules rule=out ][conn [conn connsrcip=192.0.2.10 conndestip=2001:db8::7 connipproto=UDP connsrcport=64650 conndestport=53 origsent=2.08 K termsent=75.0   connrecvif=lan conndestif=wan ]]").unwrap();
        assert_eq!(r.dst_ip, "2001:db8::7".parse().ok());
        assert_eq!((r.bytes_out, r.bytes_in, r.proto), (Some(2080), Some(75), Proto::Udp));
        assert_eq!(rfc3339(r.time_ms), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn dropped_packets_are_denied_records() {
        let r = p("id=6000051 event=ruleset_drop_packet action=drop [message=Packet dropped by rule-set. Dropping recvzone=\"lan\" ][rules rule=Default_Rule ][ethernet hwsender=000000000000 hwdest=000000000000 ipproto=Ip4 ][ippacket version=1 iphdrlen=20 iptotlen=52 ipproto=TCP ttl=123 srcip=192.0.2.10 destip=198.51.100.7 ][tcp srcport=57168 destport=9100 seqno=1 [tcpflags SYN=1 ]]").unwrap();
        assert_eq!((r.action, r.proto), (Action::Denied, Proto::Tcp));
        assert_eq!((r.src_port, r.dst_port), (Some(57168), Some(9100)));
        let s = p("id=3300010 event=unexpected_tcp_flags action=drop [message=Unexpected tcp flags SYN from originator during state FIN_RCVD. Dropping flags=SYN ][rules rule=LogStateViolations ][conn [conn connsrcip=192.0.2.10 conndestip=198.51.100.7 connipproto=TCP connsrcport=61799 conndestport=58080 origsent=144   termsent=40.0   ]][ippacket ipproto=TCP srcip=192.0.2.10 destip=198.51.100.7 ][tcp srcport=61799 destport=58080 ]").unwrap();
        assert_eq!((s.action, s.dst_port, s.bytes_out), (Action::Denied, Some(58080), None));
    }

    #[test]
    fn url_requests_name_the_host() {
        let r = p("id=200125 event=request_url action=allow [message=HTTPALG: Requesting URL \"api.example.com/v1?x=1\". url=\"api.example.com/v1?x=1\" domain=example.com ][alg algmod=lw-http ][conn [conn connsrcip=192.0.2.10 conndestip=203.0.113.7 connipproto=TCP connsrcport=53879 conndestport=443 origsent=337   termsent=52.0   ]]").unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!((r.url_query, r.action, r.bytes_out), (true, Action::Allowed, None));
    }

    #[test]
    fn arp_alg_and_adjustments_are_ignored() {
        for l in [
            "id=300001 event=unsolicited_reply_drop [message=Unsolicited ARP reply received and dropped ][ethernet ipproto=Arp ][arp [ARP Packet Data srcip=192.0.2.1 destip=192.0.2.2 ]]",
            "id=300003 event=no_sender_ip action=drop [message=ARP query sender IP is 0.0.0.0. Dropping ][ethernet hwsender=000000000000 ipproto=Arp ][arp [ARP Packet Data srcip=0.0.0.0 destip=192.0.2.2 ]]",
            "id=3300004 event=tcp_flag_set action=strip_flag [message=The TCP URG flag is set. Stripping ][ippacket ipproto=TCP srcip=192.0.2.10 destip=198.51.100.7 ][tcp srcport=1 destport=2 ]",
            "id=7200003 event=application_end [message=Application ended. ][conn [conn connsrcip=192.0.2.10 conndestip=203.0.113.7 connipproto=TCP connsrcport=1 conndestport=443 ]]",
            "id=6000040 event=unknown_vlantag action=drop [message=Received VLAN packet with unknown type ][ethernet ipproto=Vlan ]",
        ] {
            assert!(Clavister.sniff(l.as_bytes()), "{l}");
            assert!(matches!(p(l), Err(LineError::Ignored(_))), "{l}");
        }
    }
}
