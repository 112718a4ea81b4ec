//! pfSense and OPNsense `filterlog` lines: the pf packet log as one CSV
//! record per packet (pfSense 2.2+, OPNsense all versions), with or without
//! the syslog envelope (BSD or RFC 5424).
//!
//! Reference: "Filter Log Format" in the pfSense documentation
//! <https://docs.netgate.com/pfsense/en/latest/monitoring/logs/raw-filter-format.html>.
//!
//! `rule,subrule,anchor,tracker,interface,reason,action,direction,ipversion,`
//! then for IPv4 `tos,ecn,ttl,id,offset,flags,protonum,protoname,length,src,dst`
//! and for IPv6 `class,flowlabel,hoplimit,protoname,protonum,length,src,dst`,
//! then per protocol (TCP/UDP start with `srcport,dstport,datalength`).
//! Lines that deviate from that layout (some exporters shuffle the IPv6
//! header fields) are read by locating the address pair. One record per
//! logged packet; `bytes_out` is the IP length. `pass` is Allowed, `block`
//! and `reject` Denied.

use super::common::undated;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{Action, Proto, Record};
use crate::time::{parse_u16, parse_u64, TimeCtx};

pub struct Filterlog;

/// Enough columns for every protocol variant this parser reads.
const MAX_COLS: usize = 32;

impl Format for Filterlog {
    fn name(&self) -> &'static str {
        "filterlog"
    }

    fn title(&self) -> &'static str {
        "pfSense / OPNsense filterlog CSV packet log (IPv4 and IPv6)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, SrcPort, DstIp, DstPort, Proto, Action, BytesOut]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let Some(i) = crate::formats::find(line, b",match,") else {
            return false;
        };
        let tail = line.get(i + 6..).unwrap_or_default();
        let action = [&b",pass,"[..], b",block,", b",reject,"].iter().any(|a| tail.starts_with(a));
        action && (crate::formats::find(tail, b",in,").is_some() || crate::formats::find(tail, b",out,").is_some())
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (hdr, msg) = syslog::split(line, ctx);
        let tag_ok = hdr.tag.is_empty() || hdr.tag == b"filterlog";
        let mut cols: [&[u8]; MAX_COLS] = [&[]; MAX_COLS];
        let mut n = 0;
        for c in msg.split(|&b| b == b',') {
            if let Some(slot) = cols.get_mut(n) {
                *slot = c;
                n += 1;
            } else {
                break;
            }
        }
        let col = |i: usize| cols.get(i).copied().unwrap_or_default();
        let action = match col(6) {
            b"pass" => Action::Allowed,
            b"block" | b"reject" => Action::Denied,
            _ if !tag_ok => return Err(LineError::Ignored("another program's syslog line")),
            _ => return Err(LineError::Skipped("not a filterlog record")),
        };
        let (src_at, len_at, proto) = match col(8) {
            b"4" if parse_ip(col(18)).is_some() => (18, 17, Proto::parse(col(16))),
            b"6" if parse_ip(col(15)).is_some() => (15, 14, Proto::parse(col(12))),
            b"4" | b"6" => locate_addresses(cols.get(..n).unwrap_or_default()).ok_or(LineError::Skipped("no address pair"))?,
            _ => return Err(LineError::Skipped("unknown IP version")),
        };
        let mut rec = Record {
            src_ip: parse_ip(col(src_at)),
            dst_ip: parse_ip(col(src_at + 1)),
            bytes_out: parse_u64(col(len_at)),
            proto,
            action,
            time_ms: hdr.time_ms.unwrap_or_else(|| undated(ctx)),
            ..Record::default()
        };
        if rec.dst_ip.is_none() {
            return Err(LineError::Skipped("bad destination address"));
        }
        if matches!(proto, Proto::Tcp | Proto::Udp) {
            rec.src_port = parse_u16(col(src_at + 2));
            rec.dst_port = parse_u16(col(src_at + 3));
        }
        Ok(rec)
    }
}

fn is_ip(c: Option<&&[u8]>) -> bool {
    c.is_some_and(|c| parse_ip(c).is_some())
}

/// For lines off the documented layout: the first two consecutive address
/// columns after the IP version, the length just before them and the
/// protocol name among the two columns before that.
fn locate_addresses(cols: &[&[u8]]) -> Option<(usize, usize, Proto)> {
    let src = (9..cols.len().saturating_sub(1)).find(|&i| is_ip(cols.get(i)) && is_ip(cols.get(i + 1)))?;
    let name = [src.checked_sub(2)?, src.checked_sub(3)?]
        .into_iter()
        .filter_map(|i| cols.get(i))
        .find(|c| c.first().is_some_and(u8::is_ascii_alphabetic))
        .map_or(Proto::Unknown, |c| Proto::parse(c));
    Some((src, src - 1, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{rfc3339, Zone};

    fn p(l: &str) -> LineResult<'_> {
        Filterlog.parse(
            l.as_bytes(),
            &TimeCtx {
                year: 2026,
                zone: Zone::Fixed(-4 * 3600),
                ref_ms: None,
            },
        )
    }

    #[test]
    fn ipv4_tcp_block_with_bsd_envelope_in_local_time() {
        let l = "<134>Oct  5 00:15:02 fw.example.com filterlog[1234]: 5,,,1000000103,igb0,match,block,in,4,0x0,,64,2345,0,DF,6,tcp,60,198.51.100.7,192.0.2.10,51000,443,0,S,123456789,,64240,,mss;sackOK;TS;nop;wscale";
        assert!(Filterlog.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T04:15:02Z");
        assert_eq!(r.src_ip, "198.51.100.7".parse().ok());
        assert_eq!(r.dst_ip, "192.0.2.10".parse().ok());
        assert_eq!((r.src_port, r.dst_port, r.bytes_out), (Some(51000), Some(443), Some(60)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Denied));
    }

    #[test]
    fn ipv6_udp_pass_rfc5424_with_zone() {
        let r = p("<134>1 2026-10-05T00:15:02-06:00 opnsense.example.com filterlog 7640 - [meta sequenceId=\"1\"] 80,,,0123abcd,igb1,match,pass,out,6,0x00,0xf6279,64,UDP,17,32,2001:db8::10,2001:0db8:0000:0000:0000:0000:0000:0053,5353,53,32").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T06:15:02Z");
        assert_eq!(r.dst_ip, "2001:db8::53".parse().ok());
        assert_eq!((r.dst_port, r.proto, r.action), (Some(53), Proto::Udp, Action::Allowed));
    }

    #[test]
    fn icmp_and_carp_have_no_ports() {
        let r = p("7,,,1000000101,vmx1,match,pass,out,4,0x0,,64,4242,0,none,1,icmp,84,192.0.2.10,198.51.100.1,request,37728,164").unwrap();
        assert_eq!((r.proto, r.src_port, r.dst_port), (Proto::Icmp, None, None));
        let c = p("53,,,1000000202,em1,match,pass,in,4,0xe0,,255,0,0,DF,112,carp,56,192.0.2.2,224.0.0.18,advertise,255,1,2,0,1").unwrap();
        assert_eq!((c.proto, c.dst_port), (Proto::Other, None));
    }

    #[test]
    fn shuffled_ipv6_header_is_read_by_address_pair() {
        let r = p("123,001,anchor1,label2,eth0,match,pass,in,6,,123,64,12345,0,DF,vrrp,6,80,2001:db8::1,2001:db8::2,3,64,1,2").unwrap();
        assert_eq!(r.src_ip, "2001:db8::1".parse().ok());
        assert_eq!((r.bytes_out, r.proto), (Some(80), Proto::Other));
    }

    #[test]
    fn undated_message_and_other_programs() {
        let r = p("6,,,1000000105,igb1.27,match,block,in,6,0x00,0xf6279,1,UDP,17,32,fe80::1,ff02::1:2,546,547,32").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-01T00:00:00Z");
        assert_eq!(
            p("<190>Oct  5 00:15:02 fw dhcpd[40152]: DHCPDISCOVER from 00:00:5e:00:53:01 via igb1"),
            Err(LineError::Ignored("another program's syslog line"))
        );
        assert_eq!(p("1,2,3"), Err(LineError::Skipped("not a filterlog record")));
        assert_eq!(
            p("5,,,1,igb0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,60,198.51.100.7,nope"),
            Err(LineError::Skipped("bad destination address"))
        );
        assert_eq!(
            p("5,,,1,igb0,match,block,in,6,,1,64,tcp,6,60,nope,2001:db8::1"),
            Err(LineError::Skipped("no address pair"))
        );
    }
}
