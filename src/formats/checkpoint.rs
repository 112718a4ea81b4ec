//! Check Point Security Gateway logs (R77.30 to R81.x) as exported to
//! files and syslog:
//!
//! - Log Exporter, syslog format: `[key:"value"; key:"value"; ...]` after
//!   an RFC 5424 header (reference: "Log Exporter - Check Point Log
//!   Exporter", sk122323, and the "Log Fields Description" of the R81 Logging
//!   and Monitoring Administration Guide,
//!   <https://sc1.checkpoint.com/documents/R81/WebAdminGuides/EN/CP_R81_LoggingAndMonitoring_AdminGuide/Content/Topics-LMG/Log-Exporter.htm>);
//! - the older LEA-based exports: every field in double quotes, separated
//!   by spaces (`"22" "10Dec2019" "23:44:49" "eth1" "gw" "Log" "Accept"
//!   "443" "44250" "192.0.2.2" "198.51.100.1" "tcp" ...`: number, date,
//!   time, interface, origin, type, action, service (destination port),
//!   source port, source, destination, protocol, rule, rule name, ...,
//!   product), and fw1-loggrabber's `key=value|key=value` lines;
//! - Log Exporter's CEF output, handed to the [`super::cef`] parser.
//!
//! Field names: `src`, `dst`, `s_port`, `service` (destination port),
//! `proto`, `action`, `time` (epoch seconds), `src_user_name`/`user`,
//! `client_outbound_bytes`/`client_inbound_bytes`, `resource` (URL),
//! `app_name`/`service_id`, `product`. Logs of threat prevention blades (IPS,
//! Anti-Bot, ...) describe connections the firewall blade logs too and are
//! ignored, as are VPN key exchanges and identity events.

use std::borrow::Cow;

use super::kv::{closing_quote, pairs_sep, unescape};
use super::siem::{action_word, CHECK_POINT_THREAT_BLADES};
use super::url::split_url;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{account, opt_text, Proto, Record};
use crate::time::{civil_seconds, digits, month_from_abbr, parse_u16, parse_u64, TimeCtx};

pub struct CheckPoint;

impl Format for CheckPoint {
    fn name(&self) -> &'static str {
        "checkpoint"
    }

    fn title(&self) -> &'static str {
        "Check Point Log Exporter syslog, LEA quoted-field and fw1-loggrabber exports (CEF via the cef format)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        (has(b":\"") && (has(b"loguid:\"") || has(b"[action:\"") || has(b"originsicname:\"") || has(b"origin_sic_name:\"")))
            || quoted_export(line).is_some()
            || (has(b"|action=") && (has(b"i/f_dir=") || has(b"|orig=")))
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        if crate::formats::find(line, b"CEF:").is_some() || line.starts_with(b"0|Check Point|") {
            return super::cef::parse_line(line, ctx);
        }
        if let Some(start) = exporter_start(line) {
            let (hdr, _) = syslog::split(line.get(..start).unwrap_or_default(), ctx);
            let mut f = Fields::default();
            let pairs = ExporterPairs {
                rest: line.get(start + 1..).unwrap_or_default(),
            };
            for (k, v) in pairs {
                f.set(k, v);
            }
            return f.finish(hdr.time_ms, ctx);
        }
        if let Some(cols) = quoted_export(line) {
            return parse_quoted(cols, ctx);
        }
        if crate::formats::find(line, b"|action=").is_some() {
            let (hdr, msg) = syslog::split(line, ctx);
            let mut f = Fields::default();
            for (k, v) in pairs_sep(msg, b'|') {
                f.set(k, v);
            }
            return f.finish(hdr.time_ms, ctx);
        }
        Err(LineError::Skipped("not a Check Point log"))
    }
}

/// Index of the `[` that opens a Log Exporter field list.
fn exporter_start(line: &[u8]) -> Option<usize> {
    let q = crate::formats::find(line, b":\"")?;
    let open = memchr::memrchr(b'[', line.get(..q)?)?;
    let key = line.get(open + 1..q)?;
    key.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_').then_some(open)
}

/// `key:"value"` pairs separated by `;` (values escape `"` and `]`).
struct ExporterPairs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for ExporterPairs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let q = crate::formats::find(self.rest, b":\"")?;
        let key = self.rest.get(..q)?;
        // The key is what follows the previous `;` (or the start).
        let key = match memchr::memrchr(b';', key) {
            Some(i) => key.get(i + 1..)?,
            None => key,
        };
        let body = self.rest.get(q + 2..)?;
        let end = closing_quote(body);
        self.rest = body.get(end + 1..).unwrap_or_default();
        Some((key.trim_ascii(), body.get(..end)?))
    }
}

/// The columns of a quoted-field export line, when it is one: at least 12
/// fields, the first a number, the second a date like `10Dec2019`.
fn quoted_export(line: &[u8]) -> Option<[&[u8]; 20]> {
    let line = line.trim_ascii();
    let line = line.strip_suffix(b"#013").unwrap_or(line);
    if line.first() != Some(&b'"') {
        return None;
    }
    let mut cols: [&[u8]; 20] = [b""; 20];
    let mut n = 0;
    let mut rest = line;
    while let Some(r) = rest.trim_ascii_start().strip_prefix(b"\"") {
        let end = closing_quote(r);
        if let Some(c) = cols.get_mut(n) {
            *c = r.get(..end)?;
        }
        n += 1;
        rest = r.get(end + 1..).unwrap_or_default();
    }
    let first = cols.first()?;
    if n < 12 || first.is_empty() || !first.iter().all(u8::is_ascii_digit) || lea_date(cols.get(1)?).is_none() {
        return None;
    }
    Some(cols)
}

/// `10Dec2019` → (year, month, day).
fn lea_date(d: &[u8]) -> Option<(i64, u32, u32)> {
    let day_len = d.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&day_len) || d.len() != day_len + 7 {
        return None;
    }
    let day = digits(d, day_len)?;
    let mo = month_from_abbr(d.get(day_len..day_len + 3)?)?;
    let y = digits(d.get(day_len + 3..)?, 4)?;
    Some((i64::from(y), mo, day))
}

/// `10Dec2019` + `23:44:49` in the `--tz` zone → UTC ms.
fn lea_time(date: &[u8], time: &[u8], ctx: &TimeCtx) -> Option<i64> {
    let (y, mo, d) = lea_date(date)?;
    let h = digits(time, 2)?;
    let mi = digits(time.get(3..)?, 2)?;
    let s = digits(time.get(6..)?, 2)?;
    Some(ctx.zone.local_to_utc(civil_seconds(y, mo, d, h, mi, s)?) * 1000)
}

fn parse_quoted<'a>(c: [&'a [u8]; 20], ctx: &TimeCtx) -> LineResult<'a> {
    let col = |i: usize| c.get(i).copied().unwrap_or_default();
    let mut f = Fields {
        action: Some(col(6)),
        service: Some(col(7)),
        sport: Some(col(8)),
        src: Some(col(9)),
        dst: Some(col(10)),
        proto: Some(col(11)),
        product: Some(col(17)),
        ..Fields::default()
    };
    f.time_ms = lea_time(col(1), col(2), ctx);
    f.finish(None, ctx)
}

/// Check Point's field values for one log.
#[derive(Default)]
struct Fields<'a> {
    /// Time already resolved (quoted exports).
    time_ms: Option<i64>,
    /// `time`: epoch seconds (Log Exporter) or `10Dec2019 23:44:49`.
    time: Option<&'a [u8]>,
    src: Option<&'a [u8]>,
    dst: Option<&'a [u8]>,
    sport: Option<&'a [u8]>,
    service: Option<&'a [u8]>,
    proto: Option<&'a [u8]>,
    action: Option<&'a [u8]>,
    user: Option<&'a [u8]>,
    user_alt: Option<&'a [u8]>,
    bytes_out: Option<&'a [u8]>,
    bytes_in: Option<&'a [u8]>,
    resource: Option<&'a [u8]>,
    user_agent: Option<&'a [u8]>,
    app: Option<&'a [u8]>,
    service_id: Option<&'a [u8]>,
    product: Option<&'a [u8]>,
    sni: Option<&'a [u8]>,
}

impl<'a> Fields<'a> {
    fn set(&mut self, k: &[u8], v: &'a [u8]) {
        let v = v.trim_ascii();
        let slot = match k {
            b"time" => &mut self.time,
            b"src" => &mut self.src,
            b"dst" => &mut self.dst,
            b"s_port" => &mut self.sport,
            b"service" => &mut self.service,
            b"proto" => &mut self.proto,
            b"action" => &mut self.action,
            b"src_user_name" => &mut self.user,
            b"user" => &mut self.user_alt,
            b"client_outbound_bytes" | b"sent_bytes" => &mut self.bytes_out,
            b"client_inbound_bytes" | b"received_bytes" => &mut self.bytes_in,
            b"resource" => &mut self.resource,
            b"user_agent" => &mut self.user_agent,
            b"app_name" | b"appi_name" => &mut self.app,
            b"service_id" => &mut self.service_id,
            b"product" => &mut self.product,
            b"tls_server_host_name" | b"sni" => &mut self.sni,
            _ => return,
        };
        if slot.is_none() && !v.is_empty() {
            *slot = Some(v);
        }
    }

    fn finish(self, header_time: Option<i64>, ctx: &TimeCtx) -> LineResult<'a> {
        let action = self.action.unwrap_or_default();
        const NOT_CONNECTIONS: &[&[u8]] = &[b"Key Install", b"Login", b"Logout", b"Authorize", b"Deauthorize", b"Quarantine"];
        if NOT_CONNECTIONS.iter().any(|a| action.eq_ignore_ascii_case(a)) {
            return Err(LineError::Ignored("vpn key exchange or identity event"));
        }
        if let Some(p) = self.product {
            if CHECK_POINT_THREAT_BLADES.iter().any(|b| p.eq_ignore_ascii_case(b)) {
                return Err(LineError::Ignored("threat prevention log (its connection has a firewall log)"));
            }
        }
        let mut rec = Record {
            src_ip: self.src.and_then(parse_ip),
            src_port: self.sport.and_then(parse_u16),
            dst_ip: self.dst.and_then(parse_ip),
            dst_port: self.service.and_then(parse_u16),
            ..Record::default()
        };
        if let Some(u) = self.resource {
            let parts = split_url(u);
            rec.scheme = parts.scheme;
            rec.url_query = parts.query;
            rec.url = Some(unescape(u));
            if rec.dst_port.is_none() {
                rec.dst_port = parts.port;
            }
            if !parts.host.is_empty() && parse_ip(parts.host).is_none() {
                rec.dst_host = Some(crate::record::text(parts.host));
            }
        }
        if rec.dst_host.is_none() {
            rec.dst_host = self.sni.filter(|h| parse_ip(h).is_none()).and_then(opt_text);
        }
        if rec.src_ip.is_none() || (rec.dst_ip.is_none() && rec.dst_host.is_none()) {
            return Err(LineError::Ignored("log without source and destination"));
        }
        let field_time = self.time.and_then(|v| {
            parse_u64(v).and_then(|s| i64::try_from(s).ok()?.checked_mul(1000)).or_else(|| {
                let sp = memchr::memchr(b' ', v)?;
                lea_time(v.get(..sp)?, v.get(sp + 1..)?, ctx)
            })
        });
        rec.time_ms = self
            .time_ms
            .or(field_time)
            .or(header_time)
            .ok_or(LineError::Skipped("no time stamp"))?;
        rec.proto = self.proto.map(Proto::parse).unwrap_or_default();
        rec.action = action_word(action);
        rec.bytes_out = self.bytes_out.and_then(parse_u64);
        rec.bytes_in = self.bytes_in.and_then(parse_u64);
        rec.user = self.user.or(self.user_alt).and_then(|u| match unescape(u) {
            Cow::Borrowed(b) => opt_text(account(b).as_bytes()),
            Cow::Owned(o) => Some(Cow::Owned(account(&o).to_string())),
        });
        rec.user_agent = self.user_agent.map(unescape);
        rec.service = self.app.or(self.service_id).and_then(opt_text);
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Action;
    use crate::time::{rfc3339, Zone};

    fn ctx() -> TimeCtx {
        TimeCtx::utc(2026)
    }

    fn p(l: &str) -> LineResult<'_> {
        CheckPoint.parse(l.as_bytes(), &ctx())
    }

    #[test]
    fn log_exporter_after_rfc5424_header() {
        let l = r#"<134>1 2026-10-05T00:15:03Z gw01 CheckPoint 19710 - [action:"Accept"; flags:"411908"; ifdir:"outbound"; loguid:"{0x0,0x0,0x0,0x0}"; origin:"192.0.2.1"; time:"1790900102"; version:"5"; dst:"203.0.113.10"; product:"VPN-1 & FireWall-1"; proto:"6"; s_port:"50123"; service:"443"; service_id:"https"; src:"10.1.1.5"; src_user_name:"Jane Doe (jdoe)"; client_outbound_bytes:"1200"; client_inbound_bytes:"5400"]"#;
        assert!(CheckPoint.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-02T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port), (Some(50123), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!(r.user.as_deref(), Some("Jane Doe (jdoe)"));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert_eq!(r.service.as_deref(), Some("https"));
    }

    #[test]
    fn escaped_brackets_and_quotes_inside_values() {
        let l = r#"syslog[action:"Drop"; __policy_id_tag:"product=VPN-1 & FireWall-1[db_tag={1};mgmt=m;policy_name=P\]"; msg:"say \"hi\"; ok"; time:"1790900102"; dst:"203.0.113.10"; src:"10.1.1.5"; service:"5530"; s_port:"54377"; proto:"17"; ]"#;
        let r = p(l).unwrap();
        assert_eq!((r.dst_port, r.action, r.proto), (Some(5530), Action::Denied, Proto::Udp));
    }

    #[test]
    fn url_filtering_resource_gives_the_host() {
        let r = p(r#"[action:"Accept"; time:"1790900102"; src:"10.1.1.5"; dst:"198.51.100.7"; product:"URL Filtering"; resource:"https://portal.example.com/login?next=1"; user_agent:"Mozilla/5.0 (X11)"]"#).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("portal.example.com"));
        assert_eq!(r.dst_port, Some(443));
        assert!(r.url_query);
        assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0 (X11)"));
    }

    #[test]
    fn vpn_key_install_and_threat_blades_are_ignored() {
        assert_eq!(
            p(r#"[action:"Key Install"; time:"1790900102"; src:"192.0.2.1"; dst:"198.51.100.1"; ]"#),
            Err(LineError::Ignored("vpn key exchange or identity event"))
        );
        assert_eq!(
            p(r#"[action:"Detect"; product:"Anti-Bot"; time:"1790900102"; src:"10.1.1.5"; dst:"198.51.100.1"]"#),
            Err(LineError::Ignored("threat prevention log (its connection has a firewall log)"))
        );
        assert_eq!(
            p(r#"[action:"Monitored";..."#),
            Err(LineError::Ignored("log without source and destination"))
        );
    }

    #[test]
    fn lea_quoted_fields_with_relay_escape() {
        let l = r##""22" "05Oct2026" "02:15:02" "eth1" "gw01" "Log" "Accept" "443" "44250" "10.1.1.5" "203.0.113.10" "tcp" "81" "Web" "81-Policy" "" "inzone: Internal; outzone: External; service_id: https" "VPN-1 & FireWall-1" "" ""#013"##;
        assert!(CheckPoint.sniff(l.as_bytes()));
        let ctx = TimeCtx {
            zone: Zone::Fixed(7200),
            ..ctx()
        };
        let r = CheckPoint.parse(l.as_bytes(), &ctx).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port, r.action), (Some(44250), Some(443), Action::Allowed));
    }

    #[test]
    fn fw1_loggrabber_pipes() {
        let l = "time=05Oct2026 00:15:02|action=drop|orig=192.0.2.1|i/f_dir=inbound|i/f_name=eth1|product=VPN-1 & FireWall-1|src=10.1.1.5|s_port=5000|dst=203.0.113.10|service=22|proto=tcp";
        assert!(CheckPoint.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.dst_port, r.action), (Some(22), Action::Denied));
    }

    #[test]
    fn cef_lines_go_to_the_cef_parser() {
        let r = p("0|Check Point|VPN-1 & FireWall-1|Check Point|Log|TCP_8000|Unknown|act=Accept rt=1790900102000 spt=33108 dpt=8000 dst=203.0.113.10 src=10.20.30.40").unwrap();
        assert_eq!(r.dst_port, Some(8000));
        assert!(!CheckPoint.sniff(b"CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|x|Unknown|act=Accept src=10.0.0.1"));
        for l in ["[", "[a:\"", "\"1\" \"1Jan2026\"", "x|action=", "[k:\"v\\"] {
            let _ = p(l);
        }
    }

    #[test]
    fn every_truncation_and_byte_flip_of_the_samples_is_safe() {
        for line in include_str!("../../testdata/formats/checkpoint/sample.log").lines() {
            let b = line.as_bytes();
            for i in 0..=b.len() {
                let _ = CheckPoint.parse(&b[..i], &ctx());
                let _ = CheckPoint.sniff(&b[..i]);
                let mut m = b.to_vec();
                m[i.min(b.len().saturating_sub(1))] ^= 0x5a;
                let _ = CheckPoint.parse(&m, &ctx());
            }
            assert!(CheckPoint.sniff(b), "sample line not recognised: {line}");
        }
    }
}
