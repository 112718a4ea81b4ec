//! Palo Alto Networks PAN-OS (8.x to 11.x, and Prisma Access, which logs the
//! same records) firewall logs: the syslog CSV format, with or without a
//! syslog envelope, and the JSON records the Strata Logging Service (Cortex
//! Data Lake) forwards.
//!
//! References: PAN-OS Administrator's Guide, "Syslog Field Descriptions"
//! (Traffic and Threat log fields)
//! <https://docs.paloaltonetworks.com/pan-os/11-1/pan-os-admin/monitoring/use-syslog-for-monitoring/syslog-field-descriptions>,
//! and the Strata Logging Service schema
//! <https://docs.paloaltonetworks.com/strata-logging-service/log-reference>.
//!
//! Records: TRAFFIC logs of subtype `end`, `drop` and `deny` (one per
//! session; `start` logs, which a rule may add at session start, would count
//! the session twice and are ignored), and THREAT logs of subtype `url` (the
//! URL filtering log, which carries the host name, user agent and HTTP
//! method). Other THREAT subtypes describe a session that has its own
//! traffic log and are ignored, as are SYSTEM, CONFIG, USERID, AUTH,
//! GLOBALPROTECT, HIP-MATCH, DECRYPTION, DNS and the other non-traffic logs.
//!
//! Fields by position in the CSV (0-based, stable since PAN-OS 6.1): 6
//! generated time, 7 source, 8 destination (the pre-NAT addresses; the NAT
//! columns are ignored), 12 source user, 14 application, 24/25 ports, 29
//! protocol, 30 action; TRAFFIC: 32 bytes sent (by the client) and 33 bytes
//! received; THREAT: 31 URL, 46 user agent, 63 HTTP method (PAN-OS 8+).
//! Time: the high-resolution timestamp that PAN-OS 10+ appends (it carries
//! the zone), else the generated time in the `--tz` zone.
//!
//! The syslog CSV has no line breaks inside quoted fields, so records are
//! lines; the quoted fields (URLs, descriptions) may hold commas.

use std::borrow::Cow;

use super::bits::{BitIndex, ByteSet};
use super::json_de::{Num, Stamp, Str};
use super::qcsv::{fields, CsvField};
use super::url::split_url;
use super::{parse_ip, Field, Format, Framing, LineError, LineResult};
use crate::record::{account, Action, Proto, Record};
use crate::time::{civil_seconds, digits, parse_iso8601, parse_u16, parse_u64, TimeCtx, Zone};

/// The CSV syslog format.
pub struct PanOs;

/// The JSON records of the Strata Logging Service.
pub struct PanOsJson;

/// Log types in the CSV, in the order they are looked for (commonest first).
const TYPES: &[&[u8]] = &[
    b",TRAFFIC,",
    b",THREAT,",
    b",SYSTEM,",
    b",CONFIG,",
    b",USERID,",
    b",AUTH,",
    b",GLOBALPROTECT,",
    b",HIPMATCH,",
    b",HIP-MATCH,",
    b",DECRYPTION,",
    b",IPTAG,",
    b",CORRELATION,",
    b",TUNNEL,",
    b",GTP,",
    b",SCTP,",
];

/// The CSV columns the parser reads (see the module notes).
const COLS: [usize; 17] = [1, 3, 4, 6, 7, 8, 12, 14, 24, 25, 29, 30, 31, 32, 33, 46, 63];

/// Column index → slot in [`COLS`] (`u8::MAX`: not kept).
const SLOT: [u8; 64] = {
    let mut t = [u8::MAX; 64];
    let mut k = 0;
    while k < COLS.len() {
        t[COLS[k]] = k as u8;
        k += 1;
    }
    t
};

/// Enough columns to reach the high-resolution timestamp (column 102 of a
/// PAN-OS 11 traffic log, 100 of a threat log).
const MAX_FIELDS: usize = 160;

/// Stores column `i` if it is one of [`COLS`], and looks for the
/// high-resolution timestamp from column 40 on.
#[inline(always)]
fn keep<'a>(i: usize, c: CsvField<'a>, got: &mut [CsvField<'a>; COLS.len()], hires: &mut Option<i64>) {
    if let Some(slot) = SLOT.get(i).and_then(|&k| got.get_mut(usize::from(k))) {
        *slot = c;
    }
    if i >= 40 && hires.is_none() {
        *hires = hires_time(c.trimmed());
    }
}

/// The columns of a record without quotes, as [`fields`] would split it,
/// from a bit index of its commas: a traffic log has over a hundred
/// columns, most of them skipped. `None` when the record has a quote (or
/// is too long to index): [`fields`] handles those.
fn columns<'a>(csv: &'a [u8], got: &mut [CsvField<'a>; COLS.len()], hires: &mut Option<i64>) -> Option<usize> {
    let set = ByteSet {
        any: [b',', b'"', b',', b','],
        below: 0,
    };
    let ix = BitIndex::build(csv, set)?;
    let (mut start, mut i) = (0, 0);
    while i < MAX_FIELDS {
        let end = ix.next_at(start);
        let e = end.unwrap_or(csv.len());
        if csv.get(e) == Some(&b'"') {
            return None;
        }
        let raw = csv.get(start..e).unwrap_or_default();
        keep(i, CsvField { raw, quoted: false }, got, hires);
        i += 1;
        if end.is_none() {
            break;
        }
        start = e + 1;
    }
    Some(i)
}

impl Format for PanOs {
    fn name(&self) -> &'static str {
        "panos"
    }

    fn title(&self) -> &'static str {
        "Palo Alto Networks PAN-OS / Prisma Access syslog CSV (TRAFFIC, THREAT url)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        locate(line).is_some()
    }

    #[inline]
    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let start = locate(line).ok_or(LineError::Skipped("not a PAN-OS CSV log"))?;
        let csv = line.get(start..).unwrap_or_default();
        // One pass over the columns, keeping only those read below (a
        // traffic log has 100 or more) and the first high-resolution
        // timestamp from column 40 on.
        let mut got = [CsvField::default(); COLS.len()];
        let mut hires = None;
        let n = match columns(csv, &mut got, &mut hires) {
            Some(n) => n,
            None => {
                // Quoted fields: the general CSV splitter.
                let mut n = 0;
                for (i, c) in fields(csv).take(MAX_FIELDS).enumerate() {
                    n = i + 1;
                    keep(i, c, &mut got, &mut hires);
                }
                n
            }
        };
        let field = |i: usize| SLOT.get(i).and_then(|&k| got.get(usize::from(k)));
        let col = |i: usize| field(i).filter(|_| i < n).map(|c| c.trimmed()).unwrap_or_default();
        let kind = col(3);
        let subtype = col(4);
        let is_url = match kind {
            b"TRAFFIC" if subtype == b"start" => return Err(LineError::Ignored("session start log (the session's end log is the record)")),
            b"TRAFFIC" => false,
            b"THREAT" if subtype == b"url" => true,
            b"THREAT" => return Err(LineError::Ignored("threat log (its session has a traffic log)")),
            _ => return Err(LineError::Ignored("non-traffic log type")),
        };
        if n < 31 {
            return Err(LineError::Skipped("truncated PAN-OS log"));
        }
        let time_ms = hires
            .or_else(|| pan_time(col(6), &ctx.zone))
            .or_else(|| pan_time(col(1), &ctx.zone))
            .ok_or(LineError::Skipped("bad generated time"))?;
        let src_ip = Some(parse_ip(col(7)).ok_or(LineError::Skipped("bad source address"))?);
        let mut rec = Record {
            time_ms,
            src_ip,
            dst_ip: parse_ip(col(8)),
            src_port: parse_u16(col(24)),
            dst_port: parse_u16(col(25)),
            proto: Proto::parse(col(29)),
            action: pan_action(col(30), subtype),
            user: field(12).and_then(CsvField::opt_text).map(bare_user),
            service: app_name(col(14)).and_then(|_| field(14).and_then(CsvField::opt_text)),
            ..Record::default()
        };
        if is_url {
            if let Some(u) = field(31).filter(|c| !c.trimmed().is_empty()) {
                set_url(&mut rec, u.raw, u.text());
            }
            rec.user_agent = field(46).filter(|_| n > 46).and_then(CsvField::opt_text).filter(|a| a != "-");
            rec.method = field(63).filter(|_| n > 63).and_then(CsvField::opt_text).filter(|m| m != "unknown");
        } else {
            rec.bytes_out = parse_u64(col(32));
            rec.bytes_in = parse_u64(col(33));
        }
        Ok(rec)
    }
}

/// Finds where the CSV starts in a line (after any syslog envelope or
/// prefix): the column before the log type holds a serial number and the
/// one before it a date with `/`.
fn locate(line: &[u8]) -> Option<usize> {
    let (p, _) = TYPES.iter().find_map(|t| crate::formats::find(line, t).map(|p| (p, t)))?;
    let prefix = line.get(..p)?;
    let c2 = memchr::memrchr(b',', prefix)?;
    let c1 = memchr::memrchr(b',', prefix.get(..c2)?)?;
    let date = prefix.get(c1 + 1..c2)?;
    if !date.first().is_some_and(u8::is_ascii_digit) || memchr::memchr(b'/', date).is_none() {
        return None;
    }
    let head = prefix.get(..c1)?;
    let start = head
        .iter()
        .rposition(|&c| matches!(c, b' ' | b':' | b'>' | b'\t'))
        .map_or(0, |i| i + 1);
    // The first column is a short number ("1", or "0" on old releases).
    let first = head.get(start..)?;
    (!first.is_empty() && first.len() <= 4 && first.iter().all(u8::is_ascii_digit)).then_some(start)
}

/// Sets host, port-independent URL facts and the URL itself from a logged
/// URL (`www.example.com/path`, `host:443/`, or with a scheme).
fn set_url<'a>(rec: &mut Record<'a>, raw: &'a [u8], text: Cow<'a, str>) {
    let p = split_url(raw);
    if !p.host.is_empty() {
        match parse_ip(p.host) {
            Some(ip) => {
                rec.dst_ip.get_or_insert(ip);
            }
            None => rec.dst_host = Some(crate::record::text(p.host)),
        }
    }
    rec.scheme = p.scheme;
    rec.url_query = p.query;
    rec.url = Some(text);
}

/// The application name, unless it is one of the placeholders PAN-OS logs
/// before (or instead of) identifying one.
fn app_name(a: &[u8]) -> Option<&[u8]> {
    match a {
        b"" | b"incomplete" | b"not-applicable" | b"insufficient-data" => None,
        _ => Some(a),
    }
}

/// Maps PAN-OS actions (`allow`, `deny`, `drop`, `reset-both`, `alert`,
/// `block-url`, ...) and traffic subtypes onto [`Action`].
fn pan_action(a: &[u8], subtype: &[u8]) -> Action {
    let starts = |p: &[u8]| a.len() >= p.len() && a.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    // A `drop` or `deny` traffic log is a denied session whatever the action column says.
    if subtype == b"drop" || subtype == b"deny" {
        Action::Denied
    } else if starts(b"allow") || starts(b"alert") || starts(b"continue") || starts(b"override") {
        Action::Allowed
    } else if starts(b"deny") || starts(b"drop") || starts(b"reset") || starts(b"block") || starts(b"sinkhole") || starts(b"quarantine") {
        Action::Denied
    } else {
        Action::Allowed
    }
}

/// `DOMAIN\user` → `user` (see [`account`]).
fn bare_user(u: Cow<'_, str>) -> Cow<'_, str> {
    match u {
        Cow::Borrowed(b) => Cow::Borrowed(account(b)),
        Cow::Owned(o) => Cow::Owned(account(&o).to_string()),
    }
}

/// The PAN-OS 10+ high-resolution timestamp (`2024-01-03T13:15:30.547+01:00`).
fn hires_time(b: &[u8]) -> Option<i64> {
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(10) != Some(&b'T') {
        return None;
    }
    parse_iso8601(b, &Zone::Fixed(0))
}

/// PAN-OS local times: `2018/11/30 16:09:07`, or `9/16/19 10:00` (month
/// first, two-digit year, as a spreadsheet re-saves an export).
fn pan_time(b: &[u8], zone: &Zone) -> Option<i64> {
    let sp = memchr::memchr(b' ', b)?;
    let (date, time) = (b.get(..sp)?, b.get(sp + 1..)?);
    let mut parts = date.split(|&c| c == b'/');
    let (a, m, c) = (parts.next()?, parts.next()?, parts.next()?);
    let num = |x: &[u8]| if (1..=4).contains(&x.len()) { digits(x, x.len()) } else { None };
    let two = |x: &[u8]| if (1..=2).contains(&x.len()) { digits(x, x.len()) } else { None };
    let (y, mo, d) = if a.len() == 4 {
        (num(a)?, num(m)?, num(c)?)
    } else {
        let y = num(c)?;
        (if c.len() == 2 { 2000 + y } else { y }, num(a)?, num(m)?)
    };
    let mut t = time.split(|&c| c == b':');
    let h = two(t.next()?)?;
    let mi = two(t.next()?)?;
    let s = match t.next() {
        Some(s) => two(s)?,
        None => 0,
    };
    let local = civil_seconds(i64::from(y), mo, d, h, mi, s)?;
    Some(zone.local_to_utc(local) * 1000)
}

// ---------------------------------------------------------------------------
// JSON

/// The fields seam reads from a Strata Logging Service record. Everything
/// else in the object is skipped without being stored; a field of an
/// unexpected JSON type counts as absent (see [`super::json_de`]).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct PanJson<'a> {
    #[serde(rename = "LogType", borrow)]
    log_type: Str<'a>,
    #[serde(rename = "Subtype", borrow)]
    subtype: Str<'a>,
    #[serde(rename = "SubType", borrow)]
    subtype2: Str<'a>,
    #[serde(rename = "TimeGenerated")]
    time_generated: Stamp,
    #[serde(rename = "TimeGeneratedHighResolution")]
    time_hires: Stamp,
    #[serde(rename = "TimeReceived")]
    time_received: Stamp,
    #[serde(rename = "SourceAddress", borrow)]
    src: Str<'a>,
    #[serde(rename = "DestinationAddress", borrow)]
    dst: Str<'a>,
    #[serde(rename = "SourcePort")]
    sport: Num,
    #[serde(rename = "DestinationPort")]
    dport: Num,
    #[serde(rename = "Protocol", borrow)]
    proto: Str<'a>,
    #[serde(rename = "Action", borrow)]
    action: Str<'a>,
    #[serde(rename = "BytesSent")]
    bytes_sent: Num,
    #[serde(rename = "BytesReceived")]
    bytes_received: Num,
    #[serde(rename = "SourceUser", borrow)]
    user: Str<'a>,
    #[serde(rename = "Application", borrow)]
    app: Str<'a>,
    #[serde(rename = "URL", borrow)]
    url: Str<'a>,
    #[serde(rename = "UserAgent", borrow)]
    user_agent: Str<'a>,
    #[serde(rename = "HTTPMethod", borrow)]
    method: Str<'a>,
}

impl Format for PanOsJson {
    fn name(&self) -> &'static str {
        "panos-json"
    }

    fn title(&self) -> &'static str {
        "Palo Alto Networks PAN-OS / Prisma Access JSON (Strata Logging Service: TRAFFIC, THREAT url)"
    }

    fn fields(&self) -> &'static [Field] {
        PanOs.fields()
    }

    fn sniff(&self, line: &[u8]) -> bool {
        // Compact objects hold both on one line, pretty-printed ones put
        // `"LogType": "TRAFFIC"` on a line of its own.
        const KINDS: &[&[u8]] = &[
            b"\"TRAFFIC\"",
            b"\"THREAT\"",
            b"\"SYSTEM\"",
            b"\"GLOBALPROTECT\"",
            b"\"HIPMATCH\"",
            b"\"DECRYPTION\"",
            b"\"USERID\"",
            b"\"AUTH\"",
            b"\"CONFIG\"",
            b"\"DNS\"",
        ];
        crate::formats::find(line, b"\"LogType\"").is_some() && KINDS.iter().any(|k| crate::formats::find(line, k).is_some())
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        let j: PanJson<'a> = serde_json::from_slice(line).map_err(|_| LineError::Skipped("invalid JSON"))?;
        let kind = j.log_type.get().ok_or(LineError::Skipped("no LogType"))?;
        let subtype = j.subtype.get().or(j.subtype2.get()).unwrap_or_default();
        let is_url = if kind.eq_ignore_ascii_case("TRAFFIC") {
            if subtype == "start" {
                return Err(LineError::Ignored("session start log (the session's end log is the record)"));
            }
            false
        } else if kind.eq_ignore_ascii_case("THREAT") {
            if subtype != "url" {
                return Err(LineError::Ignored("threat log (its session has a traffic log)"));
            }
            true
        } else {
            return Err(LineError::Ignored("non-traffic log type"));
        };
        let time_ms = j
            .time_generated
            .0
            .or(j.time_hires.0)
            .or(j.time_received.0)
            .ok_or(LineError::Skipped("bad TimeGenerated"))?;
        let src_ip = Some(parse_ip(j.src.bytes()).ok_or(LineError::Skipped("bad SourceAddress"))?);
        let nonempty = |s: Str<'a>| s.take().filter(|v| !v.trim().is_empty());
        let mut rec = Record {
            time_ms,
            src_ip,
            dst_ip: parse_ip(j.dst.bytes()),
            src_port: j.sport.u16(),
            dst_port: j.dport.u16(),
            proto: Proto::parse(j.proto.bytes()),
            action: pan_action(j.action.bytes(), subtype.as_bytes()),
            ..Record::default()
        };
        rec.user = nonempty(j.user).map(bare_user);
        rec.service = nonempty(j.app).filter(|a| app_name(a.as_bytes()).is_some());
        if is_url {
            match nonempty(j.url) {
                Some(Cow::Borrowed(u)) => set_url(&mut rec, u.as_bytes(), Cow::Borrowed(u)),
                Some(Cow::Owned(u)) => {
                    // The URL had JSON escapes: the host is copied out too.
                    let p = split_url(u.as_bytes());
                    if !p.host.is_empty() {
                        match parse_ip(p.host) {
                            Some(a) => {
                                rec.dst_ip.get_or_insert(a);
                            }
                            None => rec.dst_host = Some(Cow::Owned(crate::record::text(p.host).into_owned())),
                        }
                    }
                    rec.scheme = p.scheme;
                    rec.url_query = p.query;
                    rec.url = Some(Cow::Owned(u));
                }
                None => {}
            }
            rec.user_agent = nonempty(j.user_agent);
            rec.method = nonempty(j.method).filter(|m| m != "unknown");
        } else {
            rec.bytes_out = j.bytes_sent.0;
            rec.bytes_in = j.bytes_received.0;
        }
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_splitter_agrees_with_the_csv_splitter() {
        // Every other record may have quotes (which the general splitter takes).
        let plain: &[&[u8]] = &[b"a", b",", b",,", b" ", b"2026-03-01T10:00:00.123+00:00", b"10.0.0.1", b"x"];
        let quoted: &[&[u8]] = &[b"a", b",", b",,", b" ", b"10.0.0.1", b"\"", b"x"];
        let mut rng = crate::synth::rng::Rng::new(11);
        let mut indexed = 0;
        for round in 0..5_000 {
            let r = crate::formats::random_text(&mut rng, if round % 2 == 0 { plain } else { quoted }, 400);
            let (mut want, mut want_hires) = ([CsvField::default(); COLS.len()], None);
            let mut want_n = 0;
            for (i, c) in fields(&r).take(MAX_FIELDS).enumerate() {
                want_n = i + 1;
                keep(i, c, &mut want, &mut want_hires);
            }
            let (mut got, mut hires) = ([CsvField::default(); COLS.len()], None);
            match columns(&r, &mut got, &mut hires) {
                Some(n) => {
                    indexed += 1;
                    assert_eq!((n, got, hires), (want_n, want, want_hires), "{:?}", String::from_utf8_lossy(&r));
                }
                None => assert!(r.contains(&b'"')),
            }
        }
        assert!(indexed >= 2_500, "{indexed}");
    }
    use crate::time::rfc3339;

    fn ctx() -> TimeCtx {
        TimeCtx::utc(2026)
    }

    fn p(l: &str) -> LineResult<'_> {
        PanOs.parse(l.as_bytes(), &ctx())
    }

    // Written from the PAN-OS 10.1 traffic log field list.
    const TRAFFIC_END: &str = "<14>Oct  5 00:15:03 fw01 1,2026/10/05 00:15:02,012801000001,TRAFFIC,end,2560,2026/10/05 00:15:01,10.1.2.3,203.0.113.7,198.51.100.1,203.0.113.7,allow-out,example\\svc_backup,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd,2026/10/05 00:15:01,4242,1,51000,443,40100,443,0x400053,tcp,allow,6600,1200,5400,20,2026/10/05 00:14:30,30,computer-and-internet-info,0,7000001,0x0,10.0.0.0-10.255.255.255,United States,0,10,10,tcp-fin,0,0,0,0,,fw01,from-policy,,,0,,0,,N/A,0,0,0,0";

    #[test]
    fn traffic_end_with_syslog_envelope_uses_pre_nat_addresses() {
        let r = p(TRAFFIC_END).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:01Z");
        assert_eq!(r.src_ip, "10.1.2.3".parse().ok());
        assert_eq!(r.dst_ip, "203.0.113.7".parse().ok());
        assert_eq!((r.src_port, r.dst_port), (Some(51000), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!(r.user.as_deref(), Some("svc_backup"));
        assert_eq!(r.service.as_deref(), Some("ssl"));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
    }

    #[test]
    fn without_envelope_or_with_colon_prefix() {
        let bare = TRAFFIC_END.split_once("fw01 ").unwrap().1;
        assert_eq!(p(bare).unwrap().src_ip, "10.1.2.3".parse().ok());
        let colon = format!(": {bare}");
        assert_eq!(p(&colon).unwrap().dst_port, Some(443));
        assert!(PanOs.sniff(bare.as_bytes()));
    }

    #[test]
    fn high_resolution_timestamp_wins_and_carries_the_zone() {
        let mut l = TRAFFIC_END.to_string();
        l.push_str(&",".repeat(40));
        l.push_str("2026-10-05T02:15:01.250+02:00,,,encrypted-tunnel,networking,browser-based,4,\"used-by-malware,tunnel-other-application\",,ssl,no,no");
        let r = p(&l).unwrap();
        assert_eq!(r.time_ms % 1000, 250);
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:01Z");
    }

    #[test]
    fn month_first_two_digit_year_dates() {
        let l = "1,10/5/26 0:15,0128,TRAFFIC,deny,2049,10/5/26 0:15,10.0.0.2,192.0.2.53,0.0.0.0,0.0.0.0,deny-all,,,dns,vsys1,trust,untrust,ae1,ethernet1/1,fwd,10/5/26 0:15,1,1,53000,53,0,0,0x0,udp,reset-both,90,90,0,1";
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:00Z");
        assert_eq!(r.action, Action::Denied);
        assert_eq!(r.proto, Proto::Udp);
    }

    #[test]
    fn threat_url_log_gives_host_agent_and_method() {
        let mut cols: Vec<String> = "1,2026/10/05 00:15:02,0128,THREAT,url,2560,2026/10/05 00:15:02,10.1.2.3,203.0.113.9,0.0.0.0,0.0.0.0,web-out,jdoe@example.com,,web-browsing,vsys1,trust,untrust,e1,e2,fwd,2026/10/05 00:15:02,77,1,50500,8080,0,0,0x8b000,tcp,alert".split(',').map(str::to_string).collect();
        cols.push("\"api.example.com:8080/v1/items?token=x,y\"".into());
        cols.resize(46, String::new());
        cols.push("python-requests/2.31".into());
        cols.resize(63, String::new());
        cols.push("post".into());
        let l = cols.join(",");
        let r = p(&l).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!(r.dst_port, Some(8080));
        assert!(r.url_query);
        assert_eq!(r.url.as_deref(), Some("api.example.com:8080/v1/items?token=x,y"));
        assert_eq!(r.user_agent.as_deref(), Some("python-requests/2.31"));
        assert_eq!(r.method.as_deref(), Some("post"));
        assert_eq!(r.user.as_deref(), Some("jdoe@example.com"));
        assert_eq!((r.bytes_out, r.bytes_in), (None, None));
    }

    #[test]
    fn duplicates_and_non_traffic_are_ignored() {
        let start = TRAFFIC_END.replace("TRAFFIC,end", "TRAFFIC,start");
        assert!(matches!(p(&start), Err(LineError::Ignored(_))));
        let vuln = TRAFFIC_END.replace("TRAFFIC,end", "THREAT,vulnerability");
        assert!(matches!(p(&vuln), Err(LineError::Ignored(_))));
        let sys = "1,2026/10/05 00:15:02,0128,SYSTEM,auth,0,2026/10/05 00:15:02,,auth-success,GP,0,0,general,informational,\"authenticated for user 'a, b'\",1,0x0,0,0,0,0,,fw1";
        assert_eq!(p(sys), Err(LineError::Ignored("non-traffic log type")));
        assert!(PanOs.sniff(sys.as_bytes()));
    }

    #[test]
    fn overlong_date_parts_are_rejected_not_overflowed() {
        // Found by fuzzing: a 20-digit year once overflowed the digit parser.
        assert_eq!(pan_time(b"2026/01/05 02:00:04", &Zone::Fixed(0)).map(|t| t % 1000), Some(0));
        assert_eq!(pan_time(b"99999999999999999999/01/05 02:00:04", &Zone::Fixed(0)), None);
        assert_eq!(pan_time(b"2026/01/05 020:00:04", &Zone::Fixed(0)), None);
    }

    #[test]
    fn malformed_lines_are_skipped_and_others_not_claimed() {
        let bad = TRAFFIC_END.replace("10.1.2.3,203", "10.1.2,203");
        assert_eq!(p(&bad), Err(LineError::Skipped("bad source address")));
        assert!(matches!(p("1,2026/10/05 00:15:02,0128,TRAFFIC,end"), Err(LineError::Skipped(_))));
        assert!(!PanOs.sniff(b"date=2026-10-05 type=TRAFFIC,foo,"));
        assert!(!PanOs.sniff(b"x,TRAFFIC,1"));
    }

    #[test]
    fn json_traffic_record() {
        let l = r#"{"TimeReceived":"2026-10-05T00:15:09.000000Z","DeviceSN":"0079","LogType":"TRAFFIC","Subtype":"end","TimeGenerated":"2026-10-05T00:15:02.000000Z","SourceAddress":"10.1.2.3","DestinationAddress":"198.51.100.20","NATSource":"203.0.113.1","SourceUser":"example\\jdoe","Application":"incomplete","SourcePort":50000,"DestinationPort":"22","Protocol":"tcp","Action":"allow","BytesSent":700,"BytesReceived":80}"#;
        let r = PanOsJson.parse(l.as_bytes(), &ctx()).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.dst_port), (Some(50000), Some(22)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(700), Some(80)));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.service, None);
        assert!(PanOsJson.sniff(l.as_bytes()));
        assert!(!PanOs.sniff(l.as_bytes()));
    }

    #[test]
    fn json_pretty_printed_url_record() {
        let l = "{\n  \"LogType\": \"THREAT\",\n  \"Subtype\": \"url\",\n  \"TimeGenerated\": \"2026-10-05T00:15:02Z\",\n  \"SourceAddress\": \"10.1.2.3\",\n  \"DestinationAddress\": \"203.0.113.5\",\n  \"DestinationPort\": 443,\n  \"Action\": \"block-url\",\n  \"URL\": \"files.example.net/dl?id=1\",\n  \"UserAgent\": \"curl/8.0\",\n  \"HTTPMethod\": \"unknown\"\n}";
        let r = PanOsJson.parse(l.as_bytes(), &ctx()).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("files.example.net"));
        assert!(r.url_query);
        assert_eq!(r.action, Action::Denied);
        assert_eq!(r.user_agent.as_deref(), Some("curl/8.0"));
        assert_eq!(r.method, None);
        assert!(l.lines().any(|x| PanOsJson.sniff(x.as_bytes())));
    }

    #[test]
    fn json_field_of_unexpected_type_is_absent_not_fatal() {
        let l = r#"{"LogType":"TRAFFIC","Subtype":"end","TimeGenerated":1767830400,"SourceAddress":"10.1.2.3","DestinationAddress":"192.0.2.7","SourceUser":{"name":"x"},"DestinationPort":443.0,"BytesSent":"12"}"#;
        let r = PanOsJson.parse(l.as_bytes(), &ctx()).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-08T00:00:00Z");
        assert_eq!((r.user, r.dst_port, r.bytes_out), (None, Some(443), Some(12)));
    }

    #[test]
    fn json_non_traffic_and_garbage() {
        let sys = r#"{"LogType":"SYSTEM","Subtype":"general","EventTime":"2026-10-05T00:15:02Z"}"#;
        assert_eq!(
            PanOsJson.parse(sys.as_bytes(), &ctx()),
            Err(LineError::Ignored("non-traffic log type"))
        );
        assert_eq!(PanOsJson.parse(b"{\"LogType\":", &ctx()), Err(LineError::Skipped("invalid JSON")));
        let wf = r#"{"LogType":"THREAT","Subtype":"wildfire","SourceAddress":"10.0.0.1"}"#;
        assert!(matches!(PanOsJson.parse(wf.as_bytes(), &ctx()), Err(LineError::Ignored(_))));
    }

    #[test]
    fn every_prefix_of_a_line_is_handled_without_panic() {
        let url = "1,2026/10/05 00:15:02,0128,THREAT,url,1,2026/10/05 00:15:02,10.0.0.1,192.0.2.1,,,r,u,,app,v,z,z,i,o,l,t,1,1,1,80,0,0,0x0,tcp,alert,\"a.example/x?\"\"y\"\",z\"";
        let json = r#"{"LogType":"THREAT","Subtype":"url","TimeGenerated":"2026-10-05T00:15:02Z","SourceAddress":"10.0.0.1","URL":"a.example\/p","SourcePort":"x"}"#;
        for l in [TRAFFIC_END, url, json] {
            for i in 0..=l.len() {
                let b = l.as_bytes().get(..i).unwrap_or_default();
                let _ = PanOs.parse(b, &ctx());
                let _ = PanOsJson.parse(b, &ctx());
                let _ = (PanOs.sniff(b), PanOsJson.sniff(b));
            }
        }
        // JSON escapes in the URL are undone into an owned host.
        let r = PanOsJson.parse(json.as_bytes(), &ctx()).unwrap();
        assert_eq!((r.dst_host.as_deref(), r.src_port), (Some("a.example"), None));
    }
}
