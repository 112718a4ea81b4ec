//! Conformance against an independent oracle: real log lines from other
//! projects' test suites, with the fields their parsers extracted.
//!
//! The corpus lives outside the repository (see its MANIFEST.md); the tests
//! read it from `SEAM_CORPUS` (default `../shared/corpus`) and say that they
//! skipped when it is absent. Nothing from it is copied into this repository.
//!
//! For every record of a supported family, the line goes through format
//! detection and the detected parser, and the core fields are compared with
//! the oracle wherever the oracle has them: timestamp, source IP and port,
//! destination IP, port and host, bytes out and in, user, action. The test
//! prints a per-family table and fails when agreement or coverage for a
//! supported family falls below [`MIN_AGREEMENT`].
//!
//! Deliberate differences from the oracle are listed in [`EXCEPTIONS`] with
//! the reason; they are counted apart, not as agreement.
//!
//! Oracle conventions handled here (not disagreements):
//! - syslog stamps without a year: the oracle's parser assumed one; we give
//!   seam the year of the oracle's timestamp (what `--year` is for);
//! - stamps without a zone: we give seam the offset the oracle's timestamp
//!   carries (what `--tz` is for), UTC when it says `Z`.

use seam::formats::{self, LineError, FORMATS};
use seam::record::{Action, Record};
use seam::time::{parse_iso8601, TimeCtx, Zone};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// Minimum share of agreeing values per field, and of oracle traffic
/// records that seam parses, for every supported family.
const MIN_AGREEMENT: f64 = 0.99;

/// Corpus family (folder) → the seam formats that should read it. A family
/// whose formats are not all registered yet is reported as unsupported.
/// DNS-only families (bind, infoblox, unbound, zeek dns) and the macOS
/// application firewall are not traffic logs seam reads, and are not listed.
const FAMILIES: &[(&str, &[&str])] = &[
    ("aws-elb-access", &["aws-elb"]),
    ("aws-vpc-flow", &["aws-vpc-flow"]),
    ("azure-firewall", &["azure-firewall"]),
    ("azure-nsg-flow", &["azure-nsg-flow"]),
    ("barracuda-cloudgen", &["barracuda"]),
    ("bluecoat-proxysg", &["proxysg"]),
    ("cato-sase", &["cato"]),
    ("cef", &["cef"]),
    ("checkpoint", &["checkpoint"]),
    ("cisco-asa", &["cisco-asa"]),
    ("cisco-ftd", &["cisco-asa"]),
    ("cisco-meraki", &["meraki"]),
    ("cisco-umbrella", &["umbrella"]),
    ("cisco-wsa", &["cisco-wsa"]),
    ("clavister", &["clavister"]),
    ("cloudflare", &["cloudflare"]),
    ("forcepoint-ngfw", &["forcepoint-ngfw"]),
    ("forcepoint-websense", &["websense"]),
    ("fortigate-kv", &["fortigate"]),
    ("fortiproxy-kv", &["fortigate"]),
    ("gcp-vpc-flow", &["gcp-vpc-flow"]),
    ("huawei-usg", &["huawei-usg"]),
    ("iptables-netfilter", &["iptables"]),
    ("juniper-netscreen", &["netscreen"]),
    ("juniper-srx", &["juniper-srx"]),
    ("leef", &["leef"]),
    ("menlo", &["menlo"]),
    ("netskope", &["netskope"]),
    ("olfeo", &["olfeo"]),
    ("openbsd-pf", &["pf"]),
    ("panos", &["panos"]),
    ("panw-prisma-access", &["panos"]),
    ("pfsense-filterlog", &["filterlog"]),
    ("proxifier", &["proxifier"]),
    ("skyhigh-web-gateway", &["skyhigh"]),
    ("sonicwall", &["sonicwall"]),
    ("sophos-utm", &["sophos-utm"]),
    ("sophos-xg", &["sophos-xg"]),
    ("squid-access", &["squid", "combined"]),
    ("stormshield", &["stormshield"]),
    ("suricata-eve", &["suricata-eve"]),
    ("symantec-wss", &["symantec-wss"]),
    ("w3c-elf", &["w3c"]),
    ("watchguard", &["watchguard"]),
    ("windows-firewall-w3c", &["w3c"]),
    ("zeek-conn-tsv", &["zeek"]),
    ("zeek-http-tsv", &["zeek"]),
    ("zeek-json", &["zeek-json"]),
    ("zeek-ssl-tsv", &["zeek"]),
    ("zscaler-zia", &["zscaler"]),
];

/// Lines wrapped in a generic envelope are checked against the generic
/// parser, in a sub-family of their own (`fortigate-kv/cef`): (marker, name,
/// formats).
const ENVELOPES: &[(&str, &str, &[&str])] = &[
    ("CEF:", "cef", &["cef"]),
    ("|Fortinet|", "cef", &["cef"]),
    ("LEEF:", "leef", &["leef"]),
];

/// Netskope transaction logs name their byte counts the W3C way.
const NETSKOPE_BYTES: &str = "SEKOIA maps sc-bytes (server to client) to source.bytes and cs-bytes to destination.bytes; by the W3C names Netskope uses cs-bytes is what the client sent (its bytes out), as test_4.json's POST (cs-bytes 5937, sc-bytes 485, status 204) shows";

/// Zscaler web and firewall records carry two users.
const ZSCALER_USER: &str = "the oracle's user.name is deviceowner, the owner of the Client Connector device; seam reports the authenticated user (`user`/`login`), who made the request";

/// The message is a syslog payload without its envelope, and the record
/// carries no time of its own (no `rt`, `start`, `devTime`, `eventtime`).
const NO_TIME: &str = "the message is the syslog payload without its envelope and the record carries no time of its own; seam skips a record it cannot place in time (in an export the syslog header gives it)";
/// Palo Alto CEF: `rt` is when Strata Logging Service received the log.
const PAN_RT: &str = "the oracle takes rt, when the logging service received the log; seam takes start, when the firewall generated it (= PanOSTimeGeneratedHighResolution), as the cef family's oracle does for the same message";
/// Palo Alto CEF byte directions.
const PAN_BYTES: &str =
    "the oracle swaps the directions: Palo Alto's CEF field table maps out to bytes_sent (client to server) and in to bytes_received";
/// Palo Alto CEF `dntdom`.
const PAN_DNTDOM: &str =
    "the oracle takes dntdom, the destination user's NT domain, as the destination domain; the line names no destination host";
/// Fortinet interim session logs.
const FORTI_DELTA: &str = "interim log of a long-lived session (sentdelta/rcvddelta): seam counts the bytes since the previous log, as for key=value logs where the oracle does the same (fortigate-kv/test_long_lived_session.json); here the oracle reports the running totals";

/// Deliberate disagreements: (family, file name, field, reason).
const EXCEPTIONS: &[(&str, &str, &str, &str)] = &[
    ("panos", "udp_deny_csv.json", "src_port", PORT_OUT_OF_RANGE),
    ("panw-prisma-access", "udp_deny_csv.json", "src_port", PORT_OUT_OF_RANGE),
    ("panos", "network_threat_alert_2.json", "user", UPN_KEPT),
    ("cisco-umbrella", "1.json", "src_ip", UMBRELLA_INTERNAL_IP),
    ("cisco-umbrella", "3.json", "src_ip", UMBRELLA_INTERNAL_IP),
    ("cisco-asa", "test_106001.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_106006.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_106012.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_106015.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_106023.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_106100.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_110003.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_302013_1.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_302013_2.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_302014.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_302020.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_302020_2.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_ASA_302021_3.json", "coverage", ASA_NO_STAMP),
    ("cisco-asa", "test_FTD_430003_1.json", "user", FTD_NO_USER),
    ("cisco-asa", "test_FTD_430003_2.json", "user", FTD_NO_USER),
    ("cisco-asa", "test_FTD_430003_3.json", "user", FTD_NO_USER),
    ("cisco-asa", "test_FTD_430003_3.json", "src_port", PORT_OUT_OF_RANGE),
    ("panw-prisma-access", "network_threat_alert_2.json", "user", UPN_KEPT),
    ( "azure-nsg-flow", "test_end.json", "time", "the oracle takes the record's `time` (when Network Watcher wrote the batch); seam takes the flow tuple's own timestamp (when the flow was seen)", ),
    ( "azure-nsg-flow", "test_short.json", "time", "the oracle takes the record's `time` (when Network Watcher wrote the batch); seam takes the flow tuple's own timestamp (when the flow was seen)", ),
    ( "azure-nsg-flow", "test_short.json", "src_ip", "the oracle takes a `source_addr` key the collector added beside the tuple; seam takes the source of the flow tuple itself", ),
    ( "suricata-eve", "icmp.json", "time", "the oracle takes the flow event's `timestamp` (when the flow timed out and was logged); seam takes `flow.start` (when the connection began)", ),
    ( "fortigate-kv", "traffic_with_referrer.json", "coverage", "a FortiADC load-balancer log (log_id/msg_id/ibytes fields), another product's format that the fortigate parser does not claim", ),
    ( "sophos-xg", "test_plugin_waf.json", "bytes_out", "a Sophos UTM reverse-proxy (WAF) line: size= is the response the web server returned to the client, so seam counts it as the client's bytes_in; the oracle files it as source.bytes", ),
    ("netskope", "netskope-transaction-s3__test_1.json", "bytes_out", NETSKOPE_BYTES),
    ("netskope", "netskope-transaction-s3__test_1.json", "bytes_in", NETSKOPE_BYTES),
    ("netskope", "netskope-transaction-s3__test_2.json", "bytes_out", NETSKOPE_BYTES),
    ("netskope", "netskope-transaction-s3__test_2.json", "bytes_in", NETSKOPE_BYTES),
    ("netskope", "test_1.json", "bytes_out", NETSKOPE_BYTES),
    ("netskope", "test_1.json", "bytes_in", NETSKOPE_BYTES),
    ("netskope", "test_2.json", "bytes_out", NETSKOPE_BYTES),
    ("netskope", "test_2.json", "bytes_in", NETSKOPE_BYTES),
    ("netskope", "test_3.json", "bytes_out", NETSKOPE_BYTES),
    ("netskope", "test_3.json", "bytes_in", NETSKOPE_BYTES),
    ("netskope", "test_4.json", "bytes_out", NETSKOPE_BYTES),
    ("netskope", "test_4.json", "bytes_in", NETSKOPE_BYTES),
    ("zscaler-zia", "test_event_web.json", "user", ZSCALER_USER),
    ("zscaler-zia", "test_event_web2.json", "user", ZSCALER_USER),
    ("zscaler-zia", "test_event_firewall.json", "user", ZSCALER_USER),
    ( "skyhigh-web-gateway", "skyhigh_swg_block.json", "user", "seam reduces DOMAIN\\account to the bare account for every format (here `autorite nt\\service rÉseau`, the French NT AUTHORITY\\NETWORK SERVICE, gives `service rÉseau`); the oracle keeps the whole name", ),
    ( "cloudflare", "test_http.json", "dst_port", "Gateway HTTP writes DestinationPort 0 when no upstream was resolved and the oracle copies the 0; seam reads 0 as unknown and takes the port from the URL (https → 443)", ),
    ( "squid-access", "common_log_format_1.json", "time", "an Olfeo line (`status - - bytes category`, the same shape as olfeo/*.json), read by the olfeo format whose dates are DD/MM/YYYY (olfeo/network_log.json has 15/04/2024, olfeo/network_log_date.json reads 02/07/2024 as 2 July); SEKOIA's Squid intake reads its 05/02/2025 as MM/DD", ),
    ("cef/cef", "fortigate_traffic_forward.CEF.json", "coverage", NO_TIME),
    ("cef/cef", "pan_ngfw_traffic_cef.json", "dst_host", PAN_DNTDOM),
    ("cef/cef", "pan_ngfw_url_cef.json", "dst_host", PAN_DNTDOM),
    ("fortigate-kv/cef", "traffic_forward.CEF-4.json", "coverage", NO_TIME),
    ("fortigate-kv/cef", "traffic_forward-RDP.CEF.json", "bytes_out", FORTI_DELTA),
    ("fortigate-kv/cef", "traffic_forward-RDP.CEF.json", "bytes_in", FORTI_DELTA),
    ("fortiproxy-kv", "test_forward_2.json", "bytes_out", FORTI_DELTA),
    ("fortiproxy-kv", "test_forward_2.json", "bytes_in", FORTI_DELTA),
    ("panos/cef", "traffic_cef.json", "time", PAN_RT),
    ("panos/cef", "traffic1_csv.json", "time", PAN_RT),
    ("panos/cef", "url_cef.json", "time", PAN_RT),
    ("panos/cef", "traffic_cef.json", "bytes_out", PAN_BYTES),
    ("panos/cef", "traffic_cef.json", "bytes_in", PAN_BYTES),
    ("panos/cef", "traffic1_csv.json", "bytes_out", PAN_BYTES),
    ("panos/cef", "traffic1_csv.json", "bytes_in", PAN_BYTES),
    ("panw-prisma-access/cef", "traffic_cef.json", "time", PAN_RT),
    ("panw-prisma-access/cef", "traffic1_csv.json", "time", PAN_RT),
    ("panw-prisma-access/cef", "url_cef.json", "time", PAN_RT),
    ("panw-prisma-access/cef", "traffic_cef.json", "bytes_out", PAN_BYTES),
    ("panw-prisma-access/cef", "traffic_cef.json", "bytes_in", PAN_BYTES),
    ("panw-prisma-access/cef", "traffic1_csv.json", "bytes_out", PAN_BYTES),
    ("panw-prisma-access/cef", "traffic1_csv.json", "bytes_in", PAN_BYTES),
    ("sonicwall/cef", "test_cef_connection_closed.json", "coverage", NO_TIME),
    ("sonicwall/cef", "test_cef_connection_opened.json", "coverage", NO_TIME),
    ("sonicwall/cef", "test_cef_syslog_website_accessed.json", "coverage", NO_TIME),
    ("watchguard/leef", "connection_allow.json", "coverage", NO_TIME),
    ("watchguard/leef", "connection_allow2.json", "coverage", NO_TIME),
    ("watchguard/leef", "connection_allow3.json", "coverage", NO_TIME),
    ("watchguard/leef", "connection_deny.json", "coverage", NO_TIME),
    ("watchguard/leef", "dpi_http_1.json", "coverage", NO_TIME),
    ("watchguard/leef", "dpi_http_deny.json", "coverage", NO_TIME),
    ("watchguard/leef", "game_allow.json", "coverage", NO_TIME),
    ("watchguard/leef", "geo_deny.json", "coverage", NO_TIME),
    ("watchguard/leef", "no_rule_deny.json", "coverage", NO_TIME),
    ("watchguard/leef", "virus_analysis.json", "coverage", NO_TIME),
    ("fortiproxy-kv", "traffic-http-transaction.json", "src_port", PORT_OUT_OF_RANGE),
];

/// The corpus line has a port above 65535 (an anonymisation artefact); seam
/// rejects it rather than wrap or clamp it.
const PORT_OUT_OF_RANGE: &str = "the line's port is above 65535 (anonymised); seam rejects an impossible port";

/// The corpus kept the ASA message but not the syslog header in front of
/// it, which holds the only timestamp; seam skips a record it cannot place
/// in time ("no timestamp"). The same messages with a header are parsed in
/// the corpus's test-sample.log.
const ASA_NO_STAMP: &str = "the corpus message lost its syslog header, the only timestamp; seam skips records without a time";

/// FTD writes `User: Not Found` when the connection has no identity; the
/// oracle keeps the placeholder as a user name, seam reports no user.
const FTD_NO_USER: &str = "FTD's 'Not Found' placeholder is not a user; the oracle keeps it as one";

/// Umbrella proxy logs carry the client's internal IP and the network's
/// external (egress, NATed) IP; the oracle takes the external one as the
/// source, seam the internal one, the host that made the request.
const UMBRELLA_INTERNAL_IP: &str = "the oracle's source is the NATed egress IP; seam uses the internal client IP";

/// The oracle cuts `user@domain` down to `user`; seam keeps cloud identities
/// whole (`record::account`), since the domain tells tenants apart.
const UPN_KEPT: &str = "the oracle strips the domain of a user@domain identity; seam keeps it whole";

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SEAM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("MANIFEST.md").is_file() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: corpus not found at {} (set SEAM_CORPUS)", dir.display());
        None
    }
}

/// One corpus record: the raw line and, when the corpus has one, the oracle.
/// Lines of a whole log file carry the file's head, which detection and
/// header-driven formats (W3C `#Fields:`, Zeek `#fields`) read, as in a scan.
struct Case {
    file: String,
    line: String,
    oracle: Option<Value>,
    head: Option<std::rc::Rc<str>>,
}

impl Case {
    fn head(&self) -> &[u8] {
        self.head.as_deref().unwrap_or(&self.line).as_bytes()
    }
}

/// Reads every record of a family folder.
fn cases(dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Ok(bytes) = std::fs::read(path) else { continue };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if name.ends_with("-expected.json") || name.ends_with("_structured.csv") {
            continue; // read with their log file
        }
        if name.ends_with(".json") {
            // SEKOIA style: {"input": {"message": ...}, "expected": {...}}
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                if let Some(msg) = v.pointer("/input/message").and_then(Value::as_str) {
                    out.push(Case {
                        file: name.clone(),
                        line: msg.to_string(),
                        oracle: v.get("expected").cloned(),
                        head: None,
                    });
                }
            }
        } else if name.ends_with(".ini") {
            // Wazuh ruleset tests: "log N pass = <line>", no field values.
            for l in text.lines() {
                if let Some((_, line)) = l.split_once(" pass = ").filter(|_| l.starts_with("log ")) {
                    out.push(Case {
                        file: name.clone(),
                        line: line.to_string(),
                        oracle: None,
                        head: None,
                    });
                }
            }
        } else if !name.ends_with(".csv") && !name.ends_with(".yaml") && !name.ends_with(".md") {
            // A raw log file (`.log`, or rotated `.0`, `.1`, ...).
            let expected = path.with_file_name(format!("{name}-expected.json"));
            let docs: Vec<Value> = std::fs::read_to_string(&expected)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|v| v.get("expected").and_then(Value::as_array).cloned())
                .unwrap_or_default();
            let structured = proxifier_oracle(path);
            let head: std::rc::Rc<str> = text.chars().take(64 << 10).collect::<String>().into();
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            let records: Vec<&str> = lines.iter().copied().filter(|l| !l.starts_with('#')).collect();
            let paired = docs.len() == records.len();
            let mut i = 0;
            for l in lines {
                // Header and comment lines (`#Fields:`) have no oracle of their own.
                let oracle = if l.starts_with('#') {
                    None
                } else {
                    i += 1;
                    if paired {
                        docs.get(i - 1).cloned()
                    } else {
                        structured.get(i - 1).cloned()
                    }
                };
                out.push(Case {
                    file: name.clone(),
                    line: l.to_string(),
                    oracle,
                    head: Some(head.clone()),
                });
            }
        }
    }
    out
}

/// The logpai structured CSV beside a Proxifier log, as ECS-like oracles
/// (destination host and port from the `Content` column).
fn proxifier_oracle(log: &Path) -> Vec<Value> {
    let csv_path = log.with_file_name(format!(
        "{}_structured.csv",
        log.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    let Ok(mut rdr) = csv::Reader::from_path(&csv_path) else {
        return Vec::new();
    };
    rdr.records()
        .filter_map(|r| r.ok())
        .map(|r| {
            let content = r.get(3).unwrap_or_default();
            let target = content.split_whitespace().next().unwrap_or_default();
            let (host, port) = target.rsplit_once(':').unwrap_or((target, ""));
            let mut dest = serde_json::Map::new();
            if content.contains(" open through proxy ") || content.contains(" close, ") {
                dest.insert("domain".into(), Value::String(host.to_string()));
                if let Ok(p) = port.parse::<u16>() {
                    dest.insert("port".into(), Value::from(p));
                }
            }
            serde_json::json!({ "destination": dest })
        })
        .collect()
}

/// Looks up a dotted ECS path, accepting both nested objects and literal
/// dotted keys.
fn ecs<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(x) = v.get(path) {
        return Some(x);
    }
    let (head, rest) = path.split_once('.')?;
    ecs(v.get(head)?, rest)
}

fn ecs_str(v: &Value, path: &str) -> Option<String> {
    match ecs(v, path)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn ecs_u64(v: &Value, path: &str) -> Option<u64> {
    match ecs(v, path)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The core fields as the oracle sees them.
#[derive(Default)]
struct Oracle {
    time_ms: Option<i64>,
    zone: Option<Zone>,
    year: Option<i32>,
    src_ip: Option<IpAddr>,
    src_port: Option<u64>,
    dst_ip: Option<IpAddr>,
    dst_port: Option<u64>,
    dst_host: Option<String>,
    bytes_out: Option<u64>,
    bytes_in: Option<u64>,
    user: Option<String>,
    action: Option<Action>,
}

impl Oracle {
    fn from(v: &Value) -> Oracle {
        let stamp = ecs_str(v, "@timestamp");
        let time_ms = stamp.as_deref().and_then(|s| parse_iso8601(s.as_bytes(), &Zone::Fixed(0)));
        let zone = stamp.as_deref().and_then(|s| {
            let b = s.as_bytes();
            if s.ends_with('Z') {
                Some(Zone::Fixed(0))
            } else {
                b.len()
                    .checked_sub(6)
                    .and_then(|i| seam::time::parse_offset(b.get(i..)?))
                    .map(Zone::Fixed)
            }
        });
        let year = stamp.as_deref().and_then(|s| s.get(..4)).and_then(|y| y.parse().ok());
        let ip = |p: &str| ecs_str(v, p).and_then(|s| s.parse::<IpAddr>().ok());
        let dst_host = ["destination.domain", "url.domain", "destination.address", "server.domain"]
            .iter()
            .filter_map(|p| ecs_str(v, p))
            .find(|h| h.parse::<IpAddr>().is_err())
            .map(|h| h.trim_end_matches('.').to_ascii_lowercase());
        let action = ecs_str(v, "event.action")
            .map(|a| Action::from_word(a.as_bytes()))
            .filter(|a| *a != Action::Unknown)
            .or_else(|| {
                let types: Vec<String> = match ecs(v, "event.type") {
                    Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                    Some(Value::String(s)) => vec![s.clone()],
                    _ => vec![],
                };
                if types.iter().any(|t| t == "denied") {
                    Some(Action::Denied)
                } else if types.iter().any(|t| t == "allowed") {
                    Some(Action::Allowed)
                } else {
                    None
                }
            });
        Oracle {
            time_ms,
            zone,
            year,
            src_ip: ip("source.ip"),
            src_port: ecs_u64(v, "source.port"),
            dst_ip: ip("destination.ip"),
            dst_port: ecs_u64(v, "destination.port"),
            dst_host,
            bytes_out: ecs_u64(v, "source.bytes").or_else(|| ecs_u64(v, "http.request.bytes")),
            bytes_in: ecs_u64(v, "destination.bytes").or_else(|| ecs_u64(v, "http.response.bytes")),
            user: ecs_str(v, "user.name").or_else(|| ecs_str(v, "source.user.name")),
            action,
        }
    }

    /// The oracle describes a connection (so seam should produce a record).
    fn is_traffic(&self) -> bool {
        self.src_ip.is_some() && (self.dst_ip.is_some() || self.dst_host.is_some())
    }
}

const FIELDS: [&str; 11] = [
    "time",
    "src_ip",
    "src_port",
    "dst_ip",
    "dst_port",
    "dst_host",
    "bytes_out",
    "bytes_in",
    "user",
    "action",
    "coverage",
];

#[derive(Default, Clone, Copy)]
struct Tally {
    agree: u64,
    total: u64,
    excused: u64,
}

/// Compares one parsed record with the oracle, field by field.
fn compare(rec: &Record, o: &Oracle, mut note: impl FnMut(&'static str, bool, String)) {
    if let Some(t) = o.time_ms {
        note(
            "time",
            (rec.time_ms - t).abs() <= 1,
            format!("{} vs {}", seam::time::rfc3339(rec.time_ms), seam::time::rfc3339(t)),
        );
    }
    if let Some(ip) = o.src_ip {
        note("src_ip", rec.src_ip == Some(ip), format!("{:?} vs {ip}", rec.src_ip));
    }
    if let Some(p) = o.src_port {
        note(
            "src_port",
            rec.src_port.map(u64::from) == Some(p),
            format!("{:?} vs {p}", rec.src_port),
        );
    }
    if let Some(ip) = o.dst_ip {
        note("dst_ip", rec.dst_ip == Some(ip), format!("{:?} vs {ip}", rec.dst_ip));
    }
    if let Some(p) = o.dst_port {
        note(
            "dst_port",
            rec.dst_port.map(u64::from) == Some(p),
            format!("{:?} vs {p}", rec.dst_port),
        );
    }
    if let Some(h) = &o.dst_host {
        let ours = rec.dst_host.as_deref().map(|h| h.trim_end_matches('.').to_ascii_lowercase());
        note("dst_host", ours.as_deref() == Some(h.as_str()), format!("{ours:?} vs {h}"));
    }
    if let Some(b) = o.bytes_out {
        note("bytes_out", rec.bytes_out == Some(b), format!("{:?} vs {b}", rec.bytes_out));
    }
    if let Some(b) = o.bytes_in {
        note("bytes_in", rec.bytes_in == Some(b), format!("{:?} vs {b}", rec.bytes_in));
    }
    if let Some(u) = &o.user {
        note("user", rec.user.as_deref() == Some(u.as_str()), format!("{:?} vs {u}", rec.user));
    }
    if let Some(a) = o.action {
        note("action", rec.action == a, format!("{:?} vs {a:?}", rec.action));
    }
}

#[test]
fn corpus_agreement_per_family() {
    let Some(root) = corpus_dir() else { return };
    let mut report = String::new();
    let mut failures = Vec::new();
    report.push_str(&format!(
        "{:<22} {:>6} {:>7} {:>7} {:>7} {:>7}",
        "family", "cases", "parsed", "ignored", "skipped", "unrecog"
    ));
    for f in FIELDS {
        report.push_str(&format!(" {f:>10}"));
    }
    report.push('\n');
    let mut groups: Vec<(String, &[&str], Vec<Case>)> = Vec::new();
    for (family, names) in FAMILIES {
        let mut plain = Vec::new();
        let mut wrapped: BTreeMap<&str, (&[&str], Vec<Case>)> = BTreeMap::new();
        for c in cases(&root.join(family)) {
            match ENVELOPES.iter().find(|(m, _, _)| c.line.contains(m)) {
                Some((_, sub, fmts)) => wrapped.entry(sub).or_insert((fmts, Vec::new())).1.push(c),
                None => plain.push(c),
            }
        }
        groups.push((family.to_string(), names, plain));
        for (sub, (fmts, cs)) in wrapped {
            groups.push((format!("{family}/{sub}"), fmts, cs));
        }
    }
    for (family, names, cases) in groups.iter().filter(|g| !g.2.is_empty()) {
        let family = family.as_str();
        let supported = names.iter().all(|n| formats::by_name(n).is_some());
        if !supported {
            report.push_str(&format!("{family:<22} {:>6} unsupported\n", cases.len()));
            continue;
        }
        let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
        let (mut parsed, mut ignored, mut skipped, mut unrecognised) = (0, 0, 0, 0);
        let mut bound: Option<(*const u8, Option<Box<dyn formats::LineParser>>)> = None;
        for c in cases {
            let oracle = c.oracle.as_ref().map(Oracle::from).unwrap_or_default();
            let ctx = TimeCtx {
                year: oracle.year.unwrap_or(2020),
                zone: oracle.zone.unwrap_or_default(),
                ref_ms: None,
            };
            let line = c.line.as_bytes();
            // Lines of one file share its head: detect and bind once per head.
            if bound.as_ref().is_none_or(|(h, _)| *h != c.head().as_ptr()) {
                let parser = formats::detect(c.head()).and_then(|f| formats::bind(f, c.head()).ok());
                bound = Some((c.head().as_ptr(), parser));
            }
            let rec: Option<Result<Record<'static>, LineError>> = bound
                .as_ref()
                .and_then(|(_, p)| p.as_ref())
                .map(|p| p.parse(formats::trim_line(line), &ctx).map(|r| into_owned(&r)));
            let excused = |field: &str| {
                EXCEPTIONS
                    .iter()
                    .any(|(fam, file, fld, _)| *fam == family && *file == c.file && *fld == field)
            };
            match rec {
                Some(Ok(r)) => {
                    parsed += 1;
                    if oracle.is_traffic() {
                        let t = tally.entry("coverage").or_default();
                        t.total += 1;
                        t.agree += 1;
                    }
                    compare(&r, &oracle, |field, ok, detail| {
                        let t = tally.entry(field).or_default();
                        if excused(field) {
                            t.excused += 1;
                            return;
                        }
                        t.total += 1;
                        if ok {
                            t.agree += 1;
                        } else {
                            failures.push(format!("{family}/{}: {field}: {detail}", c.file));
                        }
                    });
                }
                other => {
                    let was_ignored = matches!(other, Some(Err(LineError::Ignored(_))));
                    match other {
                        Some(Err(LineError::Ignored(_))) => ignored += 1,
                        Some(Err(LineError::Skipped(_))) => skipped += 1,
                        _ => unrecognised += 1,
                    }
                    if oracle.is_traffic() && !was_ignored {
                        let t = tally.entry("coverage").or_default();
                        if excused("coverage") {
                            t.excused += 1;
                        } else {
                            t.total += 1;
                            failures.push(format!(
                                "{family}/{}: coverage: not parsed ({other:?}): {}",
                                c.file,
                                c.line.chars().take(160).collect::<String>()
                            ));
                        }
                    }
                }
            }
        }
        report.push_str(&format!(
            "{family:<22} {:>6} {parsed:>7} {ignored:>7} {skipped:>7} {unrecognised:>7}",
            cases.len()
        ));
        let mut low = false;
        for f in FIELDS {
            match tally.get(f) {
                Some(t) if t.total > 0 => {
                    let share = t.agree as f64 / t.total as f64;
                    low |= share < MIN_AGREEMENT;
                    report.push_str(&format!(" {:>9.1}%", share * 100.0));
                }
                _ => report.push_str(&format!(" {:>10}", "-")),
            }
        }
        report.push_str(if low { "  BELOW\n" } else { "\n" });
    }
    println!("{report}");
    let below: Vec<&str> = report.lines().filter(|l| l.ends_with("BELOW")).collect();
    if !below.is_empty() {
        for f in failures.iter().take(200) {
            println!("  {f}");
        }
        panic!("agreement below {:.0}% for: {}", MIN_AGREEMENT * 100.0, below.join(" | "));
    }
}

/// Copies a record's borrowed text so it can outlive its line.
fn into_owned(r: &Record) -> Record<'static> {
    use std::borrow::Cow;
    let own = |c: &Option<Cow<str>>| c.as_ref().map(|s| Cow::Owned(s.to_string()));
    Record {
        time_ms: r.time_ms,
        src_ip: r.src_ip,
        src_port: r.src_port,
        dst_host: own(&r.dst_host),
        dst_ip: r.dst_ip,
        dst_port: r.dst_port,
        proto: r.proto,
        action: r.action,
        bytes_out: r.bytes_out,
        bytes_in: r.bytes_in,
        user: own(&r.user),
        user_agent: own(&r.user_agent),
        method: own(&r.method),
        status: r.status,
        scheme: r.scheme,
        url: own(&r.url),
        url_query: r.url_query,
        service: own(&r.service),
        tail: r.tail,
    }
}

type Parser = Box<dyn formats::LineParser>;

/// Every line of every corpus file, through every parser: nothing panics.
#[test]
fn corpus_never_panics_any_parser() {
    let Some(root) = corpus_dir() else { return };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    dirs.sort();
    let ctx = TimeCtx {
        year: 2024,
        zone: Zone::Fixed(0),
        ref_ms: None,
    };
    let mut n = 0;
    for d in dirs {
        // Lines of one file share its head: bind each format once per head.
        let mut bound: Option<(*const u8, Vec<Option<Parser>>)> = None;
        for c in cases(&d) {
            let line = c.line.as_bytes();
            let head = c.head();
            if bound.as_ref().is_none_or(|(h, _)| *h != head.as_ptr()) {
                bound = Some((head.as_ptr(), FORMATS.iter().map(|f| formats::bind(*f, head).ok()).collect()));
            }
            for (i, f) in FORMATS.iter().enumerate() {
                let _ = f.sniff(line);
                let _ = f.parse_multi(line, &ctx, &mut |_| {});
                if let Some(Some(p)) = bound.as_ref().and_then(|(_, ps)| ps.get(i)) {
                    let _ = p.parse_multi(line, &ctx, &mut |_| {});
                }
            }
            n += 1;
        }
    }
    assert!(n > 1000, "expected the corpus to hold over 1000 records, found {n}");
}
