//! Fortinet FortiGate (FortiOS 5.x to 7.x) and FortiProxy (1.x to 7.x)
//! logs in the default key=value syslog format, with or without a syslog
//! envelope, space- or comma-separated (the `csv` log format option).
//!
//! References: FortiOS Log Message Reference, "Traffic log" fields
//! <https://docs.fortinet.com/document/fortigate/7.4.0/fortios-log-message-reference>;
//! FortiProxy Log Message Reference
//! <https://docs.fortinet.com/document/fortiproxy/7.4.0/log-message-reference>.
//!
//! Time: `eventtime=` (epoch in s, ms, µs or ns, UTC) when present, else
//! `date=` + `time=` in the zone given by `tz=` (`+0200`), else `--tz`.
//! `type=traffic` lines are records. UTM lines (`type=utm`: web filter, IPS,
//! application control) describe sessions that also have a traffic line, so
//! they are ignored to avoid counting a session twice; `type=event` lines are
//! system events and are ignored too.
//!
//! FortiProxy writes the same format; its `subtype=http-transaction` traffic
//! logs add the HTTP side (`hostname`, `url`, `agent`, `statuscode`, request
//! and response lengths, which stand in for the byte counts when those are
//! absent). FortiClient traffic logs relayed by EMS name the client
//! `deviceip` and the server `remotename`. Values exported through a
//! spreadsheet come with doubled quotes (`type=""traffic""`); see
//! [`super::kv`].

use super::kv::{pairs, pairs_sep, unescape};

use super::url::split_url;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, Action, Proto, Record, Scheme};
use crate::time::{civil_seconds, digits, epoch_auto_ms, parse_offset, parse_u16, parse_u64, TimeCtx};

pub struct FortiGate;

impl Format for FortiGate {
    fn name(&self) -> &'static str {
        "fortigate"
    }

    fn title(&self) -> &'static str {
        "Fortinet FortiGate and FortiProxy key=value traffic log (syslog or file, space or comma separated)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        (has(b"logid=") || has(b"log_id=") || has(b"devid=") || has(b" vd="))
            && has(b"type=")
            && has(b"subtype=")
            && !has(b"msg_id=")
            && !has(b"CEF:")
            && !has(b"|Fortinet|")
    }

    #[inline]
    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (hdr, msg) = syslog::split(line, ctx);
        let sep = comma_separated(msg);
        let mut rec = Record::default();
        let (mut date, mut time, mut tz, mut eventtime) = (None, None, None, None);
        let (mut kind, mut app, mut service) = (&b""[..], None, None);
        let mut user = None;
        let (mut sent_delta, mut rcvd_delta) = (None, None);
        let (mut req_len, mut resp_len, mut url, mut remote, mut hostname) = (None, None, None, None, None);
        let it = if sep { pairs_sep(msg, b',') } else { pairs(msg) };
        for (k, v) in it {
            match k {
                b"date" => date = Some(v),
                b"time" => time = Some(v),
                b"tz" => tz = Some(v),
                b"eventtime" => eventtime = parse_u64(v),
                b"type" => kind = v,
                // FortiOS 5+ names, then the FortiOS 4 ones.
                b"srcip" | b"src" => rec.src_ip = parse_ip(v),
                // FortiClient traffic logs: the endpoint and the server it reached.
                b"deviceip" if rec.src_ip.is_none() => rec.src_ip = parse_ip(v),
                b"remotename" => remote = opt_text(v).map(|_| unescape(v)),
                b"srcport" | b"src_port" => rec.src_port = parse_u16(v),
                b"dstip" | b"dst" => rec.dst_ip = parse_ip(v),
                b"dstport" | b"dst_port" => rec.dst_port = parse_u16(v),
                b"proto" => rec.proto = Proto::parse(v),
                b"sentbyte" | b"sent" => rec.bytes_out = parse_u64(v),
                b"rcvdbyte" | b"rcvd" => rec.bytes_in = parse_u64(v),
                b"sentdelta" => sent_delta = parse_u64(v),
                b"rcvddelta" => rcvd_delta = parse_u64(v),
                b"hostname" => hostname = opt_text(v).map(|_| unescape(v)),
                b"url" => url = Some(v),
                b"agent" => rec.user_agent = opt_text(v).map(|_| unescape(v)),
                b"httpmethod" => rec.method = opt_text(v),
                b"statuscode" => rec.status = parse_u16(v),
                b"scheme" => rec.scheme = Scheme::parse(v),
                b"reqlength" => req_len = parse_u64(v),
                b"resplength" => resp_len = parse_u64(v),
                b"user" => user = Some(v),
                b"unauthuser" if user.is_none() => user = Some(v),
                b"action" | b"status" if rec.action == Action::Unknown || k == b"action" => rec.action = Action::from_word(v),
                b"app" => app = Some(v),
                b"service" => service = Some(v),
                _ => {}
            }
        }
        match kind {
            b"traffic" => {}
            b"utm" => return Err(LineError::Ignored("utm log (its session has a traffic log)")),
            b"event" => return Err(LineError::Ignored("system event")),
            b"" => return Err(LineError::Skipped("no type= field")),
            _ => return Err(LineError::Ignored("non-traffic log type")),
        }
        rec.time_ms = match eventtime {
            Some(e) => epoch_auto_ms(e),
            None => match (date, time) {
                (Some(d), Some(t)) => local_time(d, t, tz, ctx).ok_or(LineError::Skipped("bad date/time"))?,
                _ => hdr.time_ms.ok_or(LineError::Skipped("no date/time"))?,
            },
        };
        if rec.src_ip.is_none() {
            return Err(LineError::Skipped("bad or missing srcip"));
        }
        // Interim session logs (long-lived sessions) carry running totals in
        // sentbyte/rcvdbyte and the traffic since the last log in the deltas.
        // In FortiClient logs `hostname` is the endpoint's own name.
        rec.dst_host = remote.or(hostname);
        rec.bytes_out = sent_delta.or(rec.bytes_out).or(req_len);
        rec.bytes_in = rcvd_delta.or(rec.bytes_in).or(resp_len);
        if let Some(u) = url.filter(|u| !u.is_empty()) {
            let parts = split_url(u);
            if rec.scheme == Scheme::None {
                rec.scheme = parts.scheme;
            }
            rec.url_query = parts.query;
            if rec.dst_host.is_none() && !parts.host.is_empty() && parse_ip(parts.host).is_none() {
                rec.dst_host = Some(crate::record::text(parts.host));
            }
            if rec.dst_port.is_none() {
                rec.dst_port = parts.port.or(rec.scheme.default_port());
            }
            rec.url = Some(unescape(u));
        }

        rec.user = user.filter(|u| *u != b"N/A").and_then(opt_text).map(|u| match u {
            std::borrow::Cow::Borrowed(b) => std::borrow::Cow::Borrowed(crate::record::account(b)),
            std::borrow::Cow::Owned(o) => std::borrow::Cow::Owned(crate::record::account(&o).to_string()),
        });
        rec.service = app.or(service).and_then(opt_text);
        if rec.action == Action::Unknown {
            rec.action = Action::Allowed;
        }
        Ok(rec)
    }
}

/// True when pairs are separated by commas (`date=...,time=...`).
fn comma_separated(msg: &[u8]) -> bool {
    match memchr::memchr(b'=', msg) {
        Some(eq) => {
            let after = msg.get(eq + 1..).unwrap_or_default();
            let first_comma = memchr::memchr(b',', after);
            let first_space = memchr::memchr(b' ', after);
            let quoted = after.first() == Some(&b'"');
            !quoted && matches!((first_comma, first_space), (Some(c), Some(s)) if c < s)
                || (!quoted && first_comma.is_some() && first_space.is_none())
        }
        None => false,
    }
}

/// `date=2026-10-05` + `time=00:15:02` with `tz=+0200` or the default zone.
fn local_time(d: &[u8], t: &[u8], tz: Option<&[u8]>, ctx: &TimeCtx) -> Option<i64> {
    let y = digits(d, 4)?;
    let mo = digits(d.get(5..)?, 2)?;
    let day = digits(d.get(8..)?, 2)?;
    let h = digits(t, 2)?;
    let mi = digits(t.get(3..)?, 2)?;
    let s = digits(t.get(6..)?, 2)?;
    let local = civil_seconds(i64::from(y), mo, day, h, mi, s)?;
    let utc = match tz.and_then(parse_offset) {
        Some(off) => local - i64::from(off),
        None => ctx.zone.local_to_utc(local),
    };
    Some(utc * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        FortiGate.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn traffic_with_syslog_header_and_tz() {
        let r = p(r#"<189>Oct  5 00:15:03 fw01 date=2026-10-05 time=02:15:02 devname="fw01" devid="FG100" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" tz="+0200" srcip=10.1.2.3 srcport=51000 srcintf="lan" dstip=203.0.113.7 dstport=443 proto=6 action="close" service="HTTPS" hostname="API.Example.com" sentbyte=1200 rcvdbyte=5400 user="svc_backup" app="HTTPS.BROWSER""#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.src_ip, "10.1.2.3".parse().ok());
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!(r.dst_host.as_deref(), Some("API.Example.com"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!(r.user.as_deref(), Some("svc_backup"));
        assert_eq!(r.service.as_deref(), Some("HTTPS.BROWSER"));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
    }

    #[test]
    fn eventtime_wins_in_any_unit() {
        let ns = p(r#"time=15:22:43 logid="0000000013" type="traffic" eventtime=1602591763587868496 tz="+0300" srcip=10.0.0.1 dstip=192.0.2.1 action="deny""#).unwrap();
        assert_eq!(ns.time_ms, 1_602_591_763_587);
        assert_eq!(ns.action, Action::Denied);
        let s = p(r#"logid=13 type=traffic eventtime=1602591763 srcip=10.0.0.1"#).unwrap();
        assert_eq!(s.time_ms, 1_602_591_763_000);
    }

    #[test]
    fn interim_logs_use_deltas_and_accounts_are_bare() {
        let r = p(r#"logid="0000000020" type="traffic" subtype="forward" eventtime=1746599578 srcip=10.0.0.1 sentbyte=900 rcvdbyte=800 sentdelta=90 rcvddelta=80 unauthuser="example.com\jdoe""#).unwrap();
        assert_eq!((r.bytes_out, r.bytes_in), (Some(90), Some(80)));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
    }

    #[test]
    fn fortios4_key_names() {
        let r = p(r#"date=2011-02-20 time=12:31:09 devname=fw device_id=FG1 log_id=0038016002 type=traffic subtype=other pri=notice status=deny vd="root" src=10.0.0.1 src_port=5000 dst=198.51.100.7 dst_port=443 sent=10 rcvd=20"#).unwrap();
        assert_eq!(
            (r.src_port, r.dst_port, r.bytes_out, r.bytes_in),
            (Some(5000), Some(443), Some(10), Some(20))
        );
        assert_eq!(r.action, Action::Denied);
        assert!(!FortiGate.sniff(b"time=1 devname=x device_id=1 log_id=1 type=traffic subtype=slb_http vd=waf msg_id=123456"));
    }

    #[test]
    fn comma_separated() {
        let r = p(r#"date=2026-10-05,time=00:15:02,logid="0000000013",type="traffic",srcip=10.0.0.1,dstip=198.51.100.2,dstport=21,unauthuser="bob""#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.user.as_deref(), Some("bob"));
    }

    #[test]
    fn fortiproxy_http_transaction_carries_the_web_request() {
        let r = p(r#"date=2026-10-05 time=02:15:02 devname="fpx01" devid="FPX4HE0000000001" eventtime=1790900102000000000 tz="+0200" logid="0000000020" type="traffic" subtype="http-transaction" level="notice" vd="root" srcip=10.20.30.40 dstip=203.0.113.80 clientip=10.20.30.40 scheme="https" srcport=52112 dstport=443 hostname="updates.example.com" url="https://updates.example.com/v2/check?token=abc" policyid=5 sessionid=1000 reqlength=474 resplength=1200 statuscode=200 user="svc_patch" agent="Patcher/2.1""#).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("updates.example.com"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(474), Some(1200)));
        assert_eq!((r.user_agent.as_deref(), r.status), (Some("Patcher/2.1"), Some(200)));
        assert!(r.url_query && r.url.is_some());
        assert_eq!(r.scheme, Scheme::Https);
    }

    #[test]
    fn forticlient_traffic_names_the_server_remotename_not_hostname() {
        let r = p(r#"devname="fpx01" vd="default" date="2026-10-05" time="02:15:02" type="traffic" subtype="system" fctsn="FCT0000000001" hostname="LAPTOP-7" deviceip=10.1.1.7 user="jdoe@example.com" remotename="api.example.com" srcport=0 dstport=443 proto=6 sentbyte=10 rcvdbyte=20 tz="+0200""#).unwrap();
        assert_eq!(r.src_ip, "10.1.1.7".parse().ok());
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!(r.user.as_deref(), Some("jdoe@example.com"));
    }

    #[test]
    fn doubled_quotes_from_a_spreadsheet() {
        let r = p(r##"time=12:05:11 devname=""fpx"" eventtime=1790900102 logid=""0000000013"" type=""traffic"" subtype=""forward"" srcip=10.0.0.1 dstip=198.51.100.2 dstport=443 action=""deny"""##).unwrap();
        assert_eq!((r.dst_port, r.action), (Some(443), Action::Denied));
    }

    #[test]
    fn non_traffic_lines_are_ignored_not_skipped() {
        assert_eq!(
            p(r#"date=2016-06-15 time=10:42:31 logid=9999999999 type=event subtype=vpn"#),
            Err(LineError::Ignored("system event"))
        );
        assert_eq!(
            p(r#"date=2016-06-15 time=10:42:31 logid=1 type=utm subtype=webfilter srcip=10.0.0.1"#).unwrap_err(),
            LineError::Ignored("utm log (its session has a traffic log)")
        );
        assert_eq!(
            p(r#"logid=1 type=traffic srcip=00192.0.2.100:00:00:00 eventtime=1"#),
            Err(LineError::Skipped("bad or missing srcip"))
        );
        assert!(p("garbage").is_err());
    }
}
