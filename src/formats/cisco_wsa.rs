//! Cisco Web Security Appliance / Secure Web Appliance (AsyncOS for Web 7.x
//! to 15.x) access logs in the native (Squid-derived) format, as written to
//! `aclog` files or pushed over syslog (`Info: ` prefix).
//!
//! Reference: "Access Log File" and "Interpreting Access Log Scanning
//! Verdict Entries" in the AsyncOS for Cisco Secure Web Appliance User Guide
//! <https://www.cisco.com/c/en/us/td/docs/security/wsa/wsa-15-0/user-guide/b_WSA_UserGuide_15_0/b_WSA_UserGuide_11_7_chapter_0101011.html>.
//!
//! `time elapsed client result/status bytes method URL user hierarchy/peer
//! content-type ACL-decision-tag <scanning verdicts> [suspect-user-agent]
//! [custom fields]`. The first ten fields are Squid's; the ACL decision tag
//! and the `<...>` verdict block are what tell a WSA line from a Squid one.
//! `bytes` is what the proxy sent to the client (`bytes_in`); the native
//! format does not log request sizes. CONNECT requests are logged as
//! `tunnel://host:port/`. The W3C variant of the WSA access log is read by
//! the generic `w3c` format.

use super::squid::{connect_target, direct_peer, set_host, url_target, Head};
use super::{next_token, parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{account, text, Action};
use crate::time::{parse_epoch_frac, parse_u64, TimeCtx};

pub struct CiscoWsa;

impl Format for CiscoWsa {
    fn name(&self) -> &'static str {
        "cisco-wsa"
    }

    fn title(&self) -> &'static str {
        "Cisco Web Security Appliance native access log (Squid-like with ACL tag and verdicts)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, DstHost, DstIp, DstPort, Proto, Action, BytesIn, User, Method, Status, Url,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let msg = message(line);
        let Some((t, rest)) = next_token(msg) else { return false };
        let Some((elapsed, rest)) = next_token(rest) else { return false };
        let Some((_client, rest)) = next_token(rest) else { return false };
        let Some((code, rest)) = next_token(rest) else { return false };
        t.len() >= 10
            && parse_epoch_frac(t).is_some()
            && parse_u64(elapsed).is_some()
            && memchr::memchr(b'/', code).is_some()
            && verdict_block(rest).is_some()
    }

    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        let msg = message(line);
        let h = Head::parse(&super::tokens::<9>(msg))?;
        // The ACL decision tag is the word before the verdict block (custom
        // fields such as `CMF:44 DCF:200020` may come between).
        let acl_tag = verdict_block(msg)
            .and_then(|(open, _)| msg.get(..open))
            .and_then(|before| before.trim_ascii_end().rsplit(|&c| c == b' ').next())
            .unwrap_or_default();

        let blocked = [&b"BLOCK"[..], b"DROP"].iter().any(|p| acl_tag.starts_with(p));
        let mut rec = h.record();
        if blocked {
            rec.action = Action::Denied;
        }
        rec.user = (h.req.user != b"-" && !h.req.user.is_empty()).then(|| bare(h.req.user));
        rec.method = (h.req.method != b"-").then(|| text(h.req.method));
        // The peer is the origin server on DIRECT hierarchy codes.
        let peer = direct_peer(h.req.hier);
        if let Some(p) = peer {
            rec.dst_ip = parse_ip(p);
        }
        if h.req.url == b"-" || h.req.url.starts_with(b"error:") {
            return Err(LineError::Ignored("proxy error entry without destination"));
        }
        if h.req.method == b"CONNECT" {
            connect_target(&mut rec, h.req.url);
        } else {
            url_target(&mut rec, h.req.url);
        }
        // A peer named by host (DIRECT/example.com) names the destination
        // when the URL did not.
        if rec.dst_host.is_none() && rec.dst_ip.is_none() {
            if let Some(p) = peer {
                set_host(&mut rec, p);
            }
        }
        if rec.dst_host.is_none() && rec.dst_ip.is_none() {
            return Err(LineError::Skipped("no destination host"));
        }
        Ok(rec)
    }
}

/// The log line without a syslog envelope and the `Info: ` level prefix
/// that syslog push adds.
fn message(line: &[u8]) -> &[u8] {
    let (_, msg) = syslog::split(line, &TimeCtx::default());
    let msg = msg.trim_ascii_start();
    match msg.strip_prefix(b"Info:") {
        Some(r) => r.trim_ascii_start(),
        None => msg,
    }
}

/// The `<...>` scanning verdict block after the Squid fields, as (start, end).
fn verdict_block(rest: &[u8]) -> Option<(usize, usize)> {
    let open = crate::formats::find(rest, b" <")? + 1;
    let close = memchr::memrchr(b'>', rest)?;
    (close > open).then_some((open, close))
}

/// `DOMAIN\user` → `user`, kept as the log wrote it otherwise.
fn bare(u: &[u8]) -> std::borrow::Cow<'_, str> {
    match text(u) {
        std::borrow::Cow::Borrowed(b) => std::borrow::Cow::Borrowed(account(b)),
        std::borrow::Cow::Owned(o) => std::borrow::Cow::Owned(account(&o).to_string()),
    }
}

/// Space-separated tokens.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::squid::SquidNative;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        CiscoWsa.parse(l.as_bytes(), &TimeCtx::default())
    }

    const GET: &str = r#"1767830400.352 97 10.1.2.3 TCP_MISS/200 8187 GET http://files.example.com/a.pdf?x=1 EXAMPLE\jdoe DIRECT/files.example.com application/pdf DEFAULT_CASE_12-DefaultGroup-Internal-NONE-NONE-NONE-DefaultGroup-NONE <"IW_comp",6.9,-,"-",-,-,-,-,"-",-,-,-,"-",-,-,"-","-",-,-,"IW_comp",-,"-","Computers and Internet","Unknown","Unknown","-","-",198.34,0,-,[Local],"-",-,"-",-,-,"-","-"> -"#;

    #[test]
    fn get_request_with_user_and_named_peer() {
        let r = p(GET).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-08T00:00:00Z");
        assert_eq!(r.src_ip, "10.1.2.3".parse().ok());
        assert_eq!(r.dst_host.as_deref(), Some("files.example.com"));
        assert_eq!((r.dst_port, r.bytes_in, r.status), (Some(80), Some(8187), Some(200)));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.method.as_deref(), Some("GET"));
        assert!(r.url_query);
        assert_eq!(r.action, Action::Allowed);
    }

    #[test]
    fn syslog_push_with_info_prefix_and_tunnel_connect() {
        let l = r#"<134>Jan  8 00:00:00 wsa01 accesslogs: Info: 1767830400.563 481 10.1.2.3 TCP_CLIENT_REFRESH_MISS/200 6916 CONNECT tunnel://teams.example.net:443/ - DIRECT/teams.example.net - CMF:44 DCF:200020 ERR:15 PASSTHRU_CUSTOMCAT_7-DefaultGroup-NONE-DefaultGroup-NONE-NONE-DefaultGroup-NONE <"C_MS_0",-,-,"-",-,-,-,-,"-",-,-,-,"-",-,-,"-","-",-,-,"-",-,"-","-","-","-","-","-","-",115.03,0,-,"-","-",-,"-",-,-,"-","-",-,-,"-",-,-> - 1 teams.example.net 203.0.113.5"#;
        assert!(CiscoWsa.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("teams.example.net"));
        assert_eq!(r.dst_port, Some(443));
        assert_eq!(r.url, None);
        // Custom fields before the ACL decision tag do not hide a block.
        let blocked = l.replace("PASSTHRU_CUSTOMCAT_7", "BLOCK_ADMIN_CONNECT");
        assert_eq!(p(&blocked).unwrap().action, Action::Denied);
    }

    #[test]
    fn denied_by_status_or_acl_tag() {
        let l = r#"1767830400.359 0 10.1.2.3 TCP_DENIED/407 0 CONNECT tunnel://www.example.com:443/ - NONE/- - OTHER-NONE-AD_Users-NONE-NONE-NONE-NONE-NONE <"-",-,-,"-",-,-,-,-,"-",-,-,-,"-",-,-,"-","-",-,-,"-",-,"-","-","-","-","-","-","-",0.00,0,-,"-","-",-,"-",-,-,"-","-",-,-,"-",-,-> - 0 - -"#;
        assert_eq!(p(l).unwrap().action, Action::Denied);
        let blocked = GET.replace("DEFAULT_CASE_12", "BLOCK_WEBCAT_12");
        assert_eq!(p(&blocked).unwrap().action, Action::Denied);
    }

    #[test]
    fn ip_literal_tunnel_goes_to_dst_ip() {
        let l = r#"1767830400.853 125 10.1.2.3 TCP_MISS/200 300 CONNECT tunnel://203.0.113.9:443/ - DIRECT/203.0.113.9 - PASSTHRU_CUSTOMCAT_7-Office365-NONE-DefaultGroup-NONE-NONE-DefaultGroup-NONE <"C_MS_O",-3.0,1,"-",-,-> - 2 203.0.113.9 203.0.113.9"#;
        let r = p(l).unwrap();
        assert_eq!((r.dst_host, r.dst_ip, r.dst_port), (None, "203.0.113.9".parse().ok(), Some(443)));
    }

    #[test]
    fn squid_lines_are_not_claimed_and_wsa_lines_not_left_to_squid() {
        let squid = "1700000000.123    245 10.1.2.3 TCP_MISS/200 5123 GET http://h.example/p - HIER_DIRECT/192.0.2.34 text/html";
        assert!(!CiscoWsa.sniff(squid.as_bytes()));
        let squid_ua = r#"1564655684.277 3387 192.168.0.1 TCP_TUNNEL/200 19131 CONNECT example.org:443 svc HIER_DIRECT/example.org - "-" "python-requests/2.31""#;
        assert!(!CiscoWsa.sniff(squid_ua.as_bytes()));
        assert!(CiscoWsa.sniff(GET.as_bytes()));
        // Both sniff a WSA line; detection takes cisco-wsa because it comes first.
        assert!(SquidNative.sniff(GET.as_bytes()));
        let wsa = crate::formats::FORMATS.iter().position(|f| f.name() == "cisco-wsa");
        let squid = crate::formats::FORMATS.iter().position(|f| f.name() == "squid");
        assert!(wsa < squid);
    }

    #[test]
    fn malformed_lines() {
        assert_eq!(
            p("1767830400.1 1 host.example TCP_MISS/200 1 GET http://a/ - DIRECT/a - X <a>"),
            Err(LineError::Skipped("client is not an IP address"))
        );
        assert!(matches!(p("1767830400.1 1 10.0.0.1 TCP_MISS/200 x"), Err(LineError::Skipped(_))));
    }

    #[test]
    fn every_prefix_of_a_line_is_handled_without_panic() {
        let l = format!("<134>Jan  8 00:00:00 wsa accesslogs: Info: {GET}");
        for i in 0..=l.len() {
            let b = l.as_bytes().get(..i).unwrap_or_default();
            let _ = (CiscoWsa.parse(b, &TimeCtx::default()), CiscoWsa.sniff(b));
        }
        assert!(p(&l).is_ok());
    }
}
