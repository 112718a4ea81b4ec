//! Stormshield Network Security (SNS 3.x to 4.x) syslog, key=value:
//! `id=firewall time="2026-10-05 02:15:02" fw="SN210A..." tz=+0200
//! startime="2026-10-05 02:14:59" pri=5 confid=01 slotlevel=2 ruleid=12
//! srcif="Ethernet0" ipproto=tcp proto=https src=192.0.2.10 srcport=51000
//! dst=203.0.113.7 dstport=443 sent=1200 rcvd=5400 duration=3.00
//! action=pass user="jdoe" logtype="connection"`.
//!
//! Reference: "Description of Audit logs" (l_connection, l_filter,
//! l_plugin, l_web) in the SNS documentation
//! <https://documentation.stormshield.eu/SNS/v4/en/Content/Description_of_Audit_logs/Home.htm>.
//!
//! Records: `connection` (a closed connection with its byte counts) and
//! `filter` (a rule match; rules log to one or the other), and the
//! per-request `plugin` (HTTP) and `web` (URL filtering) logs, which name
//! the host (`dstname`). Alarms, authentication, VPN, system, monitor and
//! the other log types are ignored. `time` is the firewall's local time and
//! `tz` its offset; without `tz`, `--tz` applies. `dstname` on connection
//! and filter logs is an object name, not a host, and is not used.

use super::common::{after, has, undated, user, ymd_hms};
use super::kv::pairs;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, text, Action, Proto, Record};
use crate::time::{parse_offset, parse_u16, parse_u64, TimeCtx};

pub struct Stormshield;

impl Format for Stormshield {
    fn name(&self) -> &'static str {
        "stormshield"
    }

    fn title(&self) -> &'static str {
        "Stormshield Network Security key=value audit logs (connection, filter, plugin, web)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, Method, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"logtype=") && (has(line, b"startime=") || (has(line, b" fw=") && has(line, b" tz=")))
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (hdr, msg) = syslog::split(line, ctx);
        let mut rec = Record::default();
        let (mut logtype, mut action, mut time, mut tz) = (&b""[..], None, None, None);
        let (mut dstname, mut arg, mut service) = (None, None, None);
        for (k, v) in pairs(msg) {
            match k {
                b"logtype" => logtype = v,
                b"time" => time = Some(v),
                b"tz" => tz = parse_offset(v),
                b"src" => rec.src_ip = parse_ip(v),
                b"srcport" => rec.src_port = parse_u16(v),
                b"dst" => rec.dst_ip = parse_ip(v),
                b"dstport" => rec.dst_port = parse_u16(v),
                b"ipproto" => rec.proto = Proto::parse(v),
                b"proto" => service = opt_text(v),
                b"sent" => rec.bytes_out = parse_u64(v),
                b"rcvd" => rec.bytes_in = parse_u64(v),
                b"user" => rec.user = user(v),
                b"action" => action = Some(v),
                b"dstname" => dstname = Some(v),
                b"op" => rec.method = opt_text(v),
                b"result" => rec.status = parse_u16(v),
                b"arg" => arg = Some(v),
                _ => {}
            }
        }
        let web = match logtype {
            b"connection" | b"filter" => false,
            b"plugin" | b"web" => true,
            b"" => return Err(LineError::Skipped("no logtype")),
            _ => return Err(LineError::Ignored("non-traffic log type")),
        };
        if rec.src_ip.is_none() {
            return Err(LineError::Skipped("bad or missing src"));
        }
        rec.action = match action {
            Some(a) => match Action::from_word(a) {
                Action::Unknown => Action::Allowed, // "log", "" or "bypass": the connection went through
                x => x,
            },
            None => Action::Allowed,
        };
        if web {
            rec.dst_host = dstname.filter(|h| !h.is_empty() && parse_ip(h).is_none()).map(text);
            if let Some(a) = arg.filter(|a| !a.is_empty()) {
                rec.url_query = memchr::memchr(b'?', a).is_some();
                rec.url = Some(text(a));
            }
        }
        rec.service = service;
        rec.time_ms = time
            .and_then(|t| local_time(msg, t, tz, ctx))
            .or(hdr.time_ms)
            .unwrap_or_else(|| undated(ctx));
        Ok(rec)
    }
}

/// `time="2026-10-05 02:15:02"`, or unquoted `time=2026-10-05 02:15:02`
/// (the clock then follows the value), at offset `tz`.
fn local_time(msg: &[u8], t: &[u8], tz: Option<i32>, ctx: &TimeCtx) -> Option<i64> {
    let (local, ms) = match ymd_hms(t) {
        Some((l, ms, _)) => (l, ms),
        None => {
            // The unquoted form: `t` is the date and the clock follows.
            let tail = after(msg, t);
            let mut buf = [0u8; 19];
            let date = t.get(..10)?;
            let clock = tail.strip_prefix(b" ")?.get(..8)?;
            buf.get_mut(..10)?.copy_from_slice(date);
            *buf.get_mut(10)? = b' ';
            buf.get_mut(11..)?.copy_from_slice(clock);
            let (l, ms, _) = ymd_hms(&buf)?;
            (l, ms)
        }
    };
    Some(match tz {
        Some(off) => (local - i64::from(off)) * 1000 + ms,
        None => super::common::local_ms(ctx, local, ms),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Stormshield.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn connection_log_with_tz_offset() {
        let l = r#"id=firewall time="2026-10-05 02:15:02" fw="SN210A0000000" tz=+0200 startime="2026-10-05 02:14:59" pri=5 confid=01 slotlevel=2 ruleid=12 srcif="Ethernet0" srcifname="in" ipproto=tcp dstif="Ethernet1" dstifname="out" proto=https src=192.0.2.10 srcport=51000 srcportname=ephemeral_fw_tcp dst=203.0.113.7 dstport=443 dstportname=https dstname=obj_api ipv=4 sent=1200 rcvd=5400 duration=3.00 action=pass user="jdoe" logtype="connection""#;
        assert!(Stormshield.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert_eq!(r.dst_host, None);
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.service.as_deref(), Some("https"));
    }

    #[test]
    fn blocked_filter_log_and_ipv6() {
        let r = p(r#"id=firewall time="2026-10-05 01:15:02" fw="SN1" tz=+0100 startime="2026-10-05 01:15:02" pri=5 ruleid=48 ipproto=udp proto=dns src=2001:db8::10 srcport=5353 dst=2001:0db8:0000:0000:0000:0000:0000:0053 dstport=53 ipv=6 sent=0 rcvd=0 duration=0.00 action=block logtype="filter""#).unwrap();
        assert_eq!(r.dst_ip, "2001:db8::53".parse().ok());
        assert_eq!((r.action, r.proto), (Action::Denied, Proto::Udp));
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
    }

    #[test]
    fn http_plugin_names_the_host() {
        let r = p(r#"id=firewall time="2026-10-05 02:15:02" fw="SN1" tz=+0200 startime="2026-10-05 02:15:01" pri=5 ruleid=11 ipproto=tcp proto=http src=192.0.2.10 srcport=1025 dst=203.0.113.7 dstport=80 dstname=www.example.com sent=98 rcvd=766 duration=0.01 action=pass op=GET result=200 arg="/catalog/?page=2" logtype="plugin""#).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("www.example.com"));
        assert_eq!((r.method.as_deref(), r.status, r.url_query), (Some("GET"), Some(200), true));
    }

    #[test]
    fn unquoted_time_and_ignored_types() {
        assert_eq!(
            p(
                r#"id=firewall time=2026-10-05 02:15:02 fw=SN1 tz=+0200 startime=2026-10-05 02:15:02 security=0 system=0 CPU=0,8,0 logtype=monitor"#
            ),
            Err(LineError::Ignored("non-traffic log type"))
        );
        let r = p(r#"id=firewall time=2026-10-05 02:15:02 fw=SN1 tz=+0200 startime=2026-10-05 02:15:01 src=192.0.2.10 dst=203.0.113.7 dstport=443 logtype=connection"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(
            p(
                r#"id=firewall time="2026-10-05 02:15:02" fw="SN1" tz=+0200 startime="2026-10-05 02:15:02" src=198.51.100.9 user="admin" msg="SSH authentication success" logtype="auth""#
            ),
            Err(LineError::Ignored("non-traffic log type"))
        );
    }
}
