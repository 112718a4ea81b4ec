//! Cato Networks SASE Cloud events, as the JSON objects the Cato events
//! feed (eventsFeed API, or the AWS S3 / SIEM integration) delivers.
//!
//! Reference: "Cato Events Reference" / eventsFeed field list
//! <https://support.catonetworks.com/hc/en-us/articles/4413280536081-Cato-API-Events-Feed>.
//!
//! Only connection records are traffic: `event_type` `Security` with
//! `event_sub_type` `Internet Firewall`, `WAN Firewall`, `LAN Firewall` or
//! `RPF` (remote port forwarding, inbound). Threat events (IPS, anti-malware)
//! describe sessions that the firewall events already count, and
//! connectivity (VPN client connect), audit and other events are not
//! traffic: all are ignored. `action` `Block` is a denial; `Allow`, `Monitor`
//! and the others let the connection through.

use super::jsonwalk::{looks_like_object, walk, Scalar, Sink};
use super::url::split_url;
use super::{Field, Format, Framing, LineError, LineResult};
use crate::record::{Action, Proto, Record};
use crate::time::{epoch_auto_ms, parse_iso8601, TimeCtx};

pub struct Cato;

#[derive(Default)]
struct Event<'a> {
    event_type: Option<Scalar<'a>>,
    sub_type: Option<Scalar<'a>>,
    event_time: Option<Scalar<'a>>,
    time: Option<Scalar<'a>>,
    event_timestamp: Option<Scalar<'a>>,
    src_ip: Option<Scalar<'a>>,
    src_port: Option<Scalar<'a>>,
    dst_ip: Option<Scalar<'a>>,
    dst_port: Option<Scalar<'a>>,
    domain: Option<Scalar<'a>>,
    proto: Option<Scalar<'a>>,
    action: Option<Scalar<'a>>,
    user: Option<Scalar<'a>>,
    user_name: Option<Scalar<'a>>,
    app: Option<Scalar<'a>>,
    url: Option<Scalar<'a>>,
    method: Option<Scalar<'a>>,
    agent: Option<Scalar<'a>>,
}

impl<'a> Sink<'a> for Event<'a> {
    fn field(&mut self, key: &str, v: Scalar<'a>) {
        let slot = match key {
            "event_type" => &mut self.event_type,
            "event_sub_type" => &mut self.sub_type,
            "event_time" => &mut self.event_time,
            "time" => &mut self.time,
            "event_timestamp" | "time_str" => &mut self.event_timestamp,
            "src_ip" => &mut self.src_ip,
            "src_port" => &mut self.src_port,
            "dest_ip" => &mut self.dst_ip,
            "dest_port" => &mut self.dst_port,
            "domain_name" => &mut self.domain,
            "ip_protocol" => &mut self.proto,
            "action" => &mut self.action,
            "vpn_user_email" => &mut self.user,
            "user_name" => &mut self.user_name,
            "application" | "application_name" => &mut self.app,
            "full_path_url" | "url" => &mut self.url,
            "http_request_method" => &mut self.method,
            "user_agent" => &mut self.agent,
            _ => return,
        };
        if !v.is_blank() && slot.is_none() {
            *slot = Some(v);
        }
    }
}

/// Sub-types that record a connection.
fn is_connection(sub: &[u8]) -> bool {
    [&b"Internet Firewall"[..], b"WAN Firewall", b"LAN Firewall", b"RPF"]
        .iter()
        .any(|s| sub.eq_ignore_ascii_case(s))
}

impl Format for Cato {
    fn name(&self) -> &'static str {
        "cato"
    }

    fn title(&self) -> &'static str {
        "Cato Networks SASE events feed (JSON): internet, WAN and LAN firewall and RPF events"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, User, UserAgent, Method, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        // Also true on the member lines of pretty-printed records.
        has(b"\"event_sub_type\"") || has(b"\"src_is_site_or_vpn\"")
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        if !looks_like_object(line) {
            return Err(LineError::Skipped("not a JSON object"));
        }
        let mut e = Event::default();
        walk(line, &mut e).map_err(|_| LineError::Skipped("malformed JSON"))?;
        let sub = e.sub_type.as_ref().and_then(Scalar::bytes).unwrap_or_default();
        let security = e.event_type.as_ref().and_then(Scalar::bytes) == Some(b"Security");
        if !security || !is_connection(sub) {
            return Err(LineError::Ignored(if security {
                "threat event (its connection has a firewall event)"
            } else {
                "not a connection event"
            }));
        }
        let time_ms = e
            .event_time
            .as_ref()
            .and_then(Scalar::bytes)
            .and_then(|t| parse_iso8601(t, &ctx.zone))
            .or_else(|| e.time.as_ref().and_then(Scalar::u64).map(epoch_auto_ms))
            .or_else(|| {
                e.event_timestamp
                    .as_ref()
                    .and_then(Scalar::bytes)
                    .and_then(|t| parse_iso8601(t, &ctx.zone))
            })
            .ok_or(LineError::Skipped("no usable time"))?;
        let src_ip = e
            .src_ip
            .as_ref()
            .and_then(Scalar::ip)
            .ok_or(LineError::Skipped("no source address"))?;
        let mut rec = Record {
            time_ms,
            src_ip: Some(src_ip),
            src_port: e.src_port.as_ref().and_then(Scalar::port),
            dst_ip: e.dst_ip.as_ref().and_then(Scalar::ip),
            dst_port: e.dst_port.as_ref().and_then(Scalar::port),
            dst_host: e.domain.and_then(Scalar::text),
            proto: e.proto.as_ref().and_then(Scalar::bytes).map_or(Proto::Unknown, Proto::parse),
            action: match e.action.as_ref().and_then(Scalar::bytes) {
                Some(a) if a.eq_ignore_ascii_case(b"block") || a.eq_ignore_ascii_case(b"prompt block") => Action::Denied,
                _ => Action::Allowed,
            },
            user: e.user.or(e.user_name).and_then(Scalar::text),
            service: e.app.and_then(Scalar::text),
            method: e.method.and_then(Scalar::text),
            user_agent: e.agent.and_then(Scalar::text),
            ..Record::default()
        };
        if let Some(u) = e.url.and_then(Scalar::text) {
            let p = split_url(u.as_bytes());
            rec.scheme = p.scheme;
            rec.url_query = p.query;
            rec.url = Some(u);
        }
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Cato.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn internet_firewall_event_with_epoch_ms() {
        let r = p(r#"{"account_id":"1","action":"Monitor","application":"Example Sync","dest_ip":"203.0.113.33","dest_port":"443","domain_name":"push.example.com","event_sub_type":"Internet Firewall","event_type":"Security","ip_protocol":"TCP","src_ip":"10.41.169.183","src_isp_ip":"198.51.100.61","src_port":"51000","time":"1776970910842","vpn_user_email":"jdoe@example.com","pop_name":"Paris"}"#).unwrap();
        assert_eq!(r.time_ms, 1_776_970_910_842);
        assert_eq!((r.src_ip, r.src_port), ("10.41.169.183".parse().ok(), Some(51000)));
        assert_eq!((r.dst_ip, r.dst_port), ("203.0.113.33".parse().ok(), Some(443)));
        assert_eq!(r.dst_host.as_deref(), Some("push.example.com"));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert_eq!(
            (r.user.as_deref(), r.service.as_deref()),
            (Some("jdoe@example.com"), Some("Example Sync"))
        );
    }

    #[test]
    fn event_time_wins_and_block_is_denied() {
        let r = p(r#"{"event_time":"2026-04-22T09:15:45Z","time":"1","action":"Block","dest_ip":"192.0.2.36","dest_port":"22","event_sub_type":"WAN Firewall","event_type":"Security","src_ip":"10.0.0.9"}"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-04-22T09:15:45Z");
        assert_eq!(r.action, Action::Denied);
    }

    #[test]
    fn member_lines_of_pretty_printed_records_are_recognised() {
        assert!(Cato.sniff(b"    \"event_sub_type\": \"WAN Firewall\","));
        assert!(!Cato.sniff(b"    \"event_type\": \"Security\","));
    }

    #[test]
    fn threat_and_other_events_are_ignored() {
        assert_eq!(
            p(r#"{"action":"Block","event_sub_type":"IPS","event_type":"Security","src_ip":"192.0.2.1","dest_ip":"10.0.0.1"}"#),
            Err(LineError::Ignored("threat event (its connection has a firewall event)"))
        );
        assert_eq!(
            p(r#"{"action":"Succeeded","event_sub_type":"Connected","event_type":"Connectivity","src_ip":"10.41.6.171"}"#),
            Err(LineError::Ignored("not a connection event"))
        );
        assert_eq!(
            p(r#"{"event_sub_type":"RPF","event_type":"Security","src_ip":"192.0.2.1"}"#),
            Err(LineError::Skipped("no usable time"))
        );
    }
}
