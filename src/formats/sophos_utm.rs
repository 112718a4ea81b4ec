//! Sophos UTM (formerly Astaro Security Gateway, UTM 9.x) logs:
//! packet filter (`ulogd: id="2001" ... sys="SecureNet" sub="packetfilter"
//! name="Packet dropped" action="drop" ... srcip="..." dstip="..."
//! proto="6" length="60" srcport="..." dstport="..."`), web proxy
//! (`httpproxy: id="0001" ... sys="SecureWeb" sub="http" name="http access"
//! action="pass" method="GET" srcip=... dstip=... user=... statuscode=...
//! size=... url=... ua=...`) and web application firewall (`reverseproxy`
//! / `httpd: id="0299" srcip=... localip=... size=... server=... port=...`).
//!
//! Reference: Sophos UTM log file field descriptions
//! <https://support.sophos.com/support/s/article/KB-000038111> and the UTM 9
//! administration guide, "Logging & Reporting".
//!
//! The packet filter logs one line per packet (`bytes_out` is the IP
//! `length`); web proxy and WAF lines are one request each (`size` is the
//! response the client received, so `bytes_in`). Intrusion prevention,
//! authentication and system lines are ignored. Lines start with the UTM's
//! own stamp `2026:10:05-00:15:02` in local time (`--tz`).

use super::common::{has, local_ms, undated, user, ymd_hms};
use super::kv::{pairs, unescape};
use super::squid::{connect_target, set_host};
use super::url::split_url;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, text, Action, Proto, Record};
use crate::time::{parse_u16, parse_u64, TimeCtx};

pub struct SophosUtm;

impl Format for SophosUtm {
    fn name(&self) -> &'static str {
        "sophos-utm"
    }

    fn title(&self) -> &'static str {
        "Sophos UTM (ASG) packet filter, web proxy and WAF logs"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"id=\"") && (has(line, b" sys=\"") || has(line, b" localip=\""))
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let mut rec = Record::default();
        let (mut sub, mut action, mut name) = (&b""[..], &b""[..], &b""[..]);
        let (mut length, mut size, mut url, mut server, mut port, mut localip) = (None, None, None, None, None, None);
        let mut waf = false;
        for (k, v) in pairs(line) {
            match k {
                b"id" => waf = v == b"0299",
                b"sub" => sub = v,
                b"name" => name = v,
                b"action" => action = v,
                b"srcip" => rec.src_ip = parse_ip(v),
                b"dstip" => rec.dst_ip = parse_ip(v),
                b"srcport" => rec.src_port = parse_u16(v),
                b"dstport" => rec.dst_port = parse_u16(v),
                b"proto" => rec.proto = Proto::parse(v),
                b"length" => length = parse_u64(v),
                b"size" => size = parse_u64(v),
                b"method" => rec.method = opt_text(v),
                b"statuscode" => rec.status = parse_u16(v),
                b"user" => rec.user = user(v),
                b"ua" => rec.user_agent = opt_text(v).map(|_| unescape(v)),
                b"url" => url = Some(v),
                b"server" => server = Some(v),
                b"port" => port = parse_u16(v),
                b"localip" => localip = parse_ip(v),
                _ => {}
            }
        }
        match sub {
            b"packetfilter" => {
                rec.bytes_out = length;
                rec.action = match Action::from_word(action) {
                    Action::Unknown => Action::from_word(name.split(|&c| c == b' ').nth(1).unwrap_or_default()),
                    a => a,
                };
                if rec.action == Action::Unknown {
                    rec.action = Action::Allowed; // "DNS request" and other logged passes
                }
            }
            b"http" => {
                web_target(&mut rec, url);
                rec.proto = Proto::Tcp;
                rec.bytes_in = size;
                rec.action = match Action::from_word(action) {
                    Action::Unknown => Action::Allowed,
                    a => a,
                };
            }
            _ if waf => {
                // Reverse proxy: the client asked the published `server`.
                rec.dst_ip = localip;
                if let Some(s) = server {
                    set_host(&mut rec, s);
                }
                rec.dst_port = port;
                if let Some(u) = url {
                    rec.url = Some(text(u));
                }
                rec.proto = Proto::Tcp;
                rec.bytes_in = size;
                rec.action = if rec.status == Some(403) { Action::Denied } else { Action::Allowed };
            }
            b"" => return Err(LineError::Skipped("no sub= subsystem")),
            _ => return Err(LineError::Ignored("non-traffic subsystem")),
        }
        if rec.src_ip.is_none() {
            return Err(LineError::Skipped("bad or missing srcip"));
        }
        rec.time_ms = time(line, ctx);
        Ok(rec)
    }
}

/// Host and port of a proxied request from its URL (or CONNECT target).
fn web_target<'a>(rec: &mut Record<'a>, url: Option<&'a [u8]>) {
    let Some(u) = url.filter(|u| !u.is_empty()) else {
        return;
    };
    if rec.method.as_deref() == Some("CONNECT") && !has(u, b"://") {
        connect_target(rec, u);
        return;
    }
    let p = split_url(u);
    set_host(rec, p.host);
    rec.dst_port = p.port.or(rec.dst_port);
    rec.scheme = p.scheme;
    rec.url_query = p.query;
    rec.url = Some(text(u));
}

/// The UTM's `2026:10:05-00:15:02` stamp (after an optional `<PRI>`), else
/// a syslog envelope's.
fn time(line: &[u8], ctx: &TimeCtx) -> i64 {
    if let Some((local, ms, _)) = ymd_hms(syslog::strip_pri(line)) {
        return local_ms(ctx, local, ms);
    }
    syslog::split(line, ctx).0.time_ms.unwrap_or_else(|| undated(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{rfc3339, Zone};

    fn p(l: &str) -> LineResult<'_> {
        SophosUtm.parse(
            l.as_bytes(),
            &TimeCtx {
                year: 2026,
                zone: Zone::Fixed(7200),
                ref_ms: None,
            },
        )
    }

    #[test]
    fn packet_filter_drop_in_local_time() {
        let l = r#"<30>2026:10:05-02:15:02 utm-1 ulogd[12511]: id="2001" severity="info" sys="SecureNet" sub="packetfilter" name="Packet dropped" action="drop" fwrule="60001" initf="eth1" srcmac="00:00:5e:00:53:01" dstmac="00:00:5e:00:53:02" srcip="198.51.100.7" dstip="192.0.2.10" proto="6" length="60" tos="0x00" prec="0x00" ttl="52" srcport="44321" dstport="22" tcpflags="SYN""#;
        assert!(SophosUtm.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port, r.bytes_out), (Some(44321), Some(22), Some(60)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Denied));
    }

    #[test]
    fn accepted_packets_and_dns_requests_are_allowed() {
        let a = p(r#"id="2002" severity="info" sys="SecureNet" sub="packetfilter" name="Packet accepted" action="accept" srcip="192.0.2.10" dstip="2001:db8::53" proto="17" length="103" srcport="51208" dstport="53""#).unwrap();
        assert_eq!((a.action, a.proto), (Action::Allowed, Proto::Udp));
        assert_eq!(a.dst_ip, "2001:db8::53".parse().ok());
        let d = p(r#"id="2014" severity="info" sys="SecureNet" sub="packetfilter" name="DNS request" action="DNS request" srcip="192.0.2.10" dstip="198.51.100.53" proto="17" length="75" srcport="34200" dstport="53""#).unwrap();
        assert_eq!(d.action, Action::Allowed);
    }

    #[test]
    fn web_proxy_request_with_user_and_agent() {
        let r = p(r#"2026:10:05-02:15:02 utm-1 httpproxy[4321]: id="0001" severity="info" sys="SecureWeb" sub="http" name="http access" action="pass" method="GET" srcip="192.0.2.10" dstip="203.0.113.7" user="EXAMPLE\jdoe" group="" statuscode="200" cached="0" size="5400" url="https://api.example.com/v1/items?page=2" referer="" ua="curl/8.4.0" category="9998""#).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!(
            (r.dst_port, r.bytes_in, r.status, r.url_query),
            (Some(443), Some(5400), Some(200), true)
        );
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.user_agent.as_deref(), Some("curl/8.4.0"));
        let b = p(r#"id="0002" severity="info" sys="SecureWeb" sub="http" name="web request blocked" action="block" method="CONNECT" srcip="192.0.2.10" dstip="" statuscode="403" url="files.example.net:443""#).unwrap();
        assert_eq!((b.action, b.dst_port), (Action::Denied, Some(443)));
        assert_eq!(b.dst_host.as_deref(), Some("files.example.net"));
    }

    #[test]
    fn waf_request_to_published_server() {
        let r = p(r#"2026:10:05-02:15:02 utm-1 httpd: id="0299" srcip="198.51.100.7" localip="192.0.2.5" size="112" user="-" host="192.0.2.5" method="POST" statuscode="200" url="/api/" server="portal.example.com" port="443""#).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("portal.example.com"));
        assert_eq!((r.dst_port, r.bytes_in, r.bytes_out), (Some(443), Some(112), None));
    }

    #[test]
    fn ips_and_system_lines_are_ignored() {
        assert_eq!(
            p(
                r#"id="2101" severity="info" sys="SecureNet" sub="ips" name="Intrusion protection alert" srcip="198.51.100.7" dstip="192.0.2.10""#
            ),
            Err(LineError::Ignored("non-traffic subsystem"))
        );
        assert_eq!(
            p(r#"id="3005" severity="warn" sys="System" sub="auth" name="Authentication failed" srcip="198.51.100.7" user="jdoe""#),
            Err(LineError::Ignored("non-traffic subsystem"))
        );
    }
}
