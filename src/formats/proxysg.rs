//! Blue Coat / Symantec / Broadcom ProxySG (Edge Secure Web Gateway, SGOS
//! 5.x to 7.x) access logs in the forms that arrive without a W3C header:
//!
//! - the predefined `main` and `bcreportermain_v1` ELFF formats as sent over
//!   syslog or stripped of their header (space-separated, `"quoted"` values
//!   with spaces, `-` for empty);
//! - the `key=value` form used for SIEM feeds (`c-ip=10.1.2.3
//!   cs-host=example.com ...`, field names as in ELFF with `cs(X)` written
//!   `cs-X`), behind an optional syslog or `<stamp><host> bluecoat - <format> -`
//!   prefix.
//!
//! A file that keeps its `#Software: SGOS` / `#Fields:` header is read by its
//! header (the same parser as [`super::w3c`]).
//!
//! Reference: "Access Log Formats" and "Access Log Fields", Edge SWG 7.3
//! <https://techdocs.broadcom.com/us/en/symantec-security-software/web-and-network-security/edge-swg/7-3/reference/access-log-formats.html>.
//!
//! `s-ip` is the proxy itself; the destination is the URL host (`cs-host`)
//! and the upstream server address `r-ip` when logged. `cs-bytes` is what
//! the client sent (bytes out), `sc-bytes` what it received.

use super::elff::{role_of, Delim, Elff, FileInfo, Role, Schema};
use super::jsonwalk::Scalar;
use super::kv::pairs;
use super::w3c::W3cParser;
use super::{syslog, Field, Format, LineError, LineParser, LineResult};
use crate::time::TimeCtx;
use std::sync::LazyLock;

pub struct ProxySg;

/// SGOS predefined `main` format.
const MAIN: &str = "date time time-taken c-ip sc-status s-action sc-bytes cs-bytes cs-method cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query cs-username cs-auth-group s-hierarchy s-supplier-name rs(Content-Type) cs(Referer) cs(User-Agent) sc-filter-result cs-categories x-virus-id s-ip";
/// SGOS predefined `bcreportermain_v1` format (Reporter's default).
const BCREPORTER: &str = "date time time-taken c-ip cs-username cs-auth-group x-exception-id sc-filter-result cs-categories cs(Referer) sc-status s-action cs-method rs(Content-Type) cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query cs-uri-extension cs(User-Agent) s-ip sc-bytes cs-bytes x-virus-id x-bluecoat-application-name x-bluecoat-application-operation";

fn schema(names: &str) -> Schema {
    Schema::new(
        names.split(' ').map(str::as_bytes),
        role_of,
        FileInfo {
            proxy: true,
            ..FileInfo::default()
        },
    )
}

static MAIN_SCHEMA: LazyLock<Schema> = LazyLock::new(|| schema(MAIN));
static BCREPORTER_SCHEMA: LazyLock<Schema> = LazyLock::new(|| schema(BCREPORTER));

impl Format for ProxySg {
    fn name(&self) -> &'static str {
        "proxysg"
    }

    fn title(&self) -> &'static str {
        "Symantec/Broadcom ProxySG access log: main or bcreportermain_v1 without header, or key=value SIEM form"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        if has(b"c-ip=") {
            return has(b"s-action=") || has(b"cs-host=") || has(b"sc-filter-result=");
        }
        // 2026-03-01 09:00:00 <time-taken> <c-ip> ... OBSERVED|PROXIED|DENIED ...
        // in one of the two predefined layouts. Lines of other layouts
        // belong to a file with a #Fields: header, which w3c reads.
        super::elff::ymd(line).is_some()
            && line.get(10) == Some(&b' ')
            && line.get(11..19).and_then(super::elff::hms).is_some()
            && (has(b" OBSERVED ") || has(b" PROXIED ") || has(b" DENIED "))
            && header_less_layout(line).is_some()
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        if line.starts_with(b"#") {
            return Err(LineError::Ignored("w3c header line"));
        }
        if crate::formats::find(line, b"c-ip=").is_some() {
            return parse_kv(line, ctx);
        }
        let (_, msg) = syslog::split(line, ctx);
        header_less_layout(msg)
            .ok_or(LineError::Skipped(
                "not a main or bcreportermain_v1 line (a custom layout needs its #Fields: header)",
            ))?
            .parse(msg, Delim::Space, ctx)
    }

    fn bind_header(&self, head: &[u8]) -> Option<Result<Box<dyn LineParser>, String>> {
        // A file with its ELFF header is read by the header.
        let has_fields = head.split(|&b| b == b'\n').any(|l| l.starts_with(b"#Fields:"));
        if !has_fields {
            return None;
        }
        let base = FileInfo {
            proxy: true,
            ..FileInfo::default()
        };
        Some(W3cParser::from_head(head, role_of, base).map(|p| Box::new(p) as Box<dyn LineParser>))
    }
}

/// The predefined layout of a header-less line: `main` (25 columns) has
/// `s-action` (`TCP_...`) in its 6th column, `bcreportermain_v1` (25 to 27
/// columns, the last two optional) in its 12th.
fn header_less_layout(msg: &[u8]) -> Option<&'static Schema> {
    let is_action = |t: Option<&[u8]>| t.is_some_and(|t| t.starts_with(b"TCP_") || t.starts_with(b"UDP_"));
    let mut cols = super::elff::Columns::new(msg, Delim::Space);
    let sixth = cols.nth(5);
    let twelfth = cols.nth(5);
    let n = 12 + cols.count();
    if n == 25 && is_action(sixth) {
        Some(&MAIN_SCHEMA)
    } else if (25..=27).contains(&n) && is_action(twelfth) {
        Some(&BCREPORTER_SCHEMA)
    } else {
        None
    }
}

/// The `key=value` form. Its time comes from `date`/`time` pairs when the
/// feed has them, else from the stamp that opens the line
/// (`2024-01-12T09:46:02PROXY01 bluecoat - ...`, local time) or the syslog
/// envelope.
fn parse_kv<'a>(line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
    let (hdr, msg) = syslog::split(line, ctx);
    let mut e = Elff::new();
    for (k, v) in pairs(msg) {
        if let Some(r) = role_of(k) {
            e.set(r, Scalar::Raw(v));
        }
    }
    if let Some(stamp) = msg.get(..19).filter(|s| s.get(10) == Some(&b'T') || s.get(10) == Some(&b' ')) {
        e.set(Role::DateTime, Scalar::Raw(stamp));
    }
    if let Some(ms) = hdr.time_ms.and_then(|t| u64::try_from(t).ok()) {
        e.set(Role::Epoch, Scalar::U64(ms));
    }
    e.finish(
        ctx,
        &FileInfo {
            proxy: true,
            ..FileInfo::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Action;
    use crate::time::rfc3339;

    fn ctx() -> TimeCtx {
        TimeCtx::utc(2026)
    }

    #[test]
    fn main_format_without_header() {
        let l = br#"2026-03-01 09:00:00 35 10.1.2.3 200 TCP_TUNNELED 6120 820 CONNECT tcp api.example.com 443 / - svc_etl - DIRECT 203.0.113.50 - - "python-requests/2.31.0" OBSERVED "Technology/Internet" - 10.0.0.1"#;
        assert!(ProxySg.sniff(l));
        let r = ProxySg.parse(l, &ctx()).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-03-01T09:00:00Z");
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!((r.dst_port, r.bytes_out, r.bytes_in), (Some(443), Some(820), Some(6120)));
        assert_eq!(r.user.as_deref(), Some("svc_etl"));
        assert_eq!(r.dst_ip, None, "s-ip is the proxy");
    }

    #[test]
    fn bcreportermain_without_header() {
        let l = br#"2026-03-01 09:00:01 2 10.1.2.4 - - policy_denied DENIED "Gambling" - 403 TCP_DENIED GET text/html http casino.example.net 80 /play ?u=1 - "Mozilla/5.0" 10.0.0.1 1200 300 - "none" "none""#;
        let r = ProxySg.parse(l, &ctx()).unwrap();
        assert_eq!(r.action, Action::Denied);
        assert_eq!((r.dst_port, r.bytes_out, r.bytes_in), (Some(80), Some(300), Some(1200)));
        assert!(r.url_query);
    }

    #[test]
    fn key_value_siem_form_with_glued_host_prefix() {
        let l = br#"2026-03-01T09:46:02PROXY01.EXAMPLE.ORG bluecoat - access_log - c-ip=10.1.2.3 rs-Content-Type="-"  cs-bytes=63 cs-categories="none" cs-host=example.org cs-method=CONNECT cs-uri-port=443 cs-uri-scheme=tcp cs-User-Agent="-" cs-username=- s-action=TCP_ACCELERATED s-ip=10.0.0.1 sc-bytes=39 sc-filter-result=OBSERVED sc-status=200 r-ip=203.0.113.9 x-exception-reason="-" c-url="tcp://example.org:443/""#;
        assert!(ProxySg.sniff(l));
        let r = ProxySg.parse(l, &ctx()).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-03-01T09:46:02Z");
        assert_eq!((r.src_ip, r.dst_ip), ("10.1.2.3".parse().ok(), "203.0.113.9".parse().ok()));
        assert_eq!(r.dst_host.as_deref(), Some("example.org"));
        assert_eq!((r.dst_port, r.bytes_out, r.bytes_in), (Some(443), Some(63), Some(39)));
        assert_eq!((r.action, r.user.as_deref()), (Action::Allowed, None));
    }

    #[test]
    fn denied_key_value_line_and_syslog_stamp() {
        let l = br#"<134>Mar  1 09:00:00 sg01 bluecoat: c-ip=10.1.2.3 cs-host=bad.example.net cs-uri-port=443 sc-filter-result=DENIED x-exception-id=policy_denied cs-username=EXAMPLE\jdoe"#;
        let r = ProxySg.parse(l, &ctx()).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-03-01T09:00:00Z");
        assert_eq!((r.action, r.user.as_deref()), (Action::Denied, Some("jdoe")));
    }

    #[test]
    fn custom_layouts_are_left_to_their_header() {
        let l = br#"2026-03-01 09:00:00 35 10.1.2.3 svc OBSERVED 200 TCP_TUNNELED CONNECT tcp api.example.com 443 / - "curl/8" 10.0.0.1 203.0.113.5 10 20"#;
        assert!(!ProxySg.sniff(l));
        assert!(ProxySg.parse(l, &ctx()).is_err());
    }

    #[test]
    fn header_file_and_other_lines() {
        let head = b"#Software: SGOS 7.3.1.1\n#Version: 1.0\n#Fields: date time c-ip cs-host sc-bytes\n";
        let p = super::super::bind(&ProxySg, head).unwrap();
        let r = p.parse(b"2026-03-01 09:00:00 10.1.2.3 example.com 10", &ctx()).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("example.com"));
        assert!(!ProxySg.sniff(b"2026-03-01 09:00:00 10.1.2.3 GET /"));
        assert!(ProxySg.parse(b"2026-03-01 09:00:00", &ctx()).is_err());
    }
}
