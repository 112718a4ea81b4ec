//! Zscaler Internet Access (ZIA) Nanolog Streaming Service (NSS and Cloud
//! NSS) feeds: web logs and firewall logs, as JSON (`{"sourcetype":
//! "zscalernss-web", "event": {...}}`, or the bare event object) or as
//! tab-separated `name=value` pairs, with or without a syslog envelope.
//! Field names are those of Zscaler's JSON and Splunk feed templates
//! (`datetime`, `ClientIP`, `serverip`, `hostname`, `requestsize`, `csip`,
//! `sdip`, `inbytes`, ...). LEEF-formatted feeds are read by the `leef` format.
//!
//! References: "NSS Feed Output Format: Web Logs" and "...: Firewall Logs"
//! <https://help.zscaler.com/zia/nss-feed-output-format-web-logs>,
//! <https://help.zscaler.com/zia/nss-feed-output-format-firewall-logs>.
//!
//! - Web: the source is `ClientIP` (the internal address);
//!   `clientpublicIP` is the site's NAT address and is not used. `user` (or
//!   `login`) is the authenticated user; `deviceowner` is the Client
//!   Connector device's owner and is not used. `url` has no scheme; the
//!   scheme and the default port come from `protocol` (`HTTP`, `HTTPS`, `SSL`).
//!   `useragent` is %-encoded by NSS and is decoded.
//! - Firewall: client side `csip:csport` → server side `sdip:sdport`
//!   (falling back to the client's destination `cdip:cdport`).
//!   `inbytes` counts what entered Zscaler from the client, i.e. the
//!   client's bytes out, and `outbytes` what went back to it (as Zscaler's
//!   Elastic and SEKOIA integrations read them).
//! - DNS, tunnel, audit, CASB and DLP feeds are not traffic and are ignored.
//! - Times without a zone (`2023-08-28 15:43:14`, `Mon Aug 28 15:43:59 2023`)
//!   are in the feed's configured zone: give it with `--tz`.

use super::jsonwalk::{looks_like_object, walk, Scalar, Sink};
use super::kv::{pairs, pairs_sep};
use super::{syslog, Field, Format, Framing, LineError, LineResult};
use crate::record::{Action, Proto, Record, Scheme};
use crate::time::{civil_seconds, digits, epoch_auto_ms, month_from_abbr, parse_iso8601, TimeCtx};
use std::borrow::Cow;

pub struct Zscaler;

/// The members seam reads, from any feed type.
#[derive(Default)]
struct Nss<'a> {
    sourcetype: Option<Scalar<'a>>,
    datetime: Option<Scalar<'a>>,
    epochtime: Option<Scalar<'a>>,
    // web
    client_ip: Option<Scalar<'a>>,
    server_ip: Option<Scalar<'a>>,
    hostname: Option<Scalar<'a>>,
    url: Option<Scalar<'a>>,
    protocol: Option<Scalar<'a>>,
    method: Option<Scalar<'a>>,
    status: Option<Scalar<'a>>,
    request_size: Option<Scalar<'a>>,
    response_size: Option<Scalar<'a>>,
    user_agent: Option<Scalar<'a>>,
    app: Option<Scalar<'a>>,
    srv_dport: Option<Scalar<'a>>,
    // firewall
    csip: Option<Scalar<'a>>,
    csport: Option<Scalar<'a>>,
    cdip: Option<Scalar<'a>>,
    cdport: Option<Scalar<'a>>,
    sdip: Option<Scalar<'a>>,
    sdport: Option<Scalar<'a>>,
    proto: Option<Scalar<'a>>,
    inbytes: Option<Scalar<'a>>,
    outbytes: Option<Scalar<'a>>,
    domain: Option<Scalar<'a>>,
    // both
    user: Option<Scalar<'a>>,
    action: Option<Scalar<'a>>,
    /// A member only DNS, tunnel, audit, CASB or DLP records have.
    other_feed: bool,
}

impl<'a> Sink<'a> for Nss<'a> {
    fn field(&mut self, key: &str, value: Scalar<'a>) {
        self.set(key.as_bytes(), value);
    }

    fn descend(&mut self, key: &str) -> bool {
        key == "event"
    }
}

impl<'a> Nss<'a> {
    fn set(&mut self, key: &[u8], v: Scalar<'a>) {
        // NSS writes NA / None / N/A for absent values.
        let blank = v.is_blank() || matches!(v.bytes().map(<[u8]>::trim_ascii), Some(b"NA" | b"None" | b"N/A"));
        let slot = match key {
            b"sourcetype" => &mut self.sourcetype,
            b"datetime" | b"time" => &mut self.datetime,
            b"epochtime" => &mut self.epochtime,
            b"ClientIP" | b"cip" => &mut self.client_ip,
            b"serverip" | b"sip" => &mut self.server_ip,
            b"hostname" | b"host" => &mut self.hostname,
            b"url" | b"eurl" => &mut self.url,
            b"protocol" => &mut self.protocol,
            b"requestmethod" | b"reqmethod" => &mut self.method,
            b"status" | b"respcode" => &mut self.status,
            b"requestsize" | b"reqsize" => &mut self.request_size,
            b"responsesize" | b"respsize" => &mut self.response_size,
            b"useragent" | b"ua" => &mut self.user_agent,
            b"appname" | b"nwapp" => &mut self.app,
            b"srv_dport" => &mut self.srv_dport,
            b"csip" => &mut self.csip,
            b"csport" => &mut self.csport,
            b"cdip" => &mut self.cdip,
            b"cdport" => &mut self.cdport,
            b"sdip" => &mut self.sdip,
            b"sdport" => &mut self.sdport,
            b"proto" => &mut self.proto,
            b"inbytes" => &mut self.inbytes,
            b"outbytes" => &mut self.outbytes,
            b"cltdomain" => &mut self.domain,
            b"user" | b"login" => &mut self.user,
            b"action" => &mut self.action,
            b"dns_req" | b"tunneltype" | b"Recordtype" | b"auditlogtype" | b"applicationname" | b"dlpidentifier" => {
                self.other_feed = true;
                return;
            }
            _ => return,
        };
        if !blank && slot.is_none() {
            *slot = Some(v);
        }
    }

    fn record(self, ctx: &TimeCtx) -> LineResult<'a> {
        let kind = self.sourcetype.as_ref().and_then(Scalar::bytes).unwrap_or_default();
        let firewall = match kind {
            b"zscalernss-web" => false,
            b"zscalernss-fw" => true,
            b"" if self.csip.is_some() => true,
            b"" if self.client_ip.is_some() && !self.other_feed => false,
            b"zscalernss-dns" => return Err(LineError::Ignored("dns log")),
            _ => return Err(LineError::Ignored("not a web or firewall log")),
        };
        let time_ms = self.time(ctx).ok_or(LineError::Skipped("no usable datetime"))?;
        let mut rec = Record {
            time_ms,
            user: self.user.and_then(Scalar::text),
            action: self.action.as_ref().and_then(Scalar::bytes).map_or(Action::Allowed, verdict),
            service: self.app.and_then(Scalar::text),
            ..Record::default()
        };
        if firewall {
            rec.src_ip = self.csip.as_ref().and_then(Scalar::ip);
            rec.src_port = self.csport.as_ref().and_then(Scalar::port);
            rec.dst_ip = self
                .sdip
                .as_ref()
                .and_then(Scalar::ip)
                .or_else(|| self.cdip.as_ref().and_then(Scalar::ip));
            rec.dst_port = self
                .sdport
                .as_ref()
                .and_then(Scalar::port)
                .or_else(|| self.cdport.as_ref().and_then(Scalar::port));
            rec.dst_host = self.domain.and_then(Scalar::text);
            rec.proto = self.proto.as_ref().and_then(Scalar::bytes).map_or(Proto::Unknown, Proto::parse);
            rec.bytes_out = self.inbytes.as_ref().and_then(Scalar::u64);
            rec.bytes_in = self.outbytes.as_ref().and_then(Scalar::u64);
        } else {
            rec.src_ip = self.client_ip.as_ref().and_then(Scalar::ip);
            rec.dst_ip = self.server_ip.as_ref().and_then(Scalar::ip);
            rec.proto = Proto::Tcp;
            rec.scheme = match self.protocol.as_ref().and_then(Scalar::bytes).unwrap_or_default() {
                b"SSL" | b"HTTPS" | b"ssl" | b"https" => Scheme::Https,
                other => Scheme::parse(other),
            };
            rec.dst_port = self.srv_dport.as_ref().and_then(Scalar::port).or(rec.scheme.default_port());
            rec.method = self.method.and_then(Scalar::text);
            rec.status = self.status.as_ref().and_then(Scalar::u16);
            rec.bytes_out = self.request_size.as_ref().and_then(Scalar::u64);
            rec.bytes_in = self.response_size.as_ref().and_then(Scalar::u64);
            rec.user_agent = self.user_agent.and_then(Scalar::text).map(percent_decode);
            let url = self.url.and_then(Scalar::text);
            let url_host = url.as_ref().map(|u| {
                let b = u.as_bytes();
                let end = b.iter().position(|&c| matches!(c, b'/' | b'?' | b':')).unwrap_or(b.len());
                super::elff::sub_cow(u, b.get(..end).unwrap_or_default())
            });
            rec.dst_host = self.hostname.and_then(Scalar::text).or(url_host).filter(|h| !h.is_empty());
            rec.url_query = url.as_deref().is_some_and(|u| u.contains('?'));
            rec.url = url;
        }
        if rec.src_ip.is_none() {
            return Err(LineError::Skipped("no client address"));
        }
        Ok(rec)
    }

    fn time(&self, ctx: &TimeCtx) -> Option<i64> {
        if let Some(e) = self.epochtime.as_ref().and_then(Scalar::u64) {
            return Some(epoch_auto_ms(e));
        }
        let b = self.datetime.as_ref()?.bytes()?.trim_ascii();
        parse_iso8601(b, &ctx.zone).or_else(|| parse_ctime(b, ctx))
    }
}

/// `Mon Aug 28 15:43:59 2023` (the NSS `%s{time}` form), local time.
fn parse_ctime(b: &[u8], ctx: &TimeCtx) -> Option<i64> {
    let rest = b.get(4..)?; // day name
    let mo = month_from_abbr(rest)?;
    let rest = rest.get(4..)?.trim_ascii_start();
    let (day, rest) = match rest.get(1) {
        Some(b' ') => (digits(rest, 1)?, rest.get(2..)?),
        _ => (digits(rest, 2)?, rest.get(3..)?),
    };
    let h = digits(rest, 2)?;
    let mi = digits(rest.get(3..)?, 2)?;
    let s = digits(rest.get(6..)?, 2)?;
    let y = digits(rest.get(9..)?, 4)?;
    let local = civil_seconds(i64::from(y), mo, day, h, mi, s)?;
    Some(ctx.zone.local_to_utc(local) * 1000)
}

/// NSS action words: `Allowed`, `Blocked`, `Allow`, `Drop`, `Block`, ...
fn verdict(a: &[u8]) -> Action {
    match Action::from_word(a) {
        Action::Unknown if a.get(..5).is_some_and(|p| p.eq_ignore_ascii_case(b"block")) => Action::Denied,
        Action::Unknown => Action::Allowed,
        known => known,
    }
}

/// Decodes `%HH` escapes (NSS encodes spaces and control characters).
fn percent_decode(s: Cow<'_, str>) -> Cow<'_, str> {
    if !s.contains('%') {
        return s;
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|&h| (h as char).to_digit(16));
        match (c, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Cow::Owned(crate::record::text(&out).into_owned())
}

impl Format for Zscaler {
    fn name(&self) -> &'static str {
        "zscaler"
    }

    fn title(&self) -> &'static str {
        "Zscaler Internet Access NSS web and firewall feeds (JSON or tab-separated name=value)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        if has(b"LEEF:") || has(b"CEF:") {
            return false;
        }
        has(b"zscalernss-")
            || has(b"\"clientpublicIP\"")
            || (has(b"\"csip\"") && has(b"\"sdip\""))
            || (has(b"ClientIP=") && has(b"serverip="))
            || (has(b"csip=") && has(b"sdip="))
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let mut nss = Nss::default();
        if looks_like_object(line) {
            walk(line, &mut nss).map_err(|_| LineError::Skipped("malformed JSON"))?;
        } else {
            let (_, msg) = syslog::split(line, ctx);
            if memchr::memchr(b'\t', msg).is_some() {
                pairs_sep(msg, b'\t').for_each(|(k, v)| nss.set(k, Scalar::Raw(v)));
            } else {
                pairs(msg).for_each(|(k, v)| nss.set(k, Scalar::Raw(v)));
            }
        }
        nss.record(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Zscaler.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn web_json_uses_internal_client_ip_and_request_sizes() {
        let r = p(r#"{"sourcetype":"zscalernss-web","event":{"datetime":"2026-02-10 08:00:05","action":"Allowed","protocol":"HTTPS","requestsize":"948","responsesize":"758","serverip":"203.0.113.40","requestmethod":"POST","useragent":"Mozilla/5.0%20(X11;%20Linux)","ClientIP":"10.8.0.12","clientpublicIP":"198.51.100.3","status":"200","user":"svc.backup@example.com","url":"api.example.com/v1/upload?sig=abc","hostname":"api.example.com","appname":"Example API","deviceowner":"jdoe"}}"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-02-10T08:00:05Z");
        assert_eq!((r.src_ip, r.dst_ip), ("10.8.0.12".parse().ok(), "203.0.113.40".parse().ok()));
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("api.example.com"), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in, r.status), (Some(948), Some(758), Some(200)));
        assert_eq!(r.user.as_deref(), Some("svc.backup@example.com"));
        assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0 (X11; Linux)"));
        assert!(r.url_query);
    }

    #[test]
    fn na_values_are_absent_and_blocked_is_denied() {
        let r = p(r#"{"sourcetype":"zscalernss-web","event":{"datetime":"2026-02-10 08:00:05","action":"Blocked","protocol":"SSL","requestmethod":"NA","status":"NA","ClientIP":"10.8.0.12","url":"bad.example.net","hostname":"bad.example.net"}}"#).unwrap();
        assert_eq!((r.method, r.status, r.action), (None, None, Action::Denied));
    }

    #[test]
    fn firewall_json_ctime_and_byte_directions() {
        let r = p(r#"{"sourcetype": "zscalernss-fw","event": {"datetime": "Tue Feb  3 15:43:59 2026","user": "jdoe@example.com","cdport": "443","csport": "52352","sdport": "443","csip": "10.8.0.5","cdip": "203.0.113.9","sdip": "203.0.113.9","action": "Allow","nwapp": "github","proto": "TCP","inbytes": "3367","outbytes": "5894"}}"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-02-03T15:43:59Z");
        assert_eq!((r.src_ip, r.src_port), ("10.8.0.5".parse().ok(), Some(52352)));
        assert_eq!((r.dst_ip, r.dst_port), ("203.0.113.9".parse().ok(), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(3367), Some(5894)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
    }

    #[test]
    fn tab_separated_name_value_feed_with_syslog_envelope() {
        let r = p("<13>Feb 10 08:00:05 nss01 zscaler: datetime=2026-02-10 08:00:05\treason=Allowed\taction=Allowed\tprotocol=HTTP\tClientIP=10.8.0.7\tserverip=203.0.113.7\turl=updates.example.org/feed.xml\thostname=updates.example.org\trequestsize=300\tresponsesize=9000").unwrap();
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("updates.example.org"), Some(80)));
        assert_eq!(r.bytes_in, Some(9000));
    }

    #[test]
    fn sniff_claims_feeds_not_leef_or_cef_wrapped_ones() {
        assert!(Zscaler.sniff(b"  \"sourcetype\" : \"zscalernss-web\","));
        assert!(Zscaler.sniff(b"datetime=2026-02-10 08:00:05\tClientIP=10.0.0.1\tserverip=192.0.2.1"));
        assert!(!Zscaler.sniff(b"LEEF:1.0|Zscaler|NSS|4.1|Allowed|cat=x\tsrc=10.0.0.1\tClientIP=10.0.0.1\tserverip=192.0.2.1"));
    }

    #[test]
    fn other_feeds_are_ignored() {
        assert_eq!(
            p(
                r#"{"sourcetype": "zscalernss-dns","event": {"datetime": "Mon Aug 28 08:05:55 2023","clt_sip": "10.0.0.1","dns_req": "example.org"}}"#
            ),
            Err(LineError::Ignored("dns log"))
        );
        assert_eq!(
            p(
                r#"{"sourcetype": "zscalernss-tunnel","event": {"datetime": "Thu Jun 23 16:24:59 2022","sourceip": "192.0.2.1","destinationip": "198.51.100.1"}}"#
            ),
            Err(LineError::Ignored("not a web or firewall log"))
        );
        assert_eq!(
            p(r#"{"sourcetype": "zscalernss-web", "event": "#),
            Err(LineError::Skipped("malformed JSON"))
        );
        assert_eq!(
            p(r#"{"sourcetype":"zscalernss-web","event":{"ClientIP":"10.0.0.1","datetime":"yesterday"}}"#),
            Err(LineError::Skipped("no usable datetime"))
        );
    }

    #[test]
    fn ctime_with_two_digit_day_and_percent_decoding_edges() {
        let ctx = TimeCtx::default();
        assert_eq!(parse_ctime(b"Mon Aug 28 08:04:30 2023", &ctx), Some(1_693_209_870_000));
        assert_eq!(parse_ctime(b"Mon Aug", &ctx), None);
        assert_eq!(percent_decode(Cow::Borrowed("a%2")), "a%2");
        assert_eq!(percent_decode(Cow::Borrowed("%e2%82%ac")), "€");
    }
}
