//! Amazon Web Services VPC Flow Logs, record versions 2 to 8: the default
//! format (`version account-id interface-id srcaddr dstaddr srcport dstport
//! protocol packets bytes start end action log-status`), custom formats
//! (the first line of an S3 export names the fields; [`Format::bind_header`]
//! maps it to columns), and the JSON form some collectors forward (one
//! object per line, keys with `_`).
//!
//! Reference: "Flow log records",
//! <https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html>.
//!
//! A record covers one direction of a flow on one network interface during
//! an aggregation interval: `bytes` went from `srcaddr` to `dstaddr`, so
//! they are the source's `bytes_out` (`bytes_in` is not in the record).
//! Without a header, extra columns after the 14 default ones are taken in
//! the documented field order (`vpc-id subnet-id instance-id tcp-flags type
//! pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id
//! pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path`).
//!
//! Counting: the reply direction of a connection is its own record, whose
//! source is the server. Left as it is, the replies of a public service
//! running inside would look like outbound connections from the server to
//! each client's ephemeral port. So a record is taken as a reply and
//! ignored when its `tcp-flags` carry SYN-ACK, or, when they say nothing
//! either way (no field, or no SYN), when it goes from a port below 1024 to
//! one at or above it. Every other record is a connection attempt from
//! `srcaddr`; a connection that outlives an aggregation interval counts once
//! per interval. `srcaddr`/`dstaddr` are used rather than
//! `pkt-srcaddr`/`pkt-dstaddr`: behind a NAT gateway the packet-level
//! addresses would count the same connection on both the instance's and the
//! gateway's interface. `pkt-dst-aws-service` (S3, DYNAMODB, ...) becomes
//! the service. `NODATA`/`SKIPDATA` records are ignored. Times are `start`
//! (epoch seconds, UTC).

use super::json_de::{has, is_object, Num, Stamp, Str};
use super::{next_token, parse_ip, Field, Format, LineError, LineParser, LineResult};
use crate::record::{opt_text, Action, Proto, Record};
use crate::time::{parse_u16, parse_u64, TimeCtx};
use std::borrow::Cow;

pub struct AwsVpcFlow;

/// What a column holds, for the fields seam reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Src,
    Dst,
    SrcPort,
    DstPort,
    Proto,
    Bytes,
    Start,
    Action,
    Status,
    TcpFlags,
    DstService,
    Other,
}

/// The default (version 2) columns followed by the version 3 to 5 fields
/// in the order the documentation lists them.
const DEFAULT_COLS: [Col; 29] = [
    Col::Other, // version
    Col::Other, // account-id
    Col::Other, // interface-id
    Col::Src,
    Col::Dst,
    Col::SrcPort,
    Col::DstPort,
    Col::Proto,
    Col::Other, // packets
    Col::Bytes,
    Col::Start,
    Col::Other, // end
    Col::Action,
    Col::Status,
    Col::Other, // vpc-id
    Col::Other, // subnet-id
    Col::Other, // instance-id
    Col::TcpFlags,
    Col::Other, // type
    Col::Other, // pkt-srcaddr
    Col::Other, // pkt-dstaddr
    Col::Other, // region
    Col::Other, // az-id
    Col::Other, // sublocation-type
    Col::Other, // sublocation-id
    Col::Other, // pkt-src-aws-service
    Col::DstService,
    Col::Other, // flow-direction
    Col::Other, // traffic-path
];

/// Maps a field name from a header (`srcaddr`, `${srcaddr}`, `log_status`) to its column kind.
fn col_of(name: &[u8]) -> Col {
    let n = name.strip_prefix(b"${").and_then(|n| n.strip_suffix(b"}")).unwrap_or(name);
    let is = |s: &str| {
        n.len() == s.len()
            && n.iter()
                .zip(s.bytes())
                .all(|(&a, b)| a.to_ascii_lowercase() == b || (a == b'_' && b == b'-'))
    };
    if is("srcaddr") {
        Col::Src
    } else if is("dstaddr") {
        Col::Dst
    } else if is("srcport") {
        Col::SrcPort
    } else if is("dstport") {
        Col::DstPort
    } else if is("protocol") {
        Col::Proto
    } else if is("bytes") {
        Col::Bytes
    } else if is("start") {
        Col::Start
    } else if is("action") {
        Col::Action
    } else if is("log-status") {
        Col::Status
    } else if is("tcp-flags") {
        Col::TcpFlags
    } else if is("pkt-dst-aws-service") {
        Col::DstService
    } else {
        Col::Other
    }
}

/// True for a header line: field names only (`version srcaddr ...` or
/// `${version} ${srcaddr} ...`), among them `srcaddr` and `dstaddr`.
fn is_header(line: &[u8]) -> bool {
    if !has(line, b"srcaddr") || !has(line, b"dstaddr") {
        return false;
    }
    let name_like = |t: &[u8]| {
        let t = t.strip_prefix(b"${").and_then(|n| n.strip_suffix(b"}")).unwrap_or(t);
        t.first().is_some_and(u8::is_ascii_alphabetic)
            && t.iter()
                .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
    };
    let (mut rest, mut src, mut dst) = (line, false, false);
    while let Some((tok, r)) = next_token(rest) {
        if !name_like(tok) {
            return false;
        }
        src |= col_of(tok) == Col::Src;
        dst |= col_of(tok) == Col::Dst;
        rest = r;
    }
    src && dst
}

/// The raw values of one record, before interpretation.
#[derive(Default)]
struct Raw<'a> {
    src: &'a [u8],
    dst: &'a [u8],
    sport: &'a [u8],
    dport: &'a [u8],
    proto: &'a [u8],
    bytes: &'a [u8],
    start: &'a [u8],
    action: &'a [u8],
    status: &'a [u8],
    tcp_flags: &'a [u8],
    service: &'a [u8],
}

fn parse_text<'a>(line: &'a [u8], cols: &[Col]) -> LineResult<'a> {
    if is_header(line) {
        return Err(LineError::Ignored("header line"));
    }
    let mut raw = Raw::default();
    let mut rest = line;
    let mut i = 0;
    while let Some((tok, r)) = next_token(rest) {
        rest = r;
        let slot = match cols.get(i).copied().unwrap_or(Col::Other) {
            Col::Src => &mut raw.src,
            Col::Dst => &mut raw.dst,
            Col::SrcPort => &mut raw.sport,
            Col::DstPort => &mut raw.dport,
            Col::Proto => &mut raw.proto,
            Col::Bytes => &mut raw.bytes,
            Col::Start => &mut raw.start,
            Col::Action => &mut raw.action,
            Col::Status => &mut raw.status,
            Col::TcpFlags => &mut raw.tcp_flags,
            Col::DstService => &mut raw.service,
            Col::Other => {
                i += 1;
                continue;
            }
        };
        *slot = tok;
        i += 1;
    }
    let proto = proto_of(parse_u64(raw.proto));
    build(
        raw.status,
        raw.src,
        raw.dst,
        parse_u16(raw.sport),
        parse_u16(raw.dport),
        proto,
        parse_u64(raw.bytes),
        parse_u64(raw.start).and_then(|s| i64::try_from(s).ok()).map(|s| s * 1000),
        raw.action,
        parse_u64(raw.tcp_flags),
        opt_text(raw.service),
    )
}

/// IANA protocol number → [`Proto`].
fn proto_of(n: Option<u64>) -> Proto {
    match n {
        Some(6) => Proto::Tcp,
        Some(17) => Proto::Udp,
        Some(1) | Some(58) => Proto::Icmp,
        Some(_) => Proto::Other,
        None => Proto::Unknown,
    }
}

/// AWS logs SYN-ACK as 18; the other flags it logs are FIN 1, SYN 2, RST 4.
const SYN: u64 = 0x02;
const SYN_ACK: u64 = 0x12;

/// Is this record the reply direction of a connection? See the module doc.
fn is_reply(proto: Proto, sport: Option<u16>, dport: Option<u16>, tcp_flags: Option<u64>) -> bool {
    if proto == Proto::Tcp {
        if let Some(f) = tcp_flags {
            if f & SYN_ACK == SYN_ACK {
                return true;
            }
            if f & SYN == SYN {
                return false;
            }
        }
    }
    matches!((proto, sport, dport), (Proto::Tcp | Proto::Udp, Some(s), Some(d)) if s < 1024 && d >= 1024)
}

#[allow(clippy::too_many_arguments)]
fn build<'a>(
    status: &[u8],
    src: &[u8],
    dst: &[u8],
    src_port: Option<u16>,
    dst_port: Option<u16>,
    proto: Proto,
    bytes: Option<u64>,
    time_ms: Option<i64>,
    action: &[u8],
    tcp_flags: Option<u64>,
    service: Option<Cow<'a, str>>,
) -> LineResult<'a> {
    if status.eq_ignore_ascii_case(b"NODATA") || status.eq_ignore_ascii_case(b"SKIPDATA") {
        return Err(LineError::Ignored("no-data or skipped-data record"));
    }
    let time_ms = time_ms.ok_or(LineError::Skipped("bad or missing start time"))?;
    let src_ip = parse_ip(src).ok_or(LineError::Skipped("bad or missing srcaddr"))?;
    let dst_ip = parse_ip(dst).ok_or(LineError::Skipped("bad or missing dstaddr"))?;
    if is_reply(proto, src_port, dst_port, tcp_flags) {
        return Err(LineError::Ignored("reply direction of a connection"));
    }
    let action = if action.eq_ignore_ascii_case(b"REJECT") {
        Action::Denied
    } else if action.eq_ignore_ascii_case(b"ACCEPT") {
        Action::Allowed
    } else {
        Action::Unknown
    };
    Ok(Record {
        time_ms,
        src_ip: Some(src_ip),
        src_port,
        dst_ip: Some(dst_ip),
        dst_port,
        proto,
        action,
        bytes_out: bytes,
        service,
        ..Record::default()
    })
}

/// The JSON form: `{"version":2,"srcaddr":"...","srcport":4712,...}`.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct JsonFlow<'a> {
    #[serde(borrow)]
    srcaddr: Str<'a>,
    #[serde(borrow)]
    dstaddr: Str<'a>,
    srcport: Num,
    dstport: Num,
    protocol: Num,
    bytes: Num,
    start: Stamp,
    #[serde(borrow)]
    action: Str<'a>,
    #[serde(borrow, alias = "log-status")]
    log_status: Str<'a>,
    #[serde(alias = "tcp-flags")]
    tcp_flags: Num,
    #[serde(borrow, alias = "pkt-dst-aws-service")]
    pkt_dst_aws_service: Str<'a>,
}

fn parse_json(line: &[u8]) -> LineResult<'_> {
    let j: JsonFlow = serde_json::from_slice(line).map_err(|_| LineError::Skipped("invalid JSON"))?;
    build(
        j.log_status.bytes(),
        j.srcaddr.bytes(),
        j.dstaddr.bytes(),
        j.srcport.u16(),
        j.dstport.u16(),
        proto_of(j.protocol.0),
        j.bytes.0,
        j.start.0,
        j.action.bytes(),
        j.tcp_flags.0,
        j.pkt_dst_aws_service.take(),
    )
}

impl Format for AwsVpcFlow {
    fn name(&self) -> &'static str {
        "aws-vpc-flow"
    }

    fn title(&self) -> &'static str {
        "AWS VPC Flow Logs (default v2, custom formats with a header line, JSON)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, SrcPort, DstIp, DstPort, Proto, Action, BytesOut, Service]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        if is_object(line) {
            return has(line, b"\"srcaddr\"") && has(line, b"\"dstaddr\"");
        }
        if is_header(line) {
            return true;
        }
        // "2 123456789010 eni-... ... ACCEPT OK"
        let Some((version, _)) = next_token(line) else { return false };
        version.len() <= 2
            && version.iter().all(u8::is_ascii_digit)
            && (has(line, b" eni-")
                || has(line, b" ACCEPT OK")
                || has(line, b" REJECT OK")
                || line.ends_with(b" NODATA")
                || line.ends_with(b" SKIPDATA"))
    }

    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        if is_object(line) {
            parse_json(line)
        } else {
            parse_text(line, &DEFAULT_COLS)
        }
    }

    fn bind_header(&self, head: &[u8]) -> Option<Result<Box<dyn LineParser>, String>> {
        let first = head.split(|&b| b == b'\n').map(super::trim_line).find(|l| !l.is_empty())?;
        if !is_header(first) {
            return None;
        }
        let mut cols = Vec::new();
        let mut rest = first;
        while let Some((name, r)) = next_token(rest) {
            cols.push(col_of(name));
            rest = r;
        }
        for need in [Col::Src, Col::Dst, Col::Start] {
            if !cols.contains(&need) {
                return Some(Err("the header line lacks srcaddr, dstaddr or start".into()));
            }
        }
        Some(Ok(Box::new(Custom { cols })))
    }
}

/// A parser for a file whose first line names its fields.
struct Custom {
    cols: Vec<Col>,
}

impl LineParser for Custom {
    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        if is_object(line) {
            parse_json(line)
        } else {
            parse_text(line, &self.cols)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::bind;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        AwsVpcFlow.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn default_v2_record() {
        let r =
            p("2 123456789010 eni-1235b8ca123456789 10.0.1.5 203.0.113.12 49761 443 6 20 4249 1767225600 1767225660 ACCEPT OK").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-01T00:00:00Z");
        assert_eq!(r.src_ip, "10.0.1.5".parse().ok());
        assert_eq!(r.dst_ip, "203.0.113.12".parse().ok());
        assert_eq!((r.src_port, r.dst_port), (Some(49761), Some(443)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(4249), None));
    }

    #[test]
    fn reject_and_ipv6() {
        let r = p("2 123456789010 eni-1 2001:db8::5 2001:db8:1::7 34892 22 6 1 40 1767225600 1767225660 REJECT OK").unwrap();
        assert_eq!(r.action, Action::Denied);
        assert_eq!(r.dst_ip, "2001:db8:1::7".parse().ok());
    }

    #[test]
    fn nodata_and_skipdata_are_ignored() {
        for l in [
            "2 123456789010 eni-1 - - - - - - - 1767225600 1767225660 - NODATA",
            "2 123456789010 eni-1 - - - - - - - 1767225600 1767225660 - SKIPDATA",
        ] {
            assert_eq!(p(l), Err(LineError::Ignored("no-data or skipped-data record")));
        }
    }

    #[test]
    fn reply_direction_is_ignored_by_port_or_syn_ack() {
        // Reply of a web server inside to a client outside.
        let l = "2 123456789010 eni-1 10.0.0.8 198.51.100.9 443 51234 6 5 900 1767225600 1767225660 ACCEPT OK";
        assert_eq!(p(l), Err(LineError::Ignored("reply direction of a connection")));
        // tcp-flags 19 (SYN-ACK|FIN): a reply even between high ports.
        let v5 = "5 123456789010 eni-1 10.0.0.8 198.51.100.9 8443 51234 6 5 900 1767225600 1767225660 ACCEPT OK vpc-1 subnet-1 i-1 19 IPv4 10.0.0.8 198.51.100.9 eu-west-1 euw1-az1 - - - - egress 8";
        assert_eq!(p(v5), Err(LineError::Ignored("reply direction of a connection")));
        // tcp-flags 3 (SYN|FIN): the request side, even from a low port.
        let syn = "5 123456789010 eni-1 10.0.0.8 198.51.100.9 80 51234 6 5 900 1767225600 1767225660 ACCEPT OK vpc-1 subnet-1 i-1 3 IPv4 10.0.0.8 198.51.100.9 eu-west-1 euw1-az1 - - - - egress 8";
        assert!(p(syn).is_ok());
        // NTP between two well-known ports is not a reply.
        assert!(p("2 1 eni-1 192.0.2.1 10.0.0.9 123 123 17 1 76 1767225600 1767225660 ACCEPT OK").is_ok());
    }

    #[test]
    fn extended_columns_without_header_give_the_aws_service() {
        let r = p("5 123456789010 eni-1 10.0.0.8 198.51.100.20 40000 443 6 5 900 1767225600 1767225660 ACCEPT OK vpc-1 subnet-1 i-1 2 IPv4 10.0.0.8 198.51.100.20 eu-west-1 euw1-az1 - - - S3 egress 1").unwrap();
        assert_eq!(r.service.as_deref(), Some("S3"));
    }

    #[test]
    fn custom_format_bound_from_header() {
        let file = "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status\n\
                    5 vpc-1 subnet-1 i-1 eni-1 123456789010 IPv4 10.0.0.8 203.0.113.40 40000 443 10.0.0.8 203.0.113.40 6 1500 9 1767225600 1767225660 ACCEPT 2 OK\n";
        assert!(AwsVpcFlow.sniff(file.lines().next().unwrap().as_bytes()));
        let parser = bind(&AwsVpcFlow, file.as_bytes()).unwrap();
        let ctx = TimeCtx::default();
        assert_eq!(
            parser.parse(file.lines().next().unwrap().as_bytes(), &ctx),
            Err(LineError::Ignored("header line"))
        );
        let r = parser.parse(file.lines().nth(1).unwrap().as_bytes(), &ctx).unwrap();
        assert_eq!(r.dst_ip, "203.0.113.40".parse().ok());
        assert_eq!((r.dst_port, r.bytes_out), (Some(443), Some(1500)));
        assert_eq!(rfc3339(r.time_ms), "2026-01-01T00:00:00Z");
        assert!(bind(&AwsVpcFlow, b"version srcaddr dstaddr\n").is_err());
    }

    #[test]
    fn json_form_with_float_numbers() {
        let r = p(r#"{"version":5,"account_id":"123456789010","srcaddr":"10.0.0.8","dstaddr":"203.0.113.5","srcport":25238.0,"dstport":8080.0,"protocol":6.0,"packets":5.0,"bytes":412.0,"start":1767225600,"end":1767225660,"action":"ACCEPT","log_status":"OK","flow_direction":"egress","traffic_path":null}"#).unwrap();
        assert_eq!((r.src_port, r.dst_port, r.bytes_out), (Some(25238), Some(8080), Some(412)));
        assert_eq!(r.proto, Proto::Tcp);
        assert_eq!(r.time_ms, 1_767_225_600_000);
        assert_eq!(
            p(r#"{"srcaddr":"-","dstaddr":"-","start":1767225600,"log_status":"NODATA"}"#),
            Err(LineError::Ignored("no-data or skipped-data record"))
        );
    }

    #[test]
    fn malformed_lines_are_skipped() {
        assert_eq!(
            p("2 1 eni-1 host 10.0.0.1 1 2 6 1 1 1767225600 1767225660 ACCEPT OK"),
            Err(LineError::Skipped("bad or missing srcaddr"))
        );
        assert_eq!(
            p("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 soon 1767225660 ACCEPT OK"),
            Err(LineError::Skipped("bad or missing start time"))
        );
        assert!(p("2").is_err());
        assert!(p("{").is_err());
    }

    #[test]
    fn sniff_is_specific() {
        assert!(AwsVpcFlow.sniff(b"2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK"));
        assert!(!AwsVpcFlow.sniff(b"1700000000.123 245 10.1.2.3 TCP_MISS/200 5123 GET http://h/ - DIRECT/1.2.3.4 -"));
        assert!(!AwsVpcFlow.sniff(br#"{"src_ip":"10.0.0.1"}"#));
        // A FortiGate config change that names policy addresses is no header.
        assert!(!AwsVpcFlow.sniff(b"time=13:53:24 devname=fw type=event cfgattr=\"action[accept]srcaddr[a]dstaddr[b]\""));
        assert!(AwsVpcFlow.sniff(b"${version} ${srcaddr} ${dstaddr} ${start}"));
    }
}
