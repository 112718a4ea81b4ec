//! Microsoft Azure network security group (NSG) flow logs, versions 1 and
//! 2, and virtual network (VNet) flow logs, version 4: the JSON documents
//! Network Watcher writes to storage (`{"records":[...]}`, one per hour and
//! interface, each holding many flow tuples), single records as SIEM
//! collectors forward them, and records flattened to `"flow.0": "<tuple>"`.
//!
//! References:
//! <https://learn.microsoft.com/azure/network-watcher/nsg-flow-logs-overview#log-format>,
//! <https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview#log-format>.
//!
//! Tuples, comma-separated:
//! - NSG v1/v2: `time(s),src,dst,sport,dport,T|U,I|O,A|D[,B|C|E,pkts s→d,bytes s→d,pkts d→s,bytes d→s]`
//! - VNet v4: `time(ms),src,dst,sport,dport,protocol number,I|O,B|C|E|D,encryption,pkts s→d,bytes s→d,pkts d→s,bytes d→s`
//!
//! The source of a tuple is the side that opened the flow, so bytes source →
//! destination are its `bytes_out`. Times are the tuple's own (when the flow
//! was seen), not the record's `time` (when the batch was written).
//!
//! Counting: version 2 and 4 log a flow as it begins (B, no counters), every
//! few minutes while it lasts (C) and when it ends (E); counters cover the
//! time since the previous tuple. So that each flow counts once, a flow is
//! a record at its end tuple (E), which for the short connections that make
//! up most machine-to-machine traffic carries all its bytes; B and C tuples
//! are ignored. The cost: a flow still open when the log ends is not
//! counted, and the bytes of C tuples of long flows are not added. Denied
//! flows (decision D, or state D in v4) are records whatever their state;
//! version 1 tuples (no state) are records.

use super::json_de::has;
use super::{parse_ip, Field, Format, Framing, LineError, LineResult};
use crate::record::{Action, Proto, Record};
use crate::time::{epoch_auto_ms, parse_u16, parse_u64, TimeCtx};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

pub struct AzureNsgFlow;

/// Collects every flow tuple of a document, wherever it sits: in a
/// `flowTuples` array, or as the value of a `flow.N` key.
struct Tuples<'v, 'de>(&'v mut Vec<Cow<'de, str>>);

impl<'de> DeserializeSeed<'de> for Tuples<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Tuples<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a flow log document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        while let Some(key) = m.next_key::<Cow<'de, str>>()? {
            if key == "flowTuples" || key.starts_with("flow.") {
                m.next_value_seed(Strings(&mut *self.0))?;
            } else {
                m.next_value_seed(Tuples(&mut *self.0))?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while s.next_element_seed(Tuples(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A tuple string, or an array of them; anything else is skipped.
struct Strings<'v, 'de>(&'v mut Vec<Cow<'de, str>>);

impl<'de> DeserializeSeed<'de> for Strings<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strings<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("flow tuples")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<(), E> {
        self.0.push(Cow::Borrowed(v));
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.0.push(Cow::Owned(v.to_string()));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while s.next_element_seed(Strings(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Why a tuple is not a record.
#[derive(Debug, PartialEq)]
enum NoFlow {
    /// A begin or continuation tuple of an allowed flow.
    NotCounted,
    Bad,
}

/// One tuple as a record to count, or why not.
fn tuple(t: &str) -> Result<Record<'static>, NoFlow> {
    let mut f = t.split(',').map(str::trim);
    let mut next = || f.next().unwrap_or_default().as_bytes();
    let (ts, src, dst, sport, dport, proto, _dir) = (next(), next(), next(), next(), next(), next(), next());
    let (Some(ts), Some(src), Some(dst)) = (parse_u64(ts), parse_ip(src), parse_ip(dst)) else {
        return Err(NoFlow::Bad);
    };
    // v1/v2 write the protocol as T or U, v4 as an IANA number.
    let (proto, v4) = match proto {
        b"T" | b"t" => (Proto::Tcp, false),
        b"U" | b"u" => (Proto::Udp, false),
        n if n.iter().all(u8::is_ascii_digit) && !n.is_empty() => (Proto::parse(n), true),
        _ => return Err(NoFlow::Bad),
    };
    let (denied, state) = if v4 {
        let state = next();
        let _encryption = next();
        (state == b"D", state)
    } else {
        let decision = next();
        (decision == b"D", next())
    };
    let counted = denied || matches!(state, b"E" | b"");
    if !counted {
        return Err(if matches!(state, b"B" | b"C") {
            NoFlow::NotCounted
        } else {
            NoFlow::Bad
        });
    }
    let (_pkts_out, bytes_out, _pkts_in, bytes_in) = (next(), next(), next(), next());
    Ok(Record {
        time_ms: epoch_auto_ms(ts),
        src_ip: Some(src),
        src_port: parse_u16(sport),
        dst_ip: Some(dst),
        dst_port: parse_u16(dport),
        proto,
        action: if denied { Action::Denied } else { Action::Allowed },
        bytes_out: parse_u64(bytes_out),
        bytes_in: parse_u64(bytes_in),
        ..Record::default()
    })
}

impl Format for AzureNsgFlow {
    fn name(&self) -> &'static str {
        "azure-nsg-flow"
    }

    fn title(&self) -> &'static str {
        "Azure NSG flow logs v1/v2 and VNet flow logs v4 (JSON documents or single records)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, SrcPort, DstIp, DstPort, Proto, Action, BytesOut, BytesIn]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"\"flowTuples\"")
            || has(line, b"NetworkSecurityGroupFlowEvent")
            || has(line, b"FlowLogFlowEvent")
            || (has(line, b"\"flow.0\"") && has(line, b"\"macAddress\""))
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let mut first = None;
        self.parse_multi(line, ctx, &mut |r| {
            if first.is_none() {
                first = Some(r);
            }
        })?;
        first.ok_or(LineError::Skipped("no flow in the record"))
    }

    fn parse_multi<'a>(&self, line: &'a [u8], _ctx: &TimeCtx, out: &mut dyn FnMut(Record<'a>)) -> Result<usize, LineError> {
        let mut tuples = Vec::new();
        let mut de = serde_json::Deserializer::from_slice(line);
        Tuples(&mut tuples)
            .deserialize(&mut de)
            .and_then(|_| de.end())
            .map_err(|_| LineError::Skipped("invalid JSON"))?;
        let (mut n, mut not_counted, mut bad) = (0, 0, 0);
        for t in &tuples {
            match tuple(t) {
                Ok(r) => {
                    out(r);
                    n += 1;
                }
                Err(NoFlow::NotCounted) => not_counted += 1,
                Err(NoFlow::Bad) => bad += 1,
            }
        }
        match (n, not_counted, bad) {
            (0, 0, 0) => Err(LineError::Ignored("record without flow tuples")),
            (0, _, 0) => Err(LineError::Ignored("flow begin or continuation (a flow counts at its end)")),
            (0, _, _) => Err(LineError::Skipped("bad flow tuple")),
            _ => Ok(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(doc: &str) -> Result<Vec<Record<'_>>, LineError> {
        let mut v = Vec::new();
        AzureNsgFlow.parse_multi(doc.as_bytes(), &TimeCtx::default(), &mut |r| v.push(r))?;
        Ok(v)
    }

    const V2_DOC: &str = r#"{"records":[{"time":"2026-01-01T00:01:00.1234567Z","systemId":"5f4d8f9e-1111-2222-3333-444455556666","macAddress":"000D3A123456","category":"NetworkSecurityGroupFlowEvent","resourceId":"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WEB-NSG","operationName":"NetworkSecurityGroupFlowEvents","properties":{"Version":2,"flows":[{"rule":"DefaultRule_AllowInternetOutBound","flows":[{"mac":"000D3A123456","flowTuples":["1767225600,10.0.0.4,203.0.113.10,44931,443,T,O,A,B,,,,","1767225605,10.0.0.4,203.0.113.10,44931,443,T,O,A,E,12,1820,10,9315","1767225610,10.0.0.4,203.0.113.11,44940,443,T,O,A,C,30,4000,25,80000"]}]},{"rule":"DefaultRule_DenyAllInBound","flows":[{"mac":"000D3A123456","flowTuples":["1767225620,198.51.100.7,10.0.0.4,51000,22,T,I,D,B,,,,"]}]}]}}]}"#;

    #[test]
    fn v2_document_counts_end_and_denied_tuples() {
        let v = all(V2_DOC).unwrap();
        assert_eq!(v.len(), 2);
        let end = &v[0];
        assert_eq!(end.time_ms, 1_767_225_605_000);
        assert_eq!(end.src_ip, "10.0.0.4".parse().ok());
        assert_eq!((end.dst_ip, end.dst_port), ("203.0.113.10".parse().ok(), Some(443)));
        assert_eq!((end.bytes_out, end.bytes_in), (Some(1820), Some(9315)));
        assert_eq!((end.proto, end.action), (Proto::Tcp, Action::Allowed));
        let denied = &v[1];
        assert_eq!((denied.action, denied.dst_port), (Action::Denied, Some(22)));
        assert_eq!(denied.bytes_out, None);
    }

    #[test]
    fn v4_vnet_tuples_use_ms_and_state_d() {
        let doc = r#"{"records":[{"time":"2026-01-01T00:01:00Z","flowLogVersion":4,"category":"FlowLogFlowEvent","flowRecords":{"flows":[{"aclID":"00000000-0000-0000-0000-000000000000","flowGroups":[{"rule":"DefaultRule_AllowInternetOutBound","flowTuples":["1767225600123,10.0.0.6,192.0.2.180,23956,443,6,O,E,NX,3,767,2,1580","1767225600456,198.51.100.9,10.0.0.6,55188,3389,6,I,D,NX,0,0,0,0","1767225600789,10.0.0.6,192.0.2.181,23957,443,6,O,B,NX,0,0,0,0"]}]}]}}]}"#;
        let v = all(doc).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].time_ms, 1_767_225_600_123);
        assert_eq!((v[0].bytes_out, v[0].bytes_in), (Some(767), Some(1580)));
        assert_eq!(v[1].action, Action::Denied);
    }

    #[test]
    fn flattened_single_tuple_records() {
        let v1 = r#"{"time":"2026-01-01T00:00:30.0000000Z","macAddress":"000D3A123456","operationName":"NetworkSecurityGroupFlowEvents","rule":"UserRule_Out","flow.0":"1767225600,10.0.0.5,203.0.113.20,55486,443,T,O,A"}"#;
        let r = AzureNsgFlow.parse(v1.as_bytes(), &TimeCtx::default()).unwrap();
        assert_eq!((r.time_ms, r.dst_port, r.bytes_out), (1_767_225_600_000, Some(443), None));
        let cont = r#"{"macAddress":"000D3A123456","time":"2026-01-01T00:00:30Z","flow.0":"1767225600,10.0.0.5,192.0.2.53,35336,53,U,O,A,C,1,99,1,167"}"#;
        assert_eq!(
            AzureNsgFlow.parse(cont.as_bytes(), &TimeCtx::default()),
            Err(LineError::Ignored("flow begin or continuation (a flow counts at its end)"))
        );
    }

    #[test]
    fn pretty_printed_document() {
        let doc = "{\n  \"records\": [\n    {\n      \"properties\": {\n        \"flows\": [ { \"flows\": [ { \"flowTuples\": [\n          \"1767225600,10.0.0.4,203.0.113.10,1,443,T,O,A,E,1,2,3,4\"\n        ] } ] } ]\n      }\n    }\n  ]\n}";
        assert_eq!(all(doc).unwrap().len(), 1);
    }

    #[test]
    fn malformed_documents_and_tuples() {
        assert_eq!(all("{\"records\":["), Err(LineError::Skipped("invalid JSON")));
        assert_eq!(all(r#"{"records":[]}"#), Err(LineError::Ignored("record without flow tuples")));
        assert_eq!(
            all(r#"{"flowTuples":["x,10.0.0.1,10.0.0.2,1,2,T,O,A,E,1,1,1,1","1,a,b"]}"#),
            Err(LineError::Skipped("bad flow tuple"))
        );
        // One bad tuple does not lose the good ones.
        assert_eq!(
            all(r#"{"flowTuples":["1,10.0.0.1,10.0.0.2,1,2,X,O,A,E,1,1,1,1","1767225600,10.0.0.1,192.0.2.1,1,2,U,O,A,E,1,1,1,1"]}"#)
                .unwrap()
                .len(),
            1
        );
        // Deep nesting is refused by the JSON parser, not a stack overflow.
        let deep = "[".repeat(10_000);
        assert!(all(&deep).is_err());
    }

    #[test]
    fn sniff_markers() {
        assert!(AzureNsgFlow.sniff(V2_DOC.as_bytes()));
        assert!(AzureNsgFlow.sniff(b"      \"flowTuples\": ["));
        assert!(!AzureNsgFlow.sniff(br#"{"category":"AzureFirewallNetworkRule"}"#));
    }
}
