//! Google Cloud VPC Flow Logs: Cloud Logging entries of
//! `compute.googleapis.com/vpc_flows`, as exported to storage, BigQuery JSON
//! or Pub/Sub (one entry per line, a JSON array, or pretty-printed), and the
//! bare `jsonPayload` some pipelines forward.
//!
//! Reference: <https://cloud.google.com/vpc/docs/flow-logs#record_format>.
//!
//! An entry is one direction of a sampled flow during an aggregation
//! interval: `connection.src_ip` → `connection.dest_ip`, and `bytes_sent`
//! went that way, so it is the source's `bytes_out`. As for AWS (see
//! `aws_vpc`), an entry from a port below 1024 to one at or above it is
//! taken as the reply direction of a connection and ignored, so that the
//! replies of a service inside do not look like outbound connections to
//! client ports. The time is `start_time` (the first packet of the flow in
//! the interval), else the entry's `timestamp`. Flow logs record allowed
//! traffic only. A flow between two VMs of the project can be reported by
//! both ends (`reporter` SRC and DEST); both entries are kept, which only
//! matters for internal traffic, never channelled.

use super::json_de::{has, Num, Stamp, Str};
use super::{parse_ip, Field, Format, Framing, LineError, LineResult};
use crate::record::{Action, Proto, Record};
use crate::time::TimeCtx;
use serde::Deserialize;

pub struct GcpVpcFlow;

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Entry<'a> {
    #[serde(borrow)]
    json_payload: Option<Payload<'a>>,
    timestamp: Stamp,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Payload<'a> {
    #[serde(borrow)]
    connection: Option<Connection<'a>>,
    bytes_sent: Num,
    start_time: Stamp,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Connection<'a> {
    #[serde(borrow)]
    src_ip: Str<'a>,
    #[serde(borrow)]
    dest_ip: Str<'a>,
    src_port: Num,
    dest_port: Num,
    protocol: Num,
}

impl Format for GcpVpcFlow {
    fn name(&self) -> &'static str {
        "gcp-vpc-flow"
    }

    fn title(&self) -> &'static str {
        "Google Cloud VPC Flow Logs (Cloud Logging JSON entries)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, SrcPort, DstIp, DstPort, Proto, Action, BytesOut]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"vpc_flows")
            || (has(line, b"\"connection\"") && has(line, b"\"reporter\""))
            || (has(line, b"\"jsonPayload\"") && has(line, b"\"dest_ip\""))
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        let e: Entry = serde_json::from_slice(line).map_err(|_| LineError::Skipped("invalid JSON"))?;
        let payload = match e.json_payload {
            Some(p) => p,
            None => serde_json::from_slice(line).map_err(|_| LineError::Skipped("invalid JSON"))?,
        };
        let c = payload.connection.ok_or(LineError::Ignored("log entry without a connection"))?;
        let time_ms = payload
            .start_time
            .0
            .or(e.timestamp.0)
            .ok_or(LineError::Skipped("bad or missing time"))?;
        let src_ip = parse_ip(c.src_ip.bytes()).ok_or(LineError::Skipped("bad or missing src_ip"))?;
        let dst_ip = parse_ip(c.dest_ip.bytes()).ok_or(LineError::Skipped("bad or missing dest_ip"))?;
        let proto = match c.protocol.0 {
            Some(6) => Proto::Tcp,
            Some(17) => Proto::Udp,
            Some(1) | Some(58) => Proto::Icmp,
            Some(_) => Proto::Other,
            None => Proto::Unknown,
        };
        let (src_port, dst_port) = (c.src_port.u16(), c.dest_port.u16());
        if matches!((proto, src_port, dst_port), (Proto::Tcp | Proto::Udp, Some(s), Some(d)) if s < 1024 && d >= 1024) {
            return Err(LineError::Ignored("reply direction of a connection"));
        }
        Ok(Record {
            time_ms,
            src_ip: Some(src_ip),
            src_port,
            dst_ip: Some(dst_ip),
            dst_port,
            proto,
            action: Action::Allowed,
            bytes_out: payload.bytes_sent.0,
            ..Record::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(l: &str) -> LineResult<'_> {
        GcpVpcFlow.parse(l.as_bytes(), &TimeCtx::default())
    }

    const ENTRY: &str = r#"{"insertId":"abc123","jsonPayload":{"bytes_sent":"1872","connection":{"dest_ip":"203.0.113.50","dest_port":443,"protocol":6,"src_ip":"10.128.0.7","src_port":45950},"end_time":"2026-01-01T00:00:00.768509812Z","packets_sent":"16","reporter":"SRC","src_instance":{"project_id":"example-project","region":"europe-west1","vm_name":"batch-1","zone":"europe-west1-b"},"start_time":"2026-01-01T00:00:00.501046130Z"},"logName":"projects/example-project/logs/compute.googleapis.com%2Fvpc_flows","receiveTimestamp":"2026-01-01T00:00:09.654174991Z","resource":{"labels":{"location":"europe-west1-b","project_id":"example-project","subnetwork_id":"1234567890","subnetwork_name":"default"},"type":"gce_subnetwork"},"timestamp":"2026-01-01T00:00:09.654174991Z"}"#;

    #[test]
    fn entry_uses_start_time_and_bytes_sent() {
        let r = p(ENTRY).unwrap();
        assert_eq!(r.time_ms, 1_767_225_600_501);
        assert_eq!((r.src_ip, r.src_port), ("10.128.0.7".parse().ok(), Some(45950)));
        assert_eq!((r.dst_ip, r.dst_port), ("203.0.113.50".parse().ok(), Some(443)));
        assert_eq!((r.proto, r.action, r.bytes_out), (Proto::Tcp, Action::Allowed, Some(1872)));
        assert!(GcpVpcFlow.sniff(ENTRY.as_bytes()));
    }

    #[test]
    fn pretty_printed_entry_and_bare_payload() {
        let pretty = "{\n  \"jsonPayload\": {\n    \"connection\": {\"src_ip\": \"10.128.0.7\", \"src_port\": 40000, \"dest_ip\": \"198.51.100.3\", \"dest_port\": 22, \"protocol\": 6},\n    \"bytes_sent\": \"300\"\n  },\n  \"timestamp\": \"2026-01-01T00:00:10Z\"\n}";
        let r = p(pretty).unwrap();
        assert_eq!((r.time_ms, r.dst_port), (1_767_225_610_000, Some(22)));
        let bare = r#"{"connection":{"src_ip":"10.128.0.7","src_port":40001,"dest_ip":"198.51.100.3","dest_port":53,"protocol":17},"bytes_sent":"80","start_time":"2026-01-01T00:00:11Z","reporter":"SRC"}"#;
        assert_eq!(p(bare).unwrap().proto, Proto::Udp);
    }

    #[test]
    fn reply_direction_is_ignored() {
        let reply = ENTRY
            .replace("\"dest_port\":443", "\"dest_port\":45950")
            .replace("\"src_port\":45950", "\"src_port\":443");
        assert_eq!(p(&reply), Err(LineError::Ignored("reply direction of a connection")));
    }

    #[test]
    fn malformed_entries() {
        assert_eq!(p("{"), Err(LineError::Skipped("invalid JSON")));
        assert_eq!(
            p(r#"{"jsonPayload":{"message":"x"},"timestamp":"2026-01-01T00:00:00Z"}"#),
            Err(LineError::Ignored("log entry without a connection"))
        );
        assert_eq!(
            p(r#"{"jsonPayload":{"connection":{"src_ip":"x","dest_ip":"10.0.0.1"}},"timestamp":"2026-01-01T00:00:00Z"}"#),
            Err(LineError::Skipped("bad or missing src_ip"))
        );
        assert_eq!(
            p(r#"{"jsonPayload":{"connection":{"src_ip":"10.0.0.2","dest_ip":"10.0.0.1"}}}"#),
            Err(LineError::Skipped("bad or missing time"))
        );
    }
}
