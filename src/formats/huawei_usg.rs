//! Huawei USG / HiSecEngine firewalls (USG6000 series, V500R001 and later;
//! VRP information-center format): `2026-10-05 00:15:02 USG6300
//! %%01SECLOG/6/SESSION_TEARDOWN(l):IPVer=4,Protocol=tcp,SourceIP=...,
//! DestinationIP=...,SourcePort=...,DestinationPort=...,BeginTime=...,
//! EndTime=...,SendPkts=...,SendBytes=...,RcvPkts=...,RcvBytes=...`, policy
//! matching logs (`%%01POLICY/6/POLICYPERMIT(l):vsys=public, protocol=6,
//! source-ip=..., ...`, `POLICYDENY`) and URL filtering logs
//! (`%%01URL/4/FILTER(l): ... SrcIp=..., DstIp=..., Host="...", Action=...`).
//!
//! Reference: HUAWEI USG6000 series Log Reference, "SECLOG", "POLICY" and
//! "URL" modules <https://support.huawei.com/enterprise/en/doc/EDOC1100145097>.
//!
//! Session logs (written when a session ages out, with `SendBytes` from the
//! initiator and `RcvBytes` to it) and policy-permit logs (written when a
//! session is created) are separate options; both are records, so with
//! both on a session counts twice. Policy and packet denies are Denied
//! records; URL filtering logs name the host. Every other module's message
//! (system, configuration, threat, NAT) is recognised and ignored.

use super::common::{find, local_ms, mdy_hms, undated, user, ymd_hms};
use super::kv::pairs_sep;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, Action, Proto, Record};
use crate::time::{epoch_auto_ms, parse_u16, parse_u64, TimeCtx};

pub struct HuaweiUsg;

impl Format for HuaweiUsg {
    fn name(&self) -> &'static str {
        "huawei-usg"
    }

    fn title(&self) -> &'static str {
        "Huawei USG firewall session, policy and URL filtering logs (%%01 syslog)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        tag(line).is_some()
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (at, module, mnemonic) = tag(line).ok_or(LineError::Skipped("no %%NN module tag"))?;
        let body = line.get(at..).unwrap_or_default();
        let body = body
            .get(memchr::memchr(b':', body).map_or(body.len(), |i| i + 1)..)
            .unwrap_or_default();
        let kind = match (module, mnemonic) {
            (b"SECLOG", m) if m.starts_with(b"SESSION") => Kind::Session,
            (b"POLICY", b"POLICYPERMIT") => Kind::Policy(Action::Allowed),
            (b"POLICY", m) if has_word(m, b"DENY") => Kind::Policy(Action::Denied),
            (b"SECLOG", m) if has_word(m, b"DENY") || has_word(m, b"DROP") => Kind::Policy(Action::Denied),
            (b"URL", b"FILTER") => Kind::Url,
            _ => return Err(LineError::Ignored("non-traffic module message")),
        };
        let mut rec = Record::default();
        let (mut end, mut policy_time, mut host, mut action, mut app) = (None, None, None, None, None);
        for (k, v) in pairs_sep(body, b',') {
            let v = v.strip_suffix(b")").unwrap_or(v);
            match k {
                b"SourceIP" | b"source-ip" | b"SrcIp" => rec.src_ip = parse_ip(v),
                b"DestinationIP" | b"destination-ip" | b"DstIp" => rec.dst_ip = parse_ip(v),
                b"SourcePort" | b"source-port" | b"SrcPort" => rec.src_port = parse_u16(v),
                b"DestinationPort" | b"destination-port" | b"DstPort" => rec.dst_port = parse_u16(v),
                b"Protocol" | b"protocol" => rec.proto = Proto::parse(v),
                b"SendBytes" => rec.bytes_out = parse_u64(v),
                b"RcvBytes" => rec.bytes_in = parse_u64(v),
                b"EndTime" => end = parse_u64(v),
                b"time" => policy_time = ymd_hms(v),
                b"User" | b"UserName" | b"user-name" => rec.user = user(v),
                b"Host" => host = opt_text(v),
                b"Action" => action = Some(v),
                b"Application" | b"ApplicationName" | b"application" => app = opt_text(v),
                _ => {}
            }
        }
        if rec.src_ip.is_none() || rec.dst_ip.is_none() {
            return Err(LineError::Skipped("bad or missing source/destination address"));
        }
        rec.action = match kind {
            Kind::Session => Action::Allowed,
            Kind::Policy(a) => a,
            Kind::Url => match action.map(Action::from_word) {
                Some(Action::Denied) => Action::Denied,
                _ => Action::Allowed, // Alert / Allow: the request went through
            },
        };
        if let Some(h) = host.filter(|h| h != "*" && parse_ip(h.as_bytes()).is_none()) {
            rec.dst_host = Some(h);
        }
        rec.service = app.filter(|a| a != "unknown");
        rec.time_ms = end
            .map(epoch_auto_ms)
            .or_else(|| policy_time.map(|(l, ms, _)| local_ms(ctx, l, ms)))
            .unwrap_or_else(|| header_time(line, ctx));
        Ok(rec)
    }
}

enum Kind {
    Session,
    Policy(Action),
    Url,
}

fn has_word(m: &[u8], w: &[u8]) -> bool {
    find(m, w).is_some()
}

/// Finds `%%01MODULE/6/MNEMONIC(l):` and returns where it starts, the module
/// and the mnemonic.
fn tag(line: &[u8]) -> Option<(usize, &[u8], &[u8])> {
    let i = find(line, b"%%")?;
    let r = line.get(i + 2..)?;
    if !r.get(..2)?.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let r = r.get(2..)?;
    let slash = memchr::memchr(b'/', r).filter(|&s| (1..=24).contains(&s))?;
    let module = r.get(..slash)?;
    if !module.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_') {
        return None;
    }
    let r = r.get(slash + 1..)?;
    if !r.first()?.is_ascii_digit() || r.get(1) != Some(&b'/') {
        return None;
    }
    let r = r.get(2..)?;
    let end = r.iter().position(|&c| c == b'(' || c == b':')?;
    Some((i, module, r.get(..end)?))
}

/// The device stamp before the host name (`2026-10-05 00:15:02`,
/// `2026/10/05 00:15:02`, `Oct  5 2026 00:15:02`), local time; else the
/// syslog envelope's.
fn header_time(line: &[u8], ctx: &TimeCtx) -> i64 {
    let l = syslog::strip_pri(line);
    if let Some((local, ms, _)) = ymd_hms(l).or_else(|| mdy_hms(l)) {
        return local_ms(ctx, local, ms);
    }
    syslog::split(line, ctx).0.time_ms.unwrap_or_else(|| undated(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{rfc3339, Zone};

    fn p(l: &str) -> LineResult<'_> {
        HuaweiUsg.parse(
            l.as_bytes(),
            &TimeCtx {
                year: 2026,
                zone: Zone::Fixed(8 * 3600),
                ref_ms: None,
            },
        )
    }

    #[test]
    fn session_teardown_uses_end_time_and_byte_counts() {
        let l = "2026-10-05 08:15:02 USG6300 %%01SECLOG/6/SESSION_TEARDOWN(l):IPVer=4,Protocol=tcp,SourceIP=192.0.2.10,DestinationIP=203.0.113.7,SourcePort=51000,DestinationPort=443,BeginTime=1791158399,EndTime=1791158402,SendPkts=10,SendBytes=1200,RcvPkts=12,RcvBytes=5400,SourceVpnID=0,DestinationVpnID=0,PolicyName=Internet Access.";
        assert!(HuaweiUsg.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:00:02Z");
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
    }

    #[test]
    fn policy_permit_and_deny_with_local_times() {
        let r = p("Oct  5 2026 08:15:02 USG6300 %%01POLICY/6/POLICYPERMIT(l):vsys=public, protocol=17, source-ip=192.0.2.10, source-port=2426, destination-ip=2001:db8::53, destination-port=53, time=2026/10/5 08:15:02, source-zone=trust, destination-zone=untrust, rule-name=Internet Access.").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.dst_ip, "2001:db8::53".parse().ok());
        assert_eq!((r.proto, r.action), (Proto::Udp, Action::Allowed));
        let d = p("<188>2026/10/05 08:15:02 USG6300 %%01POLICY/4/POLICYDENY(l):vsys=public, protocol=6, source-ip=198.51.100.9, source-port=40000, destination-ip=192.0.2.10, destination-port=3389, time=2026/10/5 08:15:02, rule-name=default").unwrap();
        assert_eq!(d.action, Action::Denied);
    }

    #[test]
    fn url_filter_names_the_host() {
        let r = p(r#"2026/10/05 08:15:02 USG6300 %%01URL/4/FILTER(l): The URL filtering policy was matched. (SyslogId=1906054, VSys="public", Policy="Internet Access", SrcIp=192.0.2.10, DstIp=203.0.113.7, SrcPort=5702, DstPort=80, SrcZone=trust, DstZone=untrust, User="jdoe", Protocol=TCP, Application="HTTP", Profile="p1", Type=Pre-defined, EventNum=1, Category="Search Engines/Portals", Page="*", Host="www.example.com", Item="none", Action=Block)"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.dst_host.as_deref(), Some("www.example.com"));
        assert_eq!((r.action, r.user.as_deref()), (Action::Denied, Some("jdoe")));
    }

    #[test]
    fn other_modules_are_ignored() {
        let l = "2026-10-05 08:15:02 USG6300 %%01SHELL/5/CMDRECORD(s):Recorded command information. (Task=VT0, Ip=192.0.2.1, User=admin, Command=\"display current-configuration\")";
        assert!(HuaweiUsg.sniff(l.as_bytes()));
        assert_eq!(p(l), Err(LineError::Ignored("non-traffic module message")));
        assert!(!HuaweiUsg.sniff(b"100%% done, %%x"));
    }
}
