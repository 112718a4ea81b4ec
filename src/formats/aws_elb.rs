//! Amazon Web Services Elastic Load Balancing access logs: Application Load
//! Balancer (`http`/`https`/`h2`/`grpcs`/`ws`/`wss` entries), Classic Load
//! Balancer (the line starts with the time), and Network Load Balancer TLS
//! listener entries (`tls 2.0 ...`).
//!
//! References:
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html>,
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html>,
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html>.
//!
//! These logs are inbound: the source is the client that connected to the
//! load balancer, `received_bytes` (from the client) its `bytes_out` and
//! `sent_bytes` its `bytes_in`. The destination is what the client asked
//! for: the request URL's host and port, else the TLS SNI (`domain_name`),
//! else (TCP listeners of a Classic Load Balancer, which log no request) the
//! back end the request went to. Times are UTC; the NLB's time has no zone
//! designator but is UTC all the same. A request the load balancer answered
//! with 403 itself (no target status: AWS WAF or an authentication rule)
//! counts as denied.

use super::kv::{closing_quote, unescape};
use super::squid::set_host;
use super::url::{split_host_port, split_url};
use super::{parse_ip, Field, Format, LineError, LineResult};
use crate::record::{opt_text, text, Action, Proto, Record};
use crate::time::{parse_iso8601, parse_u16, parse_u64, TimeCtx, Zone};

pub struct AwsElb;

/// ALB entry types (the first field).
const ALB_TYPES: &[&[u8]] = &[b"http", b"https", b"h2", b"grpcs", b"ws", b"wss"];

/// Space-separated fields; a `"quoted string"` is one field (without quotes).
struct Tokens<'a>(&'a [u8]);

impl<'a> Tokens<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let s = self.0.trim_ascii_start();
        if s.is_empty() {
            return None;
        }
        if let Some(body) = s.strip_prefix(b"\"") {
            let end = closing_quote(body);
            self.0 = body.get(end + 1..).unwrap_or_default();
            return body.get(..end);
        }
        let end = memchr::memchr(b' ', s).unwrap_or(s.len());
        self.0 = s.get(end..).unwrap_or_default();
        s.get(..end)
    }

    fn skip(&mut self, n: usize) {
        for _ in 0..n {
            self.next();
        }
    }
}

fn utc(stamp: &[u8]) -> Option<i64> {
    parse_iso8601(stamp, &Zone::Fixed(0))
}

/// `-1` and `-` mean "not available".
fn count(b: &[u8]) -> Option<u64> {
    parse_u64(b)
}

/// `192.0.2.10:2817` → (ip, port).
fn endpoint(b: &[u8]) -> (Option<std::net::IpAddr>, Option<u16>) {
    let (h, p) = split_host_port(b);
    (parse_ip(h), p)
}

impl Format for AwsElb {
    fn name(&self) -> &'static str {
        "aws-elb"
    }

    fn title(&self) -> &'static str {
        "AWS Elastic Load Balancing access log (Application, Classic, Network TLS)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, UserAgent, Method, Status, Url,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let mut t = Tokens(line);
        let (Some(a), Some(b), Some(c)) = (t.next(), t.next(), t.next()) else {
            return false;
        };
        if ALB_TYPES.contains(&a) {
            // type time elb client:port
            utc(b).is_some() && t.next().is_some_and(|cl| endpoint(cl).0.is_some())
        } else if a == b"tls" {
            // tls version time elb listener client:port
            utc(c).is_some()
        } else {
            // time elb client:port backend:port
            a.len() > 20 && utc(a).is_some() && endpoint(c).0.is_some()
        }
    }

    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        let mut t = Tokens(line);
        let first = t.next().ok_or(LineError::Skipped("empty line"))?;
        if first == b"tls" {
            return parse_nlb(t);
        }
        let alb = ALB_TYPES.contains(&first);
        let stamp = if alb { t.next().unwrap_or_default() } else { first };
        let time_ms = utc(stamp).ok_or(LineError::Skipped("bad timestamp"))?;
        let _elb = t.next();
        let (src_ip, src_port) = endpoint(t.next().unwrap_or_default());
        let src_ip = Some(src_ip.ok_or(LineError::Skipped("client is not an IP address"))?);
        let backend = t.next().unwrap_or_default();
        t.skip(3); // request, target and response processing times
        let elb_status = t.next().unwrap_or_default();
        let target_status = t.next().unwrap_or_default();
        let received = t.next().ok_or(LineError::Skipped("truncated line"))?;
        let sent = t.next().ok_or(LineError::Skipped("truncated line"))?;
        let request = t.next().ok_or(LineError::Skipped("truncated line"))?;
        let agent = t.next().unwrap_or_default();
        // ALB only: ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name"
        t.skip(4);
        let domain = if alb { t.next().unwrap_or_default() } else { b"-" };

        let status = parse_u16(elb_status);
        let denied = status == Some(403) && target_status == b"-";
        let mut rec = Record {
            time_ms,
            src_ip,
            src_port,
            proto: Proto::Tcp,
            action: if denied { Action::Denied } else { Action::Allowed },
            bytes_out: count(received),
            bytes_in: count(sent),
            user_agent: opt_text(agent).map(|_| unescape(agent)),
            status,
            ..Record::default()
        };
        // "GET https://www.example.com:443/path?q HTTP/1.1", or "- - - ".
        let mut parts = request.split(|&c| c == b' ').filter(|p| !p.is_empty());
        let method = parts.next().unwrap_or_default();
        let url = parts.next().unwrap_or_default();
        if url != b"-" && !url.is_empty() {
            let u = split_url(url);
            set_host(&mut rec, u.host);
            rec.dst_port = u.port;
            rec.scheme = u.scheme;
            rec.url_query = u.query;
            rec.url = Some(text(url));
            rec.method = opt_text(method);
        }
        if rec.dst_host.is_none() && rec.dst_ip.is_none() {
            if domain != b"-" && !domain.is_empty() {
                rec.dst_host = Some(text(domain));
            } else {
                let (ip, port) = endpoint(backend);
                rec.dst_ip = ip;
                rec.dst_port = rec.dst_port.or(port);
            }
        }
        Ok(rec)
    }
}

fn parse_nlb(mut t: Tokens<'_>) -> LineResult<'_> {
    let _version = t.next();
    let time_ms = t.next().and_then(utc).ok_or(LineError::Skipped("bad timestamp"))?;
    t.skip(2); // elb, listener
    let (src_ip, src_port) = endpoint(t.next().unwrap_or_default());
    let src_ip = Some(src_ip.ok_or(LineError::Skipped("client is not an IP address"))?);
    let (dst_ip, dst_port) = endpoint(t.next().unwrap_or_default());
    t.skip(2); // connection_time, tls_handshake_time
    let bytes_out = t.next().and_then(count);
    let bytes_in = t.next().and_then(count);
    t.skip(6); // incoming_tls_alert .. tls_named_group
    let domain = t.next().unwrap_or_default();
    let mut rec = Record {
        time_ms,
        src_ip,
        src_port,
        dst_ip,
        dst_port,
        proto: Proto::Tcp,
        action: Action::Allowed,
        bytes_out,
        bytes_in,
        ..Record::default()
    };
    if domain != b"-" && !domain.is_empty() {
        rec.dst_host = Some(text(domain));
    }
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Scheme;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        AwsElb.parse(l.as_bytes(), &TimeCtx::default())
    }

    const ALB: &str = r#"https 2026-01-01T00:00:00.123456Z app/my-lb/50dc6c495c0c9188 192.0.2.10:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET https://api.example.com:443/v1/items?token=x HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "api.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2026-01-01T00:00:00.120000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-""#;

    #[test]
    fn alb_entry_client_is_the_source() {
        let r = p(ALB).unwrap();
        assert_eq!(r.time_ms, 1_767_225_600_123);
        assert_eq!(r.src_ip, "192.0.2.10".parse().ok());
        assert_eq!(r.src_port, Some(2817));
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!((r.dst_ip, r.dst_port), (None, Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(34), Some(366)));
        assert_eq!(r.user_agent.as_deref(), Some("curl/8.5.0"));
        assert_eq!((r.method.as_deref(), r.status), (Some("GET"), Some(200)));
        assert_eq!((r.scheme, r.url_query, r.action), (Scheme::Https, true, Action::Allowed));
    }

    #[test]
    fn alb_waf_block_is_denied() {
        let l = r#"http 2026-01-01T00:00:01.000000Z app/my-lb/50dc6c495c0c9188 198.51.100.7:40000 - -1 -1 -1 403 - 120 251 "POST http://www.example.com:80/login HTTP/1.1" "-" - - - "Root=1-5" "-" "-" 0 2026-01-01T00:00:01.000000Z "waf" "-" "-" "-" "-" "-" "-""#;
        let r = p(l).unwrap();
        assert_eq!(r.action, Action::Denied);
        assert_eq!((r.status, r.user_agent), (Some(403), None));
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("www.example.com"), Some(80)));
    }

    #[test]
    fn classic_http_and_tcp_listeners() {
        let http = r#"2026-01-01T00:00:02.000000Z my-loadbalancer 192.0.2.20:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/8.5.0" - -"#;
        let r = p(http).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("www.example.com"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(0), Some(29)));
        // A TCP listener logs no request: the destination is the back end.
        let tcp = r#"2026-01-01T00:00:03.000000Z my-loadbalancer 192.0.2.20:2817 10.0.0.1:443 0.001 0.0001 0.00002 - - -1 -1 "- - - " "-" ECDHE-ECDSA-AES128-GCM-SHA256 TLSv1.2"#;
        let r = p(tcp).unwrap();
        assert_eq!((r.dst_ip, r.dst_port), ("10.0.0.1".parse().ok(), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in, r.method, r.status), (None, None, None, None));
    }

    #[test]
    fn nlb_tls_entry_names_the_sni() {
        let l = "tls 2.0 2026-01-01T00:00:04 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 192.0.2.30:51341 203.0.113.5:443 5 2 98 246 - arn:aws:acm:us-east-2:123456789012:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - api.example.com h2 h2 \"h2\" 2026-01-01T00:00:00";
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-01T00:00:04Z");
        assert_eq!(r.src_ip, "192.0.2.30".parse().ok());
        assert_eq!((r.dst_ip, r.dst_port), ("203.0.113.5".parse().ok(), Some(443)));
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(98), Some(246)));
    }

    #[test]
    fn sniff_and_malformed() {
        assert!(AwsElb.sniff(ALB.as_bytes()));
        assert!(AwsElb.sniff(b"2026-01-01T00:00:02.000000Z my-lb 192.0.2.20:2817 10.0.0.1:80 0 0 0 200 200 0 29 \"- - - \" \"-\" - -"));
        assert!(!AwsElb.sniff(b"2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK"));
        assert!(!AwsElb.sniff(b"http"));
        assert_eq!(p("https soon app/x 192.0.2.1:1"), Err(LineError::Skipped("bad timestamp")));
        assert_eq!(
            p("2026-01-01T00:00:02Z my-lb client:1 10.0.0.1:80"),
            Err(LineError::Skipped("client is not an IP address"))
        );
        assert_eq!(
            p("2026-01-01T00:00:02Z my-lb 192.0.2.1:1 10.0.0.1:80 0 0 0 200"),
            Err(LineError::Skipped("truncated line"))
        );
    }
}
