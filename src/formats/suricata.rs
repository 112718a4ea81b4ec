//! Suricata EVE JSON output (`eve.json`), Suricata 4 to 7: one event per
//! line, or as SIEM collectors forward them.
//!
//! Reference: <https://docs.suricata.io/en/latest/output/eve/eve-json-format.html>.
//!
//! Which events are records. Suricata logs one `flow` event per connection
//! (with `bytes_toserver`/`bytes_toclient`) and, for application
//! protocols, transaction events of the same connection (`http` per
//! request, `tls` per handshake) that name the host. Counting both would
//! count a connection twice, once under its IP and once under its host. So:
//! - `http` (and `http2`) and `tls` events are the records of HTTP and TLS
//!   connections: host (`http.hostname`, else the host of an absolute
//!   `http.url`; `tls.sni`), URL, method, user agent, status, and the
//!   response body size (`http.length`) as `bytes_in`. They carry no byte
//!   counts of the connection.
//! - `flow` events are the records of every other connection, with
//!   `bytes_toserver` as `bytes_out`, `bytes_toclient` as `bytes_in` and
//!   `app_proto` as the service. A flow whose `app_proto` is `http`,
//!   `http2` or `tls` is ignored: its http/tls events count it. This relies
//!   on Suricata's default http and tls event logging; with it switched
//!   off, such connections are not counted (the summary shows them as
//!   ignored flows).
//! - A TCP flow still in state `new` (no handshake: the SYN got no answer)
//!   counts as denied, as Zeek's `S0` does.
//! - `alert`, `anomaly`, `fileinfo` and the other application events repeat
//!   a connection a flow event counts; `dns` and `stats` are not traffic
//!   records; `netflow` events (one direction each) would count a flow
//!   twice beside its `flow` event. All are ignored.
//!
//! Events without `event_type` (some collectors drop it) are classified by
//! the objects they hold. Times: `flow.start` for flow events (when the
//! connection began; the event's `timestamp` is when the flow timed out),
//! `timestamp` (`2026-01-01T00:00:00.123456+0000`) for the others.

use super::json_de::{has, is_object, Num, Stamp, Str};
use super::url::{split_host_port, split_url};
use super::{parse_ip, Field, Format, Framing, LineError, LineResult};
use crate::record::{text, Action, Proto, Record, Scheme};
use crate::time::TimeCtx;
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::borrow::Cow;

pub struct SuricataEve;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Eve<'a> {
    timestamp: Stamp,
    #[serde(rename = "@timestamp")]
    at_timestamp: Stamp,
    #[serde(borrow)]
    event_type: Str<'a>,
    #[serde(borrow)]
    src_ip: Str<'a>,
    src_port: Num,
    #[serde(borrow)]
    dest_ip: Str<'a>,
    dest_port: Num,
    #[serde(borrow)]
    proto: Str<'a>,
    #[serde(borrow)]
    app_proto: Str<'a>,
    #[serde(borrow)]
    flow: Option<EveFlow<'a>>,
    #[serde(borrow)]
    http: Option<EveHttp<'a>>,
    #[serde(borrow)]
    tls: Option<EveTls<'a>>,
    alert: Option<IgnoredAny>,
    stats: Option<IgnoredAny>,
    dns: Option<IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EveFlow<'a> {
    bytes_toserver: Num,
    bytes_toclient: Num,
    start: Stamp,
    #[serde(borrow)]
    state: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EveHttp<'a> {
    #[serde(borrow)]
    hostname: Str<'a>,
    #[serde(borrow)]
    url: Str<'a>,
    #[serde(borrow)]
    http_user_agent: Str<'a>,
    #[serde(borrow)]
    http_method: Str<'a>,
    http_port: Num,
    status: Num,
    length: Num,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EveTls<'a> {
    #[serde(borrow)]
    sni: Str<'a>,
}

/// The kind of event, from `event_type`, else from the objects it holds.
fn event_kind<'e>(e: &'e Eve) -> &'e str {
    if let Some(t) = e.event_type.get() {
        return t;
    }
    if e.alert.is_some() {
        "alert"
    } else if e.stats.is_some() {
        "stats"
    } else if e.dns.is_some() {
        "dns"
    } else if e.http.is_some() {
        "http"
    } else if e.tls.is_some() {
        "tls"
    } else if e.flow.is_some() {
        "flow"
    } else {
        ""
    }
}

/// A host name from an SNI or `Host` value: without port or trailing dot,
/// `None` for IP literals (the event's `dest_ip` names those).
fn host_name(h: Cow<'_, str>) -> Option<Cow<'_, str>> {
    let (host, _) = split_host_port(h.as_bytes());
    if host.is_empty() || parse_ip(host).is_some() {
        return None;
    }
    Some(match h {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(..host.len()).unwrap_or(b)),
        Cow::Owned(_) => Cow::Owned(crate::record::text(host).into_owned()),
    })
}

impl Format for SuricataEve {
    fn name(&self) -> &'static str {
        "suricata-eve"
    }

    fn title(&self) -> &'static str {
        "Suricata EVE JSON (flow, http and tls events)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, UserAgent, Method, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        if is_object(line) {
            return (has(line, b"\"event_type\"") && (has(line, b"\"flow_id\"") || has(line, b"\"stats\"")))
                || (has(line, b"\"flow_id\"") && has(line, b"\"src_ip\"") && has(line, b"\"dest_ip\""));
        }
        // A line of pretty-printed JSON: `"flow_id": 1,` or `"event_type": "flow",`.
        const TYPES: &[&[u8]] = &[b"\"flow\"", b"\"http\"", b"\"tls\"", b"\"alert\"", b"\"dns\"", b"\"stats\""];
        let l = line.trim_ascii_start();
        l.starts_with(b"\"flow_id\":") || (l.starts_with(b"\"event_type\":") && TYPES.iter().any(|t| has(l, t)))
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        let e: Eve<'a> = serde_json::from_slice(line).map_err(|_| LineError::Skipped("invalid JSON"))?;
        let kind = event_kind(&e);
        match kind {
            "flow" | "http" | "http2" | "tls" => {}
            "alert" => return Err(LineError::Ignored("alert (its connection has a flow event)")),
            "dns" => return Err(LineError::Ignored("dns event")),
            "stats" => return Err(LineError::Ignored("stats event")),
            "netflow" => return Err(LineError::Ignored("netflow event (its connection has a flow event)")),
            "" => return Err(LineError::Skipped("no event_type")),
            _ => return Err(LineError::Ignored("application event (its connection has a flow event)")),
        }
        let is_flow = kind == "flow";
        let app = e.app_proto.get().unwrap_or_default();
        if is_flow && matches!(app, "http" | "http1" | "http2" | "tls") {
            return Err(LineError::Ignored("flow of an http/tls connection (its http/tls events count it)"));
        }
        let flow_start = e.flow.as_ref().and_then(|f| f.start.0).filter(|_| is_flow);
        let time_ms = flow_start
            .or(e.timestamp.0)
            .or(e.at_timestamp.0)
            .ok_or(LineError::Skipped("bad or missing timestamp"))?;
        let src_ip = parse_ip(e.src_ip.bytes()).ok_or(LineError::Skipped("bad or missing src_ip"))?;
        let mut rec = Record {
            time_ms,
            src_ip: Some(src_ip),
            src_port: e.src_port.u16(),
            dst_ip: parse_ip(e.dest_ip.bytes()),
            dst_port: e.dest_port.u16(),
            proto: Proto::parse(e.proto.bytes()),
            action: Action::Allowed,
            ..Record::default()
        };
        if is_flow {
            let f = e.flow.unwrap_or_default();
            rec.bytes_out = f.bytes_toserver.0;
            rec.bytes_in = f.bytes_toclient.0;
            if rec.proto == Proto::Tcp && f.state.get() == Some("new") {
                rec.action = Action::Denied;
            }
            rec.service = e.app_proto.take().filter(|a| a != "failed");
        } else if kind == "tls" {
            rec.proto = Proto::Tcp;
            rec.dst_host = e.tls.and_then(|t| t.sni.take()).and_then(host_name);
        } else {
            let h = e.http.unwrap_or_default();
            rec.proto = Proto::Tcp;
            rec.scheme = Scheme::Http;
            rec.dst_port = h.http_port.u16().or(rec.dst_port);
            rec.method = h.http_method.take();
            rec.user_agent = h.http_user_agent.take();
            rec.status = h.status.u16();
            rec.bytes_in = h.length.0;
            rec.dst_host = h.hostname.take().and_then(host_name);
            if let Some(url) = h.url.take() {
                let parts = split_url(url.as_bytes());
                rec.url_query = parts.query;
                if rec.dst_host.is_none() && url.contains("://") {
                    match parse_ip(parts.host) {
                        Some(ip) => rec.dst_ip = Some(ip),
                        None if !parts.host.is_empty() => rec.dst_host = Some(text(parts.host).into_owned().into()),
                        None => {}
                    }
                }
                rec.url = Some(url);
            }
        }
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(l: &str) -> LineResult<'_> {
        SuricataEve.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn flow_event_uses_flow_start_and_byte_counts() {
        let r = p(r#"{"timestamp":"2026-01-01T00:05:00.540473+0000","flow_id":1820734905123445,"in_iface":"eth0","event_type":"flow","src_ip":"10.0.4.4","src_port":49250,"dest_ip":"198.51.100.4","dest_port":22,"proto":"TCP","app_proto":"ssh","flow":{"pkts_toserver":12,"pkts_toclient":12,"bytes_toserver":1842,"bytes_toclient":11086,"start":"2026-01-01T00:00:00.721525+0000","end":"2026-01-01T00:00:04.740950+0000","age":4,"state":"closed","reason":"timeout","alerted":false}}"#).unwrap();
        assert_eq!(r.time_ms, 1_767_225_600_721);
        assert_eq!((r.src_ip, r.dst_ip), ("10.0.4.4".parse().ok(), "198.51.100.4".parse().ok()));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1842), Some(11086)));
        assert_eq!(
            (r.proto, r.action, r.service.as_deref()),
            (Proto::Tcp, Action::Allowed, Some("ssh"))
        );
    }

    #[test]
    fn flows_of_http_and_tls_connections_are_counted_by_their_events() {
        assert_eq!(
            p(
                r#"{"timestamp":"2026-01-01T00:05:00+0000","flow_id":1,"event_type":"flow","src_ip":"10.0.4.4","src_port":1,"dest_ip":"198.51.100.4","dest_port":443,"proto":"TCP","app_proto":"tls","flow":{"bytes_toserver":1,"bytes_toclient":2,"start":"2026-01-01T00:00:00+0000"}}"#
            ),
            Err(LineError::Ignored("flow of an http/tls connection (its http/tls events count it)"))
        );
    }

    #[test]
    fn unanswered_tcp_flow_is_denied() {
        let r = p(r#"{"timestamp":"2026-01-01T00:05:00-0400","flow_id":2,"event_type":"flow","src_ip":"10.0.4.4","src_port":2,"dest_ip":"198.51.100.5","dest_port":8443,"proto":"TCP","app_proto":"failed","flow":{"bytes_toserver":74,"bytes_toclient":0,"start":"2026-01-01T00:00:00-0400","state":"new"}}"#).unwrap();
        assert_eq!((r.action, r.service), (Action::Denied, None));
        assert_eq!(r.time_ms, 1_767_240_000_000);
    }

    #[test]
    fn tls_event_names_the_sni() {
        let r = p(r#"{"timestamp":"2026-01-01T00:00:01.083307+0000","flow_id":3,"in_iface":"eno6","event_type":"tls","src_ip":"10.0.4.5","src_port":12509,"dest_ip":"203.0.113.30","dest_port":443,"proto":"TCP","tls":{"sni":"api.example.com.","version":"TLS 1.3","ja3":{}}}"#).unwrap();
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("api.example.com"), Some(443)));
        assert_eq!((r.time_ms, r.bytes_out), (1_767_225_601_083, None));
    }

    #[test]
    fn http_event_with_escaped_url_and_absolute_url() {
        let r = p(r#"{"timestamp":"2026-01-01T00:00:02.000000+0000","flow_id":4,"event_type":"http","src_ip":"10.0.4.6","src_port":56119,"dest_ip":"203.0.113.40","dest_port":8080,"proto":"TCP","tx_id":0,"http":{"hostname":"feeds.example.com","http_port":8080,"url":"\/v1\/pull?token=abc","http_user_agent":"feed-client\/1.4","http_method":"GET","protocol":"HTTP\/1.1","status":200,"length":1155}}"#).unwrap();
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("feeds.example.com"), Some(8080)));
        assert_eq!((r.url.as_deref(), r.url_query), (Some("/v1/pull?token=abc"), true));
        assert_eq!(
            (r.user_agent.as_deref(), r.method.as_deref()),
            (Some("feed-client/1.4"), Some("GET"))
        );
        assert_eq!((r.status, r.bytes_in, r.scheme), (Some(200), Some(1155), Scheme::Http));
        let abs = p(r#"{"timestamp":"2026-01-01T00:00:03+0000","flow_id":5,"event_type":"http","src_ip":"10.0.4.6","src_port":57134,"dest_ip":"10.0.0.3","dest_port":3128,"proto":"TCP","http":{"url":"http://updates.example.net/pkg.cab?x=1","http_method":"GET","length":0}}"#).unwrap();
        assert_eq!(abs.dst_host.as_deref(), Some("updates.example.net"));
    }

    #[test]
    fn other_events_are_ignored() {
        for (l, why) in [
            (
                r#"{"timestamp":"2026-01-01T00:00:04+0000","flow_id":6,"event_type":"alert","src_ip":"10.0.4.4","dest_ip":"198.51.100.4","alert":{"signature_id":1}}"#,
                "alert (its connection has a flow event)",
            ),
            (
                r#"{"timestamp":"2026-01-01T00:00:04+0000","flow_id":6,"src_ip":"10.0.4.4","dest_ip":"198.51.100.4","alert":{"signature_id":1},"tls":{"sni":"x.example.com"}}"#,
                "alert (its connection has a flow event)",
            ),
            (
                r#"{"timestamp":"2026-01-01T00:00:04+0000","flow_id":7,"event_type":"dns","src_ip":"10.0.4.4","dest_ip":"192.0.2.53","dns":{"type":"query"}}"#,
                "dns event",
            ),
            (
                r#"{"timestamp":"2026-01-01T00:00:04+0000","event_type":"stats","stats":{"uptime":1}}"#,
                "stats event",
            ),
            (
                r#"{"timestamp":"2026-01-01T00:00:04+0000","flow_id":8,"event_type":"ssh","src_ip":"10.0.4.4","dest_ip":"198.51.100.4","ssh":{}}"#,
                "application event (its connection has a flow event)",
            ),
        ] {
            assert_eq!(p(l), Err(LineError::Ignored(why)), "{l}");
        }
    }

    #[test]
    fn malformed_events_are_skipped() {
        assert_eq!(p("{"), Err(LineError::Skipped("invalid JSON")));
        assert_eq!(p(r#"{"flow_id":1}"#), Err(LineError::Skipped("no event_type")));
        assert_eq!(
            p(r#"{"event_type":"flow","src_ip":"10.0.0.1","flow":{}}"#),
            Err(LineError::Skipped("bad or missing timestamp"))
        );
        assert_eq!(
            p(r#"{"timestamp":"2026-01-01T00:00:04+0000","event_type":"tls","src_ip":"x"}"#),
            Err(LineError::Skipped("bad or missing src_ip"))
        );
    }

    #[test]
    fn sniff_is_specific() {
        assert!(SuricataEve.sniff(br#"{"timestamp":"x","flow_id":1,"event_type":"flow","src_ip":"10.0.0.1"}"#));
        assert!(SuricataEve.sniff(br#"{"timestamp":"x","event_type":"stats","stats":{}}"#));
        assert!(!SuricataEve.sniff(br#"{"ts":1.0,"uid":"C1","id.orig_h":"10.0.0.1"}"#));
        assert!(!SuricataEve.sniff(br#"{"event_type":"login","user":"x"}"#));
        assert!(SuricataEve.sniff(br#"  "event_type": "flow","#));
        assert!(!SuricataEve.sniff(br#"  "event_type": "login","#));
    }
}
