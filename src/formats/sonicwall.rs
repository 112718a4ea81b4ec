//! SonicWall SonicOS (5.x to 7.x) syslog in the default "enhanced" key=value
//! format: `id=firewall sn=0017C5000000 time="2026-10-05 00:15:02 UTC"
//! fw=198.51.100.1 pri=6 c=1024 m=537 msg="Connection Closed" n=1234
//! src=192.0.2.10:51000:X0 dst=203.0.113.7:443:X1:api.example.com
//! proto=tcp/https sent=1200 rcvd=5400 usr="jdoe" ...`. CEF-formatted
//! SonicWall syslog is read by the `cef` format instead.
//!
//! Reference: SonicOS Log Events Reference Guide and "SonicOS syslog field
//! descriptions" <https://www.sonicwall.com/support/knowledge-base/syslog-field-descriptions/170505630549302/>.
//!
//! SonicOS logs a connection when it opens (`m=98`) and when it closes
//! (`m=537`, with the byte counts); the close is the record and the open is
//! ignored, so a connection counts once. Web site hits (`m=97`) and
//! blocked web sites (`m=14`) are records too (they name the host), and so
//! is every message that reports a dropped, denied or blocked packet or
//! connection. Application-control alerts, NAT, VPN, administration and
//! system messages are ignored. `src=`/`dst=` are `ip:port:interface[:name]`;
//! IPv6 addresses come in `srcV6=`/`dstV6=`. `time=` is UTC when it says
//! so, else device time (`--tz`).

use super::common::{has, undated, user};
use super::kv::pairs;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, text, Action, Proto, Record};
use crate::time::{parse_iso8601, parse_u16, parse_u64, TimeCtx};

pub struct SonicWall;

impl Format for SonicWall {
    fn name(&self) -> &'static str {
        "sonicwall"
    }

    fn title(&self) -> &'static str {
        "SonicWall SonicOS enhanced syslog (key=value; CEF is the cef format)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"id=") && has(line, b" sn=") && has(line, b" fw=") && has(line, b" m=") && !has(line, b"CEF:")
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (hdr, msg) = syslog::split(line, ctx);
        let mut rec = Record::default();
        let (mut m, mut text_msg, mut time) = (None, &b""[..], None);
        let (mut src, mut dst, mut src6, mut dst6) = (&b""[..], &b""[..], None, None);
        let (mut dstname, mut app, mut arg, mut fw_action) = (None, None, None, &b""[..]);
        for (k, v) in pairs(msg) {
            match k {
                b"m" => m = parse_u64(v),
                b"msg" => text_msg = v,
                b"time" => time = Some(v),
                b"src" => src = v,
                b"dst" => dst = v,
                b"srcV6" => src6 = parse_ip(v),
                b"dstV6" => dst6 = parse_ip(v),
                b"proto" => {
                    let mut it = v.splitn(2, |&c| c == b'/');
                    rec.proto = Proto::parse(it.next().unwrap_or_default());
                    if rec.service.is_none() {
                        rec.service = it.next().and_then(opt_text);
                    }
                }
                b"sent" => rec.bytes_out = parse_u64(v),
                b"rcvd" => rec.bytes_in = parse_u64(v),
                b"usr" | b"user" => rec.user = user(v).or(rec.user.take()),
                b"dstname" => dstname = Some(v),
                b"appName" => app = opt_text(v),
                b"arg" => arg = Some(v),
                b"fw_action" => fw_action = v,
                _ => {}
            }
        }
        rec.action = classify(m, text_msg, fw_action)?;
        let (ip, port, _) = endpoint(src);
        rec.src_ip = src6.or(ip);
        rec.src_port = port;
        let (ip, port, name) = endpoint(dst);
        rec.dst_ip = dst6.or(ip);
        rec.dst_port = port;
        if rec.src_ip.is_none() || rec.dst_ip.is_none() {
            return Err(LineError::Skipped("bad or missing src/dst"));
        }
        let host = dstname.or(name).filter(|h| !h.is_empty() && parse_ip(h).is_none());
        rec.dst_host = host.map(text);
        if let Some(a) = arg.filter(|a| !a.is_empty()) {
            rec.url_query = memchr::memchr(b'?', a).is_some();
            rec.url = Some(text(a));
        }
        if app.is_some() {
            rec.service = app;
        }
        rec.time_ms = time
            .and_then(|t| parse_iso8601(t, &ctx.zone))
            .or(hdr.time_ms)
            .unwrap_or_else(|| undated(ctx));
        Ok(rec)
    }
}

/// Record or not, and the action, from the message id and text.
fn classify(m: Option<u64>, msg: &[u8], fw_action: &[u8]) -> Result<Action, LineError> {
    match m {
        Some(537) => return Ok(Action::Allowed),
        Some(98) => return Err(LineError::Ignored("connection opened (its close log is the record)")),
        Some(97) => return Ok(Action::Allowed),
        Some(14) => return Ok(Action::Denied),
        Some(1197) => return Err(LineError::Ignored("NAT mapping")),
        Some(1153 | 1154) => return Err(LineError::Ignored("application control alert (its connection is logged)")),
        _ => {}
    }
    let lower = |w: &[u8]| msg.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w));
    if lower(b"connection closed") {
        return Ok(Action::Allowed);
    }
    if lower(b"connection opened") {
        return Err(LineError::Ignored("connection opened (its close log is the record)"));
    }
    let management = [&b"login"[..], b"logged", b"vpn", b"authenticat", b"administrator", b"ike"]
        .iter()
        .any(|w| lower(w));
    if management {
        return Err(LineError::Ignored("administration, VPN or authentication event"));
    }
    if fw_action.eq_ignore_ascii_case(b"drop") || [&b"dropped"[..], b"denied", b"blocked", b"rejected"].iter().any(|w| lower(w)) {
        return Ok(Action::Denied);
    }
    if m.is_none() && msg.is_empty() {
        return Err(LineError::Skipped("no m= or msg="));
    }
    Err(LineError::Ignored("non-traffic event"))
}

/// `ip:port:interface[:name]`; the address is empty (`:49702:X0`) when it
/// is IPv6 and given in `srcV6=`/`dstV6=`.
fn endpoint(v: &[u8]) -> (Option<std::net::IpAddr>, Option<u16>, Option<&[u8]>) {
    if let Some(ip) = parse_ip(v) {
        return (Some(ip), None, None);
    }
    let mut parts = v.split(|&c| c == b':');
    let ip = parts.next().and_then(parse_ip);
    let port = parts.next().and_then(parse_u16);
    let _iface = parts.next();
    (ip, port, parts.next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{rfc3339, Zone};

    fn p(l: &str) -> LineResult<'_> {
        SonicWall.parse(
            l.as_bytes(),
            &TimeCtx {
                year: 2026,
                zone: Zone::Fixed(3600),
                ref_ms: None,
            },
        )
    }

    #[test]
    fn connection_closed_is_the_record() {
        let l = r#"<134>id=firewall sn=0017C5000000 time="2026-10-05 00:15:02 UTC" fw=198.51.100.1 pri=6 c=1024 m=537 msg="Connection Closed" app=49177 appName="General HTTPS" n=1234 src=192.0.2.10:51000:X0 dst=203.0.113.7:443:X1:api.example.com srcMac=00:00:5e:00:53:01 dstMac=00:00:5e:00:53:02 proto=tcp/https sent=1200 rcvd=5400 spkt=10 rpkt=12 cdur=3000 usr="EXAMPLE\svc_backup" rule="5 (LAN->WAN)""#;
        assert!(SonicWall.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert_eq!(r.user.as_deref(), Some("svc_backup"));
        assert_eq!(r.service.as_deref(), Some("General HTTPS"));
    }

    #[test]
    fn device_time_without_utc_uses_tz_and_opened_is_ignored() {
        assert_eq!(
            p(
                r#"id=firewall sn=X time="2026-10-05 01:15:02" fw=198.51.100.1 pri=6 c=262144 m=98 msg="Connection Opened" n=1 src=192.0.2.10:51000:X0 dst=203.0.113.7:443:X1 proto=tcp/https"#
            ),
            Err(LineError::Ignored("connection opened (its close log is the record)"))
        );
        let r = p(r#"id=fw1 sn=X time="2026-10-05 01:15:02" fw=198.51.100.1 pri=5 c=64 m=36 msg="TCP connection dropped" n=2 src=198.51.100.9:4507:X1 dst=192.0.2.10:445:X0 rule=0"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.action, Action::Denied);
    }

    #[test]
    fn blocked_web_site_and_ipv6_fields() {
        let w = p(r#"id=firewall sn=X time="2026-10-05 00:15:02 UTC" fw=198.51.100.1 pri=3 c=4 m=14 msg="Web site access denied" src=192.0.2.10:54993:X0:pc1.example.com dst=203.0.113.9:443:X1 proto=tcp/https dstname=downloads.example.net arg=/setup.exe?k=1 code=49"#).unwrap();
        assert_eq!((w.action, w.url_query), (Action::Denied, true));
        assert_eq!(w.dst_host.as_deref(), Some("downloads.example.net"));
        let v6 = p(r#"id=firewall sn=X time="2026-10-05 00:15:02 UTC" fw=198.51.100.1 pri=5 c=512 m=1233 msg="Unhandled link-local or multicast IPv6 packet dropped" n=5 srcV6=2001:db8::10 src=:49702:X0-V514 dstV6=ff02:0000:0000:0000:0000:0000:0001:0003 dst=:5355 proto=udp/5355"#).unwrap();
        assert_eq!(v6.src_ip, "2001:db8::10".parse().ok());
        assert_eq!(v6.dst_ip, "ff02::1:3".parse().ok());
        assert_eq!((v6.src_port, v6.dst_port, v6.action), (Some(49702), Some(5355), Action::Denied));
    }

    #[test]
    fn management_and_alerts_are_ignored() {
        for l in [
            r#"id=firewall sn=X time="2026-10-05 00:15:02" fw=198.51.100.1 pri=1 c=32 m=30 msg="Administrator login denied due to bad credentials" n=7 src=198.51.100.9:36701:X1 dst=198.51.100.1:443:X1"#,
            r#"id=firewall sn=X time="2026-10-05 00:15:02" fw=198.51.100.1 pri=6 c=32 m=1154 msg="Application Control Detection Alert" src=192.0.2.10 dst=203.0.113.7 proto=tcp/https"#,
            r#"id=fw1 sn=X time="2026-10-05 00:15:02 UTC" fw=198.51.100.1 pri=1 c=32 m=1388 msg="IPSec VPN Decryption Failed" n=1 src=198.51.100.9 dst=198.51.100.1"#,
        ] {
            assert!(matches!(p(l), Err(LineError::Ignored(_))), "{l}");
        }
    }
}
