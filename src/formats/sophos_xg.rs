//! Sophos Firewall (XG, SFOS 17 to 21) syslog in its key=value format:
//! `device="SFW" date=2026-10-05 time=00:15:02 timezone="CEST" ...
//! log_type="Firewall" log_component="Firewall Rule" log_subtype="Allowed"
//! status="Allow" ... src_ip=... dst_ip=... src_port=... dst_port=...
//! sent_bytes=... recv_bytes=...`, and the SFOS 19.5+ layout that starts
//! with `timestamp="2026-10-05T00:15:02+0200"`.
//!
//! Reference: Sophos Firewall syslog guide, "Log file details"
//! <https://docs.sophos.com/nsg/sophos-firewall/21.0/help/en-us/webhelp/onlinehelp/AdministratorHelp/Logs/LogFileDetails/>.
//!
//! Records: every `log_type="Firewall"` log (rule matches, invalid and
//! appliance-access traffic), and the web logs of `log_type="Content
//! Filtering"` (HTTP requests with `domain`/`url`, TLS inspection with
//! `sni`), which are the only place a destination host name appears.
//! Application-control, IPS, anti-virus, anti-spam, ATP, WAF, SD-WAN and
//! event logs are ignored. Time: `timestamp`, else `date` + `time` in the
//! `timezone` given (an offset or an IANA name such as `CET`), else `--tz`.

use std::borrow::Cow;

use super::common::{has, undated, user};
use super::kv::{pairs, unescape};
use super::url::split_url;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, text, Action, Proto, Record};
use crate::time::{civil_seconds, digits, parse_iso8601, parse_offset, parse_u16, parse_u64, TimeCtx, Zone};

pub struct SophosXg;

impl Format for SophosXg {
    fn name(&self) -> &'static str {
        "sophos-xg"
    }

    fn title(&self) -> &'static str {
        "Sophos Firewall (XG/SFOS) key=value syslog: firewall and web logs"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"log_type=") && has(line, b"log_component=")
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (hdr, msg) = syslog::split(line, ctx);
        let mut rec = Record::default();
        let (mut log_type, mut component, mut subtype, mut status) = (&b""[..], &b""[..], &b""[..], &b""[..]);
        let (mut stamp, mut date, mut time, mut tz) = (None, None, None, None);
        let (mut domain, mut url, mut sni, mut app) = (None, None, None, None);
        for (k, v) in pairs(msg) {
            match k {
                b"log_type" => log_type = v,
                b"log_component" => component = v,
                b"log_subtype" => subtype = v,
                b"status" => status = v,
                b"timestamp" => stamp = Some(v),
                b"date" => date = Some(v),
                b"time" => time = Some(v),
                b"timezone" => tz = Some(v),
                b"src_ip" => rec.src_ip = parse_ip(v),
                b"dst_ip" => rec.dst_ip = parse_ip(v),
                b"src_port" => rec.src_port = parse_u16(v),
                b"dst_port" => rec.dst_port = parse_u16(v),
                b"protocol" => rec.proto = Proto::parse(v),
                b"sent_bytes" => rec.bytes_out = parse_u64(v),
                b"recv_bytes" => rec.bytes_in = parse_u64(v),
                b"user_name" | b"user" => {
                    if let Some(u) = user(v) {
                        rec.user = Some(u);
                    }
                }
                b"domain" => domain = opt_text(v),
                b"url" => url = Some(v),
                b"sni" => sni = opt_text(v),
                b"user_agent" => rec.user_agent = opt_text(v).map(|_| unescape(v)),
                b"status_code" | b"httpresponsecode" => rec.status = parse_u16(v).or(rec.status),
                b"app_name" | b"application" => app = opt_text(v).or(app),
                _ => {}
            }
        }
        match log_type {
            b"Firewall" => {}
            b"Content Filtering" if matches!(component, b"HTTP" | b"HTTPS" | b"Web Filter" | b"Web" | b"SSL") => {}
            b"Content Filtering" => return Err(LineError::Ignored("application filter log (its session has a firewall log)")),
            b"" => return Err(LineError::Skipped("no log_type")),
            _ => return Err(LineError::Ignored("non-traffic log type")),
        }
        if rec.src_ip.is_none() {
            return Err(LineError::Skipped("bad or missing src_ip"));
        }
        rec.action = match Action::from_word(status) {
            Action::Unknown => Action::from_word(subtype),
            a => a,
        };
        if rec.action == Action::Unknown && log_type == b"Content Filtering" {
            rec.action = Action::Allowed;
        }
        if let Some(u) = url.filter(|u| !u.is_empty()) {
            let parts = split_url(u);
            rec.scheme = parts.scheme;
            rec.url_query = parts.query;
            if domain.is_none() && !parts.host.is_empty() && parse_ip(parts.host).is_none() {
                domain = Some(text(parts.host));
            }
            rec.url = Some(text(u));
        }
        rec.dst_host = domain.or(sni);
        rec.service = app;
        rec.time_ms = stamp
            .and_then(|s| parse_iso8601(s, &ctx.zone))
            .or_else(|| local_time(date?, time?, tz, ctx))
            .or(hdr.time_ms)
            .unwrap_or_else(|| undated(ctx));
        Ok(rec)
    }
}

/// `date=2026-10-05 time=00:15:02` in the `timezone` the line names.
fn local_time(d: &[u8], t: &[u8], tz: Option<&[u8]>, ctx: &TimeCtx) -> Option<i64> {
    let local = civil_seconds(
        i64::from(digits(d, 4)?),
        digits(d.get(5..)?, 2)?,
        digits(d.get(8..)?, 2)?,
        digits(t, 2)?,
        digits(t.get(3..)?, 2)?,
        digits(t.get(6..)?, 2)?,
    )?;
    let utc = match tz {
        Some(z) => match parse_offset(z) {
            Some(off) => local - i64::from(off),
            None => named_zone(z).unwrap_or(ctx.zone).local_to_utc(local),
        },
        None => ctx.zone.local_to_utc(local),
    };
    Some(utc * 1000)
}

/// An IANA zone or abbreviation chrono-tz knows (`CET`, `EST`, `Asia/Kolkata`).
fn named_zone(z: &[u8]) -> Option<Zone> {
    let s: Cow<str> = crate::record::text(z);
    s.parse::<chrono_tz::Tz>().ok().map(Zone::Named)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        SophosXg.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn firewall_rule_allowed_with_offset_timezone() {
        let l = r#"device="SFW" date=2026-10-05 time=02:15:02 timezone="+02" device_name="XG210" device_id=C01001ABCDEF log_id=010101600001 log_type="Firewall" log_component="Firewall Rule" log_subtype="Allowed" status="Allow" priority=Information duration=30 fw_rule_id=5 user_name="EXAMPLE\svc_backup" application="" in_interface="Port1" out_interface="Port2" src_ip=192.0.2.10 dst_ip=203.0.113.7 protocol="TCP" src_port=51000 dst_port=443 sent_pkts=10 recv_pkts=12 sent_bytes=1200 recv_bytes=5400 tran_src_ip=198.51.100.1"#;
        assert!(SophosXg.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert_eq!(r.user.as_deref(), Some("svc_backup"));
    }

    #[test]
    fn sfos_19_timestamp_and_denied_invalid_traffic() {
        let r = p(r#"timestamp="2026-10-05T02:15:02+0200" device_model="XGS2100" log_id="010202601001" log_type="Firewall" log_component="Invalid Traffic" log_subtype="Denied" src_ip="2001:db8::10" dst_ip="2001:0db8:0000:0000:0000:0000:0000:0443" protocol="TCP" src_port=55821 dst_port=443"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.dst_ip, "2001:db8::443".parse().ok());
        assert_eq!(r.action, Action::Denied);
    }

    #[test]
    fn web_log_carries_host_agent_and_named_zone() {
        let r = p(r#"device="SFW" date=2026-01-05 time=01:15:02 timezone="CET" log_type="Content Filtering" log_component="HTTP" log_subtype="Allowed" status="" user_name="jdoe@example.com" url="https://api.example.com/v1/sync?token=x" src_ip=192.0.2.10 dst_ip=203.0.113.7 protocol="TCP" src_port=56332 dst_port=443 sent_bytes=310 recv_bytes=4563 domain=api.example.com user_agent="python-requests/2.31" status_code="200""#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-05T00:15:02Z");
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!(r.user_agent.as_deref(), Some("python-requests/2.31"));
        assert_eq!((r.status, r.url_query, r.action), (Some(200), true, Action::Allowed));
        assert_eq!(r.user.as_deref(), Some("jdoe@example.com"));
        let tls = p(r#"timestamp="2026-10-05T00:15:02Z" log_type="Content Filtering" log_component="SSL" log_subtype="Do not decrypt" src_ip="192.0.2.10" dst_ip="203.0.113.7" src_port=53999 dst_port=443 sni="files.example.net""#).unwrap();
        assert_eq!(tls.dst_host.as_deref(), Some("files.example.net"));
    }

    #[test]
    fn non_traffic_log_types_are_ignored() {
        assert_eq!(
            p(r#"timestamp="2026-10-05T00:15:02Z" log_type="SD-WAN" log_component="SLA" log_subtype="Information""#),
            Err(LineError::Ignored("non-traffic log type"))
        );
        assert_eq!(
            p(r#"log_type="Content Filtering" log_component="Application" src_ip=192.0.2.1"#),
            Err(LineError::Ignored("application filter log (its session has a firewall log)"))
        );
        assert_eq!(
            p(r#"log_type="Firewall" log_component="Firewall Rule" src_ip=bad"#),
            Err(LineError::Skipped("bad or missing src_ip"))
        );
    }
}
