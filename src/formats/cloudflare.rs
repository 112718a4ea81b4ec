//! Cloudflare Logpush JSON: zone HTTP requests, and Zero Trust Gateway
//! HTTP and network sessions. Each record is one JSON object (NDJSON, as
//! Logpush writes it).
//!
//! References: Logpush datasets
//! <https://developers.cloudflare.com/logs/reference/log-fields/zone/http_requests/>,
//! <https://developers.cloudflare.com/logs/reference/log-fields/account/gateway_http/>,
//! <https://developers.cloudflare.com/logs/reference/log-fields/account/gateway_network/>.
//!
//! Direction differs by dataset:
//! - HTTP requests are *inbound*: a client anywhere (`ClientIP`) calls the
//!   organisation's own zone (`ClientRequestHost`) through Cloudflare's edge.
//!   The record keeps that direction (source = the client); seam's channel
//!   classification then sees an external source, unless the callers are the
//!   organisation's own hosts. `ClientRequestBytes` is the request (bytes
//!   out of the client), `EdgeResponseBytes` the response.
//! - Gateway HTTP and network sessions are *outbound*: the organisation's
//!   device (`SourceInternalIP`, else its public `SourceIP`) to the
//!   destination (`HTTPHost`/`URL` host or `SNI`, `DestinationIP:Port`).
//!
//! Not traffic, ignored: firewall events (a WAF match on a request the HTTP
//! request log already has), DNS logs and Gateway DNS queries, Access
//! login/audit events. Timestamps are epoch (s, ms or ns) or RFC 3339,
//! whichever the Logpush job's `timestamp_format` chose.

use super::jsonwalk::{looks_like_object, walk, Scalar, Sink};
use super::url::split_url;
use super::{Field, Format, Framing, LineError, LineResult};
use crate::record::{Action, Proto, Record, Scheme};
use crate::time::{epoch_auto_ms, parse_iso8601, TimeCtx};
use std::borrow::Cow;

pub struct Cloudflare;

#[derive(Default)]
struct Log<'a> {
    // HTTP requests (zone)
    client_ip: Option<Scalar<'a>>,
    client_port: Option<Scalar<'a>>,
    req_host: Option<Scalar<'a>>,
    req_method: Option<Scalar<'a>>,
    req_uri: Option<Scalar<'a>>,
    req_query: Option<Scalar<'a>>,
    req_scheme: Option<Scalar<'a>>,
    req_agent: Option<Scalar<'a>>,
    req_bytes: Option<Scalar<'a>>,
    resp_bytes: Option<Scalar<'a>>,
    resp_status: Option<Scalar<'a>>,
    edge_start: Option<Scalar<'a>>,
    edge_end: Option<Scalar<'a>>,
    security_action: Option<Scalar<'a>>,
    zone_fields: bool,
    // Gateway
    datetime: Option<Scalar<'a>>,
    source_ip: Option<Scalar<'a>>,
    source_internal_ip: Option<Scalar<'a>>,
    source_port: Option<Scalar<'a>>,
    dest_ip: Option<Scalar<'a>>,
    dest_port: Option<Scalar<'a>>,
    http_host: Option<Scalar<'a>>,
    url: Option<Scalar<'a>>,
    sni: Option<Scalar<'a>>,
    method: Option<Scalar<'a>>,
    status: Option<Scalar<'a>>,
    agent: Option<Scalar<'a>>,
    email: Option<Scalar<'a>>,
    transport: Option<Scalar<'a>>,
    action: Option<Scalar<'a>>,
    // Other datasets
    dns: bool,
    access: bool,
}

impl<'a> Sink<'a> for Log<'a> {
    fn field(&mut self, key: &str, v: Scalar<'a>) {
        let slot = match key {
            "ClientIP" => &mut self.client_ip,
            "ClientSrcPort" => &mut self.client_port,
            "ClientRequestHost" => &mut self.req_host,
            "ClientRequestMethod" => &mut self.req_method,
            "ClientRequestURI" | "ClientRequestPath" => &mut self.req_uri,
            "ClientRequestQuery" => &mut self.req_query,
            "ClientRequestScheme" => &mut self.req_scheme,
            "ClientRequestUserAgent" => &mut self.req_agent,
            "ClientRequestBytes" => &mut self.req_bytes,
            "EdgeResponseBytes" => &mut self.resp_bytes,
            "EdgeResponseStatus" => &mut self.resp_status,
            "EdgeStartTimestamp" => &mut self.edge_start,
            "EdgeEndTimestamp" => &mut self.edge_end,
            "SecurityAction" | "WAFAction" | "FirewallMatchesActions" => &mut self.security_action,
            "Datetime" => &mut self.datetime,
            "SourceIP" => &mut self.source_ip,
            "SourceInternalIP" => &mut self.source_internal_ip,
            "SourcePort" => &mut self.source_port,
            "DestinationIP" => &mut self.dest_ip,
            "DestinationPort" => &mut self.dest_port,
            "HTTPHost" => &mut self.http_host,
            "URL" => &mut self.url,
            "SNI" => &mut self.sni,
            "HTTPMethod" => &mut self.method,
            "HTTPStatusCode" => &mut self.status,
            "UserAgent" => &mut self.agent,
            "Email" => &mut self.email,
            "Transport" => &mut self.transport,
            "Action" => &mut self.action,
            "QueryName" | "ResolverDecision" => {
                self.dns = true;
                return;
            }
            "AppDomain" | "IPAddress" | "Connection" => {
                self.access = true;
                return;
            }
            "ZoneID" | "ZoneName" | "RayID" | "EdgeColoCode" | "CacheCacheStatus" => {
                self.zone_fields = true;
                return;
            }
            _ => return,
        };
        if !v.is_blank() && slot.is_none() {
            *slot = Some(v);
        }
    }
}

/// An epoch number (s, ms, µs or ns) or an RFC 3339 string.
fn stamp(v: &Scalar<'_>, ctx: &TimeCtx) -> Option<i64> {
    match v {
        Scalar::Str(_) | Scalar::Raw(_) => {
            let b = v.bytes()?.trim_ascii();
            parse_iso8601(b, &ctx.zone).or_else(|| crate::time::parse_u64(b).map(epoch_auto_ms))
        }
        _ => v.u64().map(epoch_auto_ms),
    }
}

fn blocked(v: Option<&Scalar<'_>>) -> bool {
    v.and_then(Scalar::bytes)
        .is_some_and(|a| super::elff::contains_ci(a, b"block") || a.eq_ignore_ascii_case(b"drop"))
}

impl<'a> Log<'a> {
    fn http_request(self, ctx: &TimeCtx) -> LineResult<'a> {
        let time_ms = self
            .edge_start
            .as_ref()
            .or(self.edge_end.as_ref())
            .and_then(|v| stamp(v, ctx))
            .ok_or(LineError::Skipped("no usable timestamp"))?;
        let src_ip = self
            .client_ip
            .as_ref()
            .and_then(Scalar::ip)
            .ok_or(LineError::Skipped("no client address"))?;
        let scheme = self.req_scheme.as_ref().and_then(Scalar::bytes).map_or(Scheme::None, Scheme::parse);
        let mut rec = Record {
            time_ms,
            src_ip: Some(src_ip),
            src_port: self.client_port.as_ref().and_then(Scalar::port),
            proto: Proto::Tcp,
            action: if blocked(self.security_action.as_ref()) {
                Action::Denied
            } else {
                Action::Allowed
            },
            bytes_out: self.req_bytes.as_ref().and_then(Scalar::u64),
            bytes_in: self.resp_bytes.as_ref().and_then(Scalar::u64),
            user_agent: self.req_agent.and_then(Scalar::text),
            method: self.req_method.and_then(Scalar::text),
            status: self.resp_status.as_ref().and_then(Scalar::u16),
            scheme,
            dst_port: scheme.default_port(),
            ..Record::default()
        };
        if let Some(h) = self.req_host.and_then(Scalar::text) {
            let (name, port) = super::url::split_host_port(h.as_bytes());
            rec.dst_port = port.or(rec.dst_port);
            rec.dst_host = Some(super::elff::sub_cow(&h, name));
        }
        let uri = self.req_uri.and_then(Scalar::text);
        let query = self.req_query.and_then(Scalar::text);
        rec.url_query = uri.as_deref().is_some_and(|u| u.contains('?')) || query.is_some();
        rec.url = match (uri, query) {
            (Some(u), _) if u.contains('?') => Some(u),
            (_, Some(q)) if q.starts_with('?') => Some(q),
            (_, Some(q)) => Some(Cow::Owned(format!("?{q}"))),
            (u, None) => u,
        };
        Ok(rec)
    }

    fn gateway(self, ctx: &TimeCtx) -> LineResult<'a> {
        let time_ms = self
            .datetime
            .as_ref()
            .and_then(|v| stamp(v, ctx))
            .ok_or(LineError::Skipped("no usable Datetime"))?;
        let src_ip = self
            .source_internal_ip
            .as_ref()
            .and_then(Scalar::ip)
            .or_else(|| self.source_ip.as_ref().and_then(Scalar::ip))
            .ok_or(LineError::Skipped("no source address"))?;
        let mut rec = Record {
            time_ms,
            src_ip: Some(src_ip),
            src_port: self.source_port.as_ref().and_then(Scalar::port),
            dst_ip: self.dest_ip.as_ref().and_then(Scalar::ip),
            proto: match self.transport.as_ref().and_then(Scalar::bytes) {
                Some(t) if t.eq_ignore_ascii_case(b"quic") => Proto::Udp,
                Some(t) => Proto::parse(t),
                None => Proto::Tcp,
            },
            action: if blocked(self.action.as_ref()) {
                Action::Denied
            } else {
                Action::Allowed
            },
            user: self.email.and_then(Scalar::text),
            user_agent: self.agent.and_then(Scalar::text),
            method: self.method.and_then(Scalar::text),
            status: self.status.as_ref().and_then(Scalar::u16),
            ..Record::default()
        };
        let mut url_port = None;
        let mut url_host = None;
        if let Some(u) = self.url.and_then(Scalar::text) {
            let p = split_url(u.as_bytes());
            rec.scheme = p.scheme;
            rec.url_query = p.query;
            url_port = p.port;
            if !p.host.is_empty() {
                url_host = Some(super::elff::sub_cow(&u, p.host));
            }
            rec.url = Some(u);
        }
        rec.dst_host = self
            .http_host
            .and_then(Scalar::text)
            .or(url_host)
            .or_else(|| self.sni.and_then(Scalar::text));
        // DestinationPort 0 means "unknown" (HTTP records without a resolved
        // upstream); the URL's port stands in.
        rec.dst_port = self.dest_port.as_ref().and_then(Scalar::port).or(url_port);
        Ok(rec)
    }
}

impl Format for Cloudflare {
    fn name(&self) -> &'static str {
        "cloudflare"
    }

    fn title(&self) -> &'static str {
        "Cloudflare Logpush JSON: zone HTTP requests (inbound), Gateway HTTP and network (outbound)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        has(b"\"RayID\"")
            || has(b"\"ClientRequestHost\"")
            || has(b"\"EdgeStartTimestamp\"")
            || has(b"\"ResolverDecision\"")
            || (has(b"\"SourceIP\"") && (has(b"\"SNI\"") || has(b"\"HTTPHost\"")))
            || has(b"\"SourceInternalIP\"")
            || has(b"\"OverrideIP\"")
            || has(b"\"UntrustedCertificateAction\"")
            || (has(b"\"QueryName\"") && has(b"\"QueryType\"") && has(b"\"ResponseCode\""))
            || (has(b"\"ZoneName\"") && (has(b"\"WAF") || has(b"\"Worker")))
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        if !looks_like_object(line) {
            return Err(LineError::Skipped("not a JSON object"));
        }
        let mut log = Log::default();
        walk(line, &mut log).map_err(|_| LineError::Skipped("malformed JSON"))?;
        if log.dns {
            return Err(LineError::Ignored("dns log"));
        }
        if log.access {
            return Err(LineError::Ignored("access login event"));
        }
        if log.source_ip.is_some() || log.source_internal_ip.is_some() {
            return log.gateway(ctx);
        }
        if log.client_ip.is_some() && log.edge_start.is_none() && log.edge_end.is_none() && (log.action.is_some() || log.datetime.is_some())
        {
            return Err(LineError::Ignored("firewall event (its request is in the HTTP request log)"));
        }
        if log.client_ip.is_some() || log.zone_fields || log.req_host.is_some() {
            return log.http_request(ctx);
        }
        Err(LineError::Ignored("not a traffic log"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Cloudflare.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn http_request_nanoseconds_and_inbound_direction() {
        let r = p(r#"{"ClientIP":"198.51.100.20","ClientRequestHost":"www.example.com","ClientRequestMethod":"POST","ClientRequestURI":"/api/login?token=abc","ClientRequestUserAgent":"python-requests/2.31.0","ClientRequestBytes":567,"ClientRequestScheme":"https","EdgeEndTimestamp":1775000000123000000,"EdgeResponseBytes":512,"EdgeResponseStatus":200,"EdgeStartTimestamp":1775000000100000000,"RayID":"87a1b2c3d4e5f003","WAFAction":"unknown","FirewallMatchesActions":[]}"#).unwrap();
        assert_eq!(r.time_ms, 1_775_000_000_100);
        assert_eq!(r.src_ip, "198.51.100.20".parse().ok());
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("www.example.com"), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in, r.status), (Some(567), Some(512), Some(200)));
        assert!(r.url_query);
        assert_eq!(r.action, Action::Allowed);
    }

    #[test]
    fn http_request_rfc3339_and_blocked_by_firewall_rule() {
        let r = p(r#"{"ClientIP":"203.0.113.250","ClientRequestHost":"api.example.com","EdgeStartTimestamp":"2026-10-30T00:00:02Z","ClientRequestScheme":"http","FirewallMatchesActions":["block"],"EdgeResponseStatus":403}"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-30T00:00:02Z");
        assert_eq!((r.dst_port, r.action), (Some(80), Action::Denied));
    }

    #[test]
    fn gateway_http_outbound_with_unknown_destination_port() {
        let r = p(r#"{"Action":"allow","Datetime":"2026-02-24T16:32:58Z","DestinationIP":"","DestinationPort":0,"Email":"jdoe@example.com","HTTPHost":"api.example.net","HTTPMethod":"GET","SourceIP":"198.51.100.81","SourceInternalIP":"10.2.3.4","SourcePort":39998,"URL":"https://api.example.net/v1?key=1","UserAgent":"curl/8.5.0"}"#).unwrap();
        assert_eq!((r.src_ip, r.src_port), ("10.2.3.4".parse().ok(), Some(39998)));
        assert_eq!(
            (r.dst_host.as_deref(), r.dst_ip, r.dst_port),
            (Some("api.example.net"), None, Some(443))
        );
        assert_eq!(r.user.as_deref(), Some("jdoe@example.com"));
        assert!(r.url_query);
    }

    #[test]
    fn gateway_network_sni_and_block() {
        let r = p(r#"{"Action":"blockedByCategory","Datetime":1772000000000000000,"DestinationIP":"203.0.113.193","DestinationPort":443,"SNI":"www.example.org","SourceIP":"198.51.100.81","SourcePort":34080,"Transport":"tcp"}"#).unwrap();
        assert_eq!(r.time_ms, 1_772_000_000_000);
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("www.example.org"), Some(443)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Denied));
    }

    #[test]
    fn member_lines_of_pretty_printed_records_are_recognised() {
        assert!(Cloudflare.sniff(b"  \"RayID\": \"8a1b\","));
        assert!(Cloudflare.sniff(b"  \"SourceInternalIP\": \"10.0.0.1\","));
        assert!(!Cloudflare.sniff(b"  \"SourceIP\": \"10.0.0.1\","));
    }

    #[test]
    fn other_datasets_are_ignored() {
        assert_eq!(
            p(r#"{"Action":"block","ClientIP":"192.0.2.28","ClientRequestHost":"a.example","Datetime":1657630626219000000,"RayID":"1"}"#),
            Err(LineError::Ignored("firewall event (its request is in the HTTP request log)"))
        );
        assert_eq!(
            p(r#"{"QueryName":"a.example.","QueryType":1,"ResponseCode":0,"Timestamp":1}"#),
            Err(LineError::Ignored("dns log"))
        );
        assert_eq!(
            p("{\n\"Action\": \"login\",\n\"AppDomain\": \"example.com/warp\",\n\"IPAddress\": \"192.0.2.4\",\n\"RayID\": \"r\"\n}"),
            Err(LineError::Ignored("access login event"))
        );
        assert_eq!(
            p(r#"{"ZoneName":"example.com","WAFProfile":"unknown"}"#),
            Err(LineError::Skipped("no usable timestamp"))
        );
    }
}
