//! Juniper NetScreen / ScreenOS (5.x to 6.3) traffic logs over syslog:
//! `NetScreen device_id=... [Root]system-notification-00257(traffic):
//! start_time="2026-10-05 00:15:02" duration=3 policy_id=2 service=https
//! proto=6 src zone=Trust dst zone=Untrust action=Permit sent=1200
//! rcvd=5400 src=... dst=... src_port=... dst_port=... session_id=...
//! reason=Close - TCP FIN`.
//!
//! Reference: ScreenOS Message Log Reference Guide, "Traffic Logs"
//! <https://www.juniper.net/documentation/software/screenos/screenos6.3.0/630_ml.pdf>.
//!
//! A traffic log is written when a session closes (or is denied), so it is
//! the record; the optional session-init log (`reason=Creation`) is ignored
//! so that a session is not counted twice. The time is the session's end:
//! `start_time` (device local time, `--tz`) plus `duration`. `sent` is what
//! the source sent. Every other message (`system-information`,
//! `system-warning`, screen alarms, ...) is ignored.

use super::common::{find, has, local_ms, undated, ymd_hms};
use super::kv::pairs;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, Action, Proto, Record};
use crate::time::{parse_u16, parse_u64, TimeCtx};

pub struct NetScreen;

impl Format for NetScreen {
    fn name(&self) -> &'static str {
        "netscreen"
    }

    fn title(&self) -> &'static str {
        "Juniper NetScreen / ScreenOS traffic log (syslog)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, SrcPort, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, Service]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"NetScreen device_id=")
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let Some(t) = find(line, b"(traffic):") else {
            return Err(LineError::Ignored("system event"));
        };
        let msg = line.get(t + 10..).unwrap_or_default();
        let mut rec = Record::default();
        let (mut start, mut duration, mut reason) = (None, 0u64, &b""[..]);
        for (k, v) in pairs(msg) {
            match k {
                b"start_time" => start = ymd_hms(v),
                b"duration" => duration = parse_u64(v).unwrap_or(0),
                b"service" => rec.service = opt_text(v),
                b"proto" => rec.proto = Proto::parse(v),
                b"action" => rec.action = Action::from_word(v),
                b"sent" => rec.bytes_out = parse_u64(v),
                b"rcvd" => rec.bytes_in = parse_u64(v),
                b"src" => rec.src_ip = parse_ip(v),
                b"dst" => rec.dst_ip = parse_ip(v),
                b"src_port" => rec.src_port = parse_u16(v),
                b"dst_port" => rec.dst_port = parse_u16(v),
                b"reason" => reason = v,
                _ => {}
            }
        }
        if reason == b"Creation" {
            return Err(LineError::Ignored("session init log (its close log is the record)"));
        }
        if rec.src_ip.is_none() {
            return Err(LineError::Skipped("bad or missing src"));
        }
        if rec.action == Action::Unknown {
            rec.action = Action::Allowed;
        }
        rec.time_ms = match start {
            Some((local, ms, _)) => local_ms(ctx, local, ms).saturating_add(i64::try_from(duration).unwrap_or(0).saturating_mul(1000)),
            None => syslog::split(line, ctx).0.time_ms.unwrap_or_else(|| undated(ctx)),
        };
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{rfc3339, Zone};

    fn p(l: &str) -> LineResult<'_> {
        NetScreen.parse(
            l.as_bytes(),
            &TimeCtx {
                year: 2026,
                zone: Zone::Fixed(3600),
                ref_ms: None,
            },
        )
    }

    #[test]
    fn permitted_session_ends_at_start_plus_duration() {
        let l = r#"<134>Oct  5 01:15:05 192.0.2.1 ssg5: NetScreen device_id=ssg5  [Root]system-notification-00257(traffic): start_time="2026-10-05 01:15:02" duration=3 policy_id=2 service=https proto=6 src zone=Trust dst zone=Untrust action=Permit sent=1200 rcvd=5400 src=192.0.2.10 dst=203.0.113.7 src_port=51000 dst_port=443 src-xlated ip=198.51.100.1 port=41000 dst-xlated ip=203.0.113.7 port=443 session_id=4242 reason=Close - TCP FIN"#;
        assert!(NetScreen.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:05Z");
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert_eq!(r.service.as_deref(), Some("https"));
    }

    #[test]
    fn denied_icmp_and_ipv6() {
        let r = p(r#"NetScreen device_id=ns1 [Root]system-notification-00257(traffic): start_time="2026-10-05 01:15:02" duration=0 policy_id=320001 service=icmp proto=1 src zone=Untrust dst zone=Trust action=Deny sent=0 rcvd=0 src=2001:db8::9 dst=2001:0db8:0000:0000:0000:0000:0000:0001 icmp type=8 session_id=0 reason=Traffic Denied"#).unwrap();
        assert_eq!((r.action, r.proto, r.dst_port), (Action::Denied, Proto::Icmp, None));
        assert_eq!(r.dst_ip, "2001:db8::1".parse().ok());
    }

    #[test]
    fn session_init_and_system_events_are_ignored() {
        assert_eq!(
            p(
                r#"NetScreen device_id=ns1 [Root]system-notification-00257(traffic): start_time="2026-10-05 01:15:02" duration=0 policy_id=2 service=https proto=6 action=Permit sent=0 rcvd=0 src=192.0.2.10 dst=203.0.113.7 src_port=1 dst_port=443 session_id=1 reason=Creation"#
            ),
            Err(LineError::Ignored("session init log (its close log is the record)"))
        );
        assert_eq!(
            p("2026-10-05T01:15:02+01:00 192.0.2.1 ssg5: NetScreen device_id=ns1  [Root]system-warning-00515: Management session via SSH from 192.0.2.100:0 has timed out"),
            Err(LineError::Ignored("system event"))
        );
        assert_eq!(
            p("NetScreen device_id=ns1 [Root]system-notification-00257(traffic): start_time=\"x\" src=nowhere"),
            Err(LineError::Skipped("bad or missing src"))
        );
    }
}
