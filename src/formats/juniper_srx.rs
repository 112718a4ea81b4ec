//! Juniper SRX (Junos OS 12.1 to 23.x) security flow logs: `RT_FLOW`
//! session events in the structured format (RFC 5424 structured data,
//! `RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129 source-address="..." ...]`)
//! and the standard format (`RT_FLOW_SESSION_CLOSE: session closed TCP FIN:
//! 10.0.0.1/51000->203.0.113.7/443 ...`), with or without the syslog
//! envelope.
//!
//! Reference: Junos OS System Log Reference, RT_FLOW
//! <https://www.juniper.net/documentation/us/en/software/junos/flow-packet-processing/topics/ref/statement/security-edit-log-flow.html>
//! and "RT_FLOW System Log Messages"
//! <https://www.juniper.net/documentation/us/en/software/junos/syslog-messages/topics/ref/general/rt-flow.html>.
//!
//! A session can be logged at creation and at close. The close event is the
//! record (it carries both byte counts: `bytes-from-client` is the source's
//! `bytes_out`, `bytes-from-server` its `bytes_in`); `RT_FLOW_SESSION_CREATE`
//! is ignored so that a session is not counted twice. `RT_FLOW_SESSION_DENY`
//! is a Denied record. IDP, UTM, AppTrack, screen and management events are
//! ignored: they describe sessions the flow log already has, or no traffic.

use super::common::{find, has, ip_port, undated, user, Tokens};
use super::kv::pairs;
use super::{syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, Action, Proto, Record};
use crate::time::{parse_iso8601, parse_u16, parse_u64, TimeCtx};

pub struct JuniperSrx;

impl Format for JuniperSrx {
    fn name(&self) -> &'static str {
        "juniper-srx"
    }

    fn title(&self) -> &'static str {
        "Juniper SRX RT_FLOW session logs (structured and standard syslog)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        has(line, b"RT_FLOW")
            || has(line, b"[junos@")
            || has(line, b"RT_SCREEN")
            || has(line, b"RT_IDP")
            || has(line, b"RT_UTM")
            || has(line, b"APPTRACK_SESSION")
            || (has(line, b"mgd[") && has(line, b": UI_"))
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (event, at) = match find(line, b"RT_FLOW_SESSION_") {
            Some(i) => (line.get(i + 16..).unwrap_or_default(), i),
            None => return Err(LineError::Ignored("not a flow session event")),
        };
        let kind = if event.starts_with(b"CLOSE") {
            Action::Allowed
        } else if event.starts_with(b"DENY") {
            Action::Denied
        } else if event.starts_with(b"CREATE") {
            return Err(LineError::Ignored("session create (its close event is the record)"));
        } else {
            return Err(LineError::Ignored("other flow session event"));
        };
        let time_ms = time(line, ctx);
        let body = line.get(at..).unwrap_or_default();
        let mut rec = match find(body, b"[junos@") {
            Some(i) => structured(body.get(i..).unwrap_or_default())?,
            None => standard(body, kind)?,
        };
        rec.time_ms = time_ms;
        rec.action = kind;
        Ok(rec)
    }
}

/// The device's ISO stamp when the line has one (RFC 5424 header, or the
/// Junos header after a relay's BSD stamp), else the envelope's.
fn time(line: &[u8], ctx: &TimeCtx) -> i64 {
    let (hdr, msg) = syslog::split(line, ctx);
    if let Some(stamp) = Tokens(msg).next() {
        if stamp.len() >= 19 && stamp.get(4) == Some(&b'-') {
            if let Some(t) = parse_iso8601(stamp, &ctx.zone) {
                return t;
            }
        }
    }
    hdr.time_ms.unwrap_or_else(|| undated(ctx))
}

/// `[junos@2636.1.1.1.2.129 source-address="..." ...]`.
fn structured(sd: &[u8]) -> Result<Record<'_>, LineError> {
    let mut rec = Record::default();
    let (mut app, mut service) = (None, None);
    for (k, v) in pairs(sd) {
        match k {
            b"source-address" => rec.src_ip = super::parse_ip(v),
            b"source-port" => rec.src_port = parse_u16(v),
            b"destination-address" => rec.dst_ip = super::parse_ip(v),
            b"destination-port" => rec.dst_port = parse_u16(v),
            b"protocol-id" => rec.proto = Proto::parse(v),
            b"bytes-from-client" => rec.bytes_out = parse_u64(v),
            b"bytes-from-server" => rec.bytes_in = parse_u64(v),
            b"username" => rec.user = user(v),
            b"application" => app = known(v),
            b"service-name" => service = known(v),
            _ => {}
        }
    }
    if rec.src_ip.is_none() {
        return Err(LineError::Skipped("bad or missing source-address"));
    }
    rec.service = app.or(service).and_then(opt_text);
    Ok(rec)
}

/// `N/A`, `UNKNOWN` and `None` are what Junos writes for "no value".
fn known(v: &[u8]) -> Option<&[u8]> {
    (!matches!(v, b"N/A" | b"UNKNOWN" | b"None" | b"NA" | b"")).then_some(v)
}

/// `RT_FLOW_SESSION_CLOSE: session closed <reason>: src/sport->dst/dport
/// [0x0] service nat-src/port->nat-dst/port [0x0] nat-rule-type nat-rule ...
/// proto policy from-zone to-zone session-id pkts(bytes) pkts(bytes)
/// elapsed app nested-app user(roles) ...` (CLOSE), and for DENY
/// `session denied src/sport->dst/dport [0x0] service proto(icmp-type)
/// policy from-zone to-zone app nested-app user(roles) ...`.
fn standard(body: &[u8], kind: Action) -> Result<Record<'_>, LineError> {
    let mut toks = Tokens(body);
    let tuple = toks
        .by_ref()
        .find(|t| has(t, b"->"))
        .ok_or(LineError::Skipped("no src->dst tuple"))?;
    let mut rec = Record::default();
    let arrow = find(tuple, b"->").unwrap_or_default();
    (rec.src_ip, rec.src_port) = ip_port(tuple.get(..arrow).unwrap_or_default(), b'/');
    (rec.dst_ip, rec.dst_port) = ip_port(tuple.get(arrow + 2..).unwrap_or_default(), b'/');
    if rec.src_ip.is_none() || rec.dst_ip.is_none() {
        return Err(LineError::Skipped("bad src->dst tuple"));
    }
    let mut service = toks.next();
    if service.is_some_and(|s| s.starts_with(b"0x")) {
        service = toks.next(); // connection tag (Junos 15.1X49+)
    }
    rec.service = service.and_then(known).and_then(opt_text);
    if kind == Action::Denied {
        // `6(0)`: protocol-id(icmp-type), then policy, zones, app, nested app, user(roles).
        if let Some(p) = toks.next() {
            rec.proto = Proto::parse(p.split(|&c| c == b'(').next().unwrap_or_default());
        }
        rec.user = toks.nth(5).and_then(user_of);
        return Ok(rec);
    }
    // CLOSE: find the two `packets(bytes)` counters; the protocol id is
    // five tokens before the first (proto policy from-zone to-zone session-id).
    let mut last: [&[u8]; 5] = [&[]; 5];
    while let Some(t) = toks.next() {
        if let Some(client) = counter(t) {
            rec.proto = Proto::parse(last.first().copied().unwrap_or_default());
            rec.bytes_out = Some(client);
            rec.bytes_in = toks.next().and_then(counter);
            // elapsed-time, application, nested-application, user(roles)
            let mut after = toks.clone().take(4);
            let _elapsed = after.next();
            if let Some(app) = after.next().and_then(known) {
                rec.service = opt_text(app);
            }
            rec.user = after.nth(1).and_then(user_of);
            break;
        }
        last.rotate_left(1);
        if let Some(slot) = last.last_mut() {
            *slot = t;
        }
    }
    Ok(rec)
}

/// `60(52906)` → 52906 (packets(bytes)).
fn counter(t: &[u8]) -> Option<u64> {
    let open = memchr::memchr(b'(', t)?;
    let inner = t.get(open + 1..)?.strip_suffix(b")")?;
    parse_u64(t.get(..open)?)?;
    parse_u64(inner)
}

/// `jdoe(engineering)` → jdoe; `N/A(N/A)` → none.
fn user_of(t: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    let end = memchr::memchr(b'(', t)?;
    t.get(..end).and_then(user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        JuniperSrx.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn structured_close_with_rfc5424_header() {
        let l = r#"<14>1 2026-10-05T02:15:02.123+02:00 srx1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129 reason="TCP FIN" source-address="192.0.2.10" source-port="51000" destination-address="203.0.113.7" destination-port="443" connection-tag="0" service-name="junos-https" nat-source-address="198.51.100.1" nat-source-port="41000" protocol-id="6" policy-name="out" source-zone-name="trust" destination-zone-name="untrust" session-id-32="1234" packets-from-client="10" bytes-from-client="1200" packets-from-server="12" bytes-from-server="5400" elapsed-time="3" application="SSL" nested-application="UNKNOWN" username="svc_backup" roles="N/A"]"#;
        assert!(JuniperSrx.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.src_ip, "192.0.2.10".parse().ok());
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert_eq!(r.user.as_deref(), Some("svc_backup"));
        assert_eq!(r.service.as_deref(), Some("SSL"));
    }

    #[test]
    fn standard_close_counts_and_user() {
        let r = p("<14>Oct  5 00:15:02 srx1 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP CLIENT RST: 192.0.2.10/37769->203.0.113.25/25 0x0 junos-smtp 198.51.100.1/37769->203.0.113.25/25 0x0 N/A N/A static rule r1 6 out trust untrust 154619140403 60(52906) 47(26103) 3 UNKNOWN UNKNOWN jdoe(staff) reth2.1010 UNKNOWN").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port, r.proto), (Some(37769), Some(25), Proto::Tcp));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(52906), Some(26103)));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.service.as_deref(), Some("junos-smtp"));
    }

    #[test]
    fn older_standard_close_without_connection_tag_and_ipv6() {
        let r = p("RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 2001:db8::10/51000->2001:0db8:0000:0000:0000:0000:0000:0443/443 junos-https 2001:db8::10/51000->2001:db8::443/443 None None 6 out trust untrust 42 10(1000) 12(5000) 30").unwrap();
        assert_eq!(r.dst_ip, "2001:db8::443".parse().ok());
        assert_eq!((r.bytes_out, r.bytes_in, r.proto), (Some(1000), Some(5000), Proto::Tcp));
        assert_eq!(r.user, None);
    }

    #[test]
    fn deny_is_denied_and_create_is_ignored() {
        let d = p(r#"Oct  5 00:15:02 192.0.2.1 junos-flow: 2026-10-05T00:15:01.803Z srx-01 RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.39 source-address="192.0.2.10" source-port="1080" destination-address="198.51.100.2" destination-port="8010" service-name="junos-dns-udp" protocol-id="17" icmp-type="0" policy-name="deny-all"]"#).unwrap();
        assert_eq!((d.action, d.proto, d.dst_port), (Action::Denied, Proto::Udp, Some(8010)));
        assert_eq!(rfc3339(d.time_ms), "2026-10-05T00:15:01Z");
        let s = p("RT_FLOW_SESSION_DENY: session denied 192.0.2.10/5000->198.51.100.2/443 0x0 junos-https 6(0) default-deny trust untrust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No").unwrap();
        assert_eq!((s.action, s.proto, s.user), (Action::Denied, Proto::Tcp, None));
        assert_eq!(
            p("RT_FLOW_SESSION_CREATE: session created 192.0.2.10/5000->198.51.100.2/25 0x0 junos-smtp"),
            Err(LineError::Ignored("session create (its close event is the record)"))
        );
    }

    #[test]
    fn screen_idp_and_management_events_are_ignored() {
        for l in [
            r#"RT_SCREEN_ICMP [attack-name="Address sweep!" source-address="192.0.2.2" destination-address="192.0.2.1"]"#,
            "mgd[54999]: UI_LOGIN_EVENT: User 'jdoe' login, class 'j-super' [54999], ssh-connection '192.0.2.1 40382 192.0.2.2 22'",
        ] {
            assert!(JuniperSrx.sniff(l.as_bytes()));
            assert!(matches!(p(l), Err(LineError::Ignored(_))));
        }
        assert_eq!(
            p("RT_FLOW_SESSION_CLOSE: session closed TCP FIN: garbage"),
            Err(LineError::Skipped("no src->dst tuple"))
        );
    }
}
