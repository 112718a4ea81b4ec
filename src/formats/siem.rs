//! What the CEF and LEEF parsers share: the meaning of extension keys
//! ([`Slot`]), the per-vendor mapping tables ([`Vendor`], [`VENDORS`]) and
//! the assembly of a [`Record`] from the collected values ([`Fields`]).
//!
//! Vendors that send CEF or LEEF keep the standard keys for the common
//! fields and add their own, usually behind a prefix (`FTNTFGT`, `PanOS`).
//! A vendor entry says which of its keys carry record fields, which of its
//! events are traffic records, and nothing else: adding a vendor is adding
//! one entry to [`VENDORS`].

use std::borrow::Cow;

use super::url::split_url;
use super::{parse_ip, syslog, LineError};
use crate::record::{account, Action, Proto, Record};
use crate::time::{epoch_auto_ms, parse_u16, parse_u64, TimeCtx, Zone};

/// The record field (or time input) an extension key feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Src,
    SrcPort,
    Dst,
    DstPort,
    /// Destination host name (`dhost`).
    DstHost,
    /// A host name of lower rank than [`Slot::DstHost`] (TLS SNI).
    DstHostAlt,
    /// Request URL (`request`).
    Url,
    /// The user at the source (`suser`).
    User,
    /// A user of lower rank (Fortinet `unauthuser`).
    UserAlt,
    BytesOut,
    BytesIn,
    /// Bytes since the previous log of a long-lived session (they replace
    /// the running totals, as in the FortiGate key=value parser).
    DeltaOut,
    DeltaIn,
    Proto,
    /// The standard action key (`act`, LEEF `action`).
    Action,
    /// A vendor action key that outranks the standard one.
    ActionVendor,
    /// When the activity started (`start`).
    Start,
    /// When the event was received or generated (`rt`).
    Receipt,
    /// When the activity ended (`end`).
    End,
    /// Epoch time in s, ms, µs or ns (Fortinet `eventtime`), which outranks
    /// every other stamp.
    EpochTime,
    /// LEEF `devTime`, read with [`Slot::TimeFormat`] when given.
    DevTime,
    /// LEEF `devTimeFormat` (Java `SimpleDateFormat`).
    TimeFormat,
    /// Zone of stamps that carry none (`dtz`, Fortinet `tz`).
    Zone,
    UserAgent,
    UserAgentAlt,
    Method,
    /// Application or service (`app`).
    App,
    /// A vendor application name that outranks `app`.
    AppVendor,
    /// Event category (`cat`), used to classify vendor events.
    Category,
    /// A key that must not be read as its standard meaning for this vendor.
    Skip,
}

/// Which events of a vendor are traffic records; the others are ignored.
#[derive(Debug, Clone, Copy)]
pub enum Records {
    /// Events with a source address and a destination, except those whose
    /// class (CEF Signature ID / LEEF Event ID) or product is listed (threat
    /// logs that duplicate the connection's own log).
    Connections { except: &'static [&'static [u8]] },
    /// Events whose category (`cat=`, else the event name) begins with one
    /// of these words before a `:` or space.
    Category(&'static [&'static [u8]]),
    /// Events with one of these classes; `(class, name)` with an empty name
    /// for any name.
    Classes(&'static [(&'static [u8], &'static [u8])]),
    /// Events whose name starts with one of these.
    NamePrefix(&'static [&'static [u8]]),
    /// A product that logs alerts or mail, not connections.
    Never(&'static str),
}

/// One vendor's mapping table.
#[derive(Debug)]
pub struct Vendor {
    /// Header vendor (or product, for producers that shift the header)
    /// names, compared without case.
    pub names: &'static [&'static [u8]],
    /// When not empty, the entry covers only products whose name holds
    /// this text (one vendor, several products with different logs).
    pub product: &'static [u8],
    /// Prefixes the vendor puts on its own keys; removed before the lookup
    /// in `keys` (bare keys are looked up too).
    pub prefixes: &'static [&'static [u8]],
    /// Vendor keys, consulted before the standard ones.
    pub keys: &'static [(&'static [u8], Slot)],
    pub records: Records,
    /// Ignore reason for events that are not records.
    pub other: &'static str,
    /// Whether a record without any action word counts as allowed (the
    /// vendor logs sessions the device let through).
    pub default_allowed: bool,
}

/// Check Point blades whose logs report threats on a connection that the
/// firewall blade logs too.
pub const CHECK_POINT_THREAT_BLADES: &[&[u8]] = &[
    b"IPS",
    b"SmartDefense",
    b"Anti-Virus",
    b"Anti Virus",
    b"Anti-Bot",
    b"Anti Bot",
    b"Anti-Malware",
    b"Threat Emulation",
    b"Threat Extraction",
];

/// The vendor tables. Sources: Fortinet "FortiOS Log Message Reference",
/// CEF support; Palo Alto Networks "Strata Logging Service Log Reference",
/// CEF fields; SonicWall "SonicOS Log Events Reference"; Check Point "Log
/// Exporter" (sk122323); Forcepoint "NGFW Log Fields"; WatchGuard "Fireware
/// Log Catalog".
pub static VENDORS: &[Vendor] = &[
    Vendor {
        names: &[b"Fortinet"],
        product: b"",
        prefixes: &[b"FTNTFGT", b"FortinetFortiGate", b"ad."],
        keys: &[
            (b"eventtime", Slot::EpochTime),
            (b"tz", Slot::Zone),
            (b"sentdelta", Slot::DeltaOut),
            (b"rcvddelta", Slot::DeltaIn),
            // FortiOS maps its `user` field to duser: the source's user.
            (b"duser", Slot::User),
            (b"unauthuser", Slot::UserAlt),
            (b"app", Slot::AppVendor),
            (b"action", Slot::ActionVendor),
        ],
        records: Records::Category(&[b"traffic"]),
        other: "non-traffic log type",
        default_allowed: true,
    },
    Vendor {
        names: &[b"Palo Alto Networks"],
        product: b"",
        prefixes: &[b"PanOS"],
        keys: &[],
        records: Records::Classes(&[(b"TRAFFIC", b""), (b"THREAT", b"url")]),
        other: "non-traffic log type",
        default_allowed: true,
    },
    Vendor {
        names: &[b"SonicWall", b"SonicWALL", b"Dell SonicWALL"],
        product: b"",
        prefixes: &[],
        keys: &[(b"susr", Slot::User), (b"fw_action", Slot::ActionVendor)],
        // 14 web site access denied, 36 TCP connection dropped, 97 web site
        // hit, 98 connection opened, 537 connection closed.
        records: Records::Classes(&[(b"14", b""), (b"36", b""), (b"97", b""), (b"98", b""), (b"537", b"")]),
        other: "alert on a session (its connection has its own log)",
        default_allowed: true,
    },
    Vendor {
        names: &[b"Check Point"],
        product: b"",
        prefixes: &[],
        keys: &[
            (b"user_agent", Slot::UserAgentAlt),
            (b"tls_server_host_name", Slot::DstHostAlt),
            (b"client_outbound_bytes", Slot::BytesOut),
            (b"client_inbound_bytes", Slot::BytesIn),
        ],
        records: Records::Connections {
            except: CHECK_POINT_THREAT_BLADES,
        },
        other: "threat prevention log (its connection has a firewall log)",
        default_allowed: false,
    },
    Vendor {
        names: &[b"FORCEPOINT", b"Stonesoft"],
        product: b"",
        prefixes: &[],
        keys: &[],
        records: Records::NamePrefix(&[b"Connection_"]),
        other: "non-connection event",
        default_allowed: true,
    },
    Vendor {
        names: &[b"WatchGuard"],
        product: b"",
        prefixes: &[],
        // `disp` is the verdict; `action` names the proxy action rule.
        keys: &[
            (b"disp", Slot::ActionVendor),
            (b"action", Slot::Skip),
            (b"src_user", Slot::User),
            (b"sent_bytes", Slot::BytesOut),
            (b"rcvd_bytes", Slot::BytesIn),
            (b"dstname", Slot::DstHost),
            (b"op", Slot::Method),
            (b"app_name", Slot::AppVendor),
        ],
        records: Records::Connections { except: &[] },
        other: "event without source and destination",
        default_allowed: false,
    },
    Vendor {
        names: &[b"Cybereason"],
        product: b"",
        prefixes: &[],
        keys: &[],
        records: Records::Never("endpoint detection alert"),
        other: "endpoint detection alert",
        default_allowed: false,
    },
    Vendor {
        names: &[b"Cisco"],
        product: b"Email Security",
        prefixes: &[],
        keys: &[],
        // The Email Security Appliance's consolidated event log: mail flow,
        // not connections. Other Cisco products use the generic rule.
        records: Records::Never("mail flow event"),
        other: "mail flow event",
        default_allowed: false,
    },
];

/// Why an event that names no connection is ignored.
const NO_CONNECTION: &str = "event without source and destination";

/// Any other vendor: events with a source and a destination are records.
pub static GENERIC: Vendor = Vendor {
    names: &[],
    product: b"",
    prefixes: &[],
    keys: &[],
    records: Records::Connections { except: &[] },
    other: "event without source and destination",
    default_allowed: false,
};

/// The table for a header's vendor (or, for shifted headers, product).
pub fn vendor(vendor: &[u8], product: &[u8]) -> &'static Vendor {
    let vendor = vendor.trim_ascii();
    let product = product.trim_ascii();
    let covers = |v: &Vendor, p: &[u8]| v.product.is_empty() || crate::formats::find(p, v.product).is_some();
    VENDORS
        .iter()
        .find(|v| v.names.iter().any(|n| vendor.eq_ignore_ascii_case(n)) && covers(v, product))
        .or_else(|| {
            VENDORS
                .iter()
                .find(|v| v.names.iter().any(|n| product.eq_ignore_ascii_case(n)) && v.product.is_empty())
        })
        .unwrap_or(&GENERIC)
}

/// The slot of an extension key for `v`: vendor keys first (with a vendor
/// prefix removed, or bare), then `standard`. Prefixed keys that the vendor
/// table does not list are vendor data seam does not read.
pub fn slot(v: &Vendor, key: &[u8], standard: fn(&[u8]) -> Option<Slot>) -> Option<Slot> {
    for p in v.prefixes {
        if let Some(bare) = key.strip_prefix(*p) {
            if !bare.is_empty() {
                return v.keys.iter().find(|(k, _)| *k == bare).map(|&(_, s)| s);
            }
        }
    }
    match v.keys.iter().find(|(k, _)| *k == key) {
        Some(&(_, s)) => Some(s),
        None => standard(key),
    }
}

/// Action words beyond [`Action::from_word`] that CEF and LEEF producers
/// use (`passthrough`, `block-url`, `drop-all`, `Connection_Discarded`).
pub fn action_word(w: &[u8]) -> Action {
    const ALLOW: &[&[u8]] = &[
        b"passthrough",
        b"opened",
        b"open",
        b"established",
        b"end",
        b"log-only",
        b"monitor",
        b"monitored",
        b"detect",
        b"detected",
        b"bypass",
        b"redirect",
        b"encrypt",
        b"decrypt",
        b"inspect",
        b"alert",
        b"allowed",
    ];
    let w = w.trim_ascii();
    let a = Action::from_word(w);
    if a != Action::Unknown {
        return a;
    }
    if ALLOW.iter().any(|x| w.eq_ignore_ascii_case(x)) {
        return Action::Allowed;
    }
    // `block-url`, `drop-all`, `reset-both`, `HTTPS Bypass`, `Connection_Discarded`.
    for part in w.split(|&c| matches!(c, b'-' | b'_' | b' ' | b':')).filter(|p| !p.is_empty()) {
        let a = Action::from_word(part);
        if a != Action::Unknown {
            return a;
        }
        if ALLOW.iter().any(|x| part.eq_ignore_ascii_case(x)) {
            return Action::Allowed;
        }
    }
    Action::Unknown
}

/// Text of a CEF or LEEF value: `\=`, `\\`, `\|`, `\n` and `\r` escapes
/// resolved, one pair of surrounding double quotes removed (SonicWall quotes
/// its values), raw line breaks dropped (a record wrapped over several lines
/// by the exporter). Borrows when there is nothing to resolve.
pub fn value_text(v: &[u8]) -> Cow<'_, str> {
    let v = v.trim_ascii();
    let v = match v {
        [b'"', inner @ .., b'"'] => inner,
        _ => v,
    };
    if memchr::memchr3(b'\\', b'\n', b'\r', v).is_none() {
        return crate::record::text(v);
    }
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while let Some(&c) = v.get(i) {
        match (c, v.get(i + 1)) {
            (b'\\', Some(&n @ (b'=' | b'\\' | b'|'))) => {
                out.push(n);
                i += 2;
            }
            (b'\\', Some(b'n')) => {
                out.push(b'\n');
                i += 2;
            }
            (b'\\', Some(b'r')) => {
                out.push(b'\r');
                i += 2;
            }
            (b'\n' | b'\r', _) => i += 1,
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Cow::Owned(crate::record::text(&out).into_owned())
}

/// An event header, as far as the classification needs it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Event<'a> {
    /// CEF Device Event Class ID / LEEF Event ID.
    pub class: &'a [u8],
    /// CEF Name (LEEF has none; its Event ID is used).
    pub name: &'a [u8],
    pub product: &'a [u8],
}

/// The values of one event, borrowed from the line, by slot.
#[derive(Debug, Default)]
pub struct Fields<'a> {
    src: Option<&'a [u8]>,
    src_port: Option<&'a [u8]>,
    dst: Option<&'a [u8]>,
    dst_port: Option<&'a [u8]>,
    dst_host: Option<&'a [u8]>,
    dst_host_alt: Option<&'a [u8]>,
    url: Option<&'a [u8]>,
    user: Option<&'a [u8]>,
    user_alt: Option<&'a [u8]>,
    bytes_out: Option<&'a [u8]>,
    bytes_in: Option<&'a [u8]>,
    delta_out: Option<&'a [u8]>,
    delta_in: Option<&'a [u8]>,
    proto: Option<&'a [u8]>,
    action: Option<&'a [u8]>,
    action_vendor: Option<&'a [u8]>,
    start: Option<&'a [u8]>,
    receipt: Option<&'a [u8]>,
    end: Option<&'a [u8]>,
    epoch: Option<&'a [u8]>,
    dev_time: Option<&'a [u8]>,
    time_format: Option<&'a [u8]>,
    zone: Option<&'a [u8]>,
    user_agent: Option<&'a [u8]>,
    user_agent_alt: Option<&'a [u8]>,
    method: Option<&'a [u8]>,
    app: Option<&'a [u8]>,
    app_vendor: Option<&'a [u8]>,
    category: Option<&'a [u8]>,
}

impl<'a> Fields<'a> {
    /// Keeps the first non-empty value of each slot (a pair of surrounding
    /// double quotes removed).
    pub fn set(&mut self, slot: Slot, value: &'a [u8]) {
        let value = match value.trim_ascii() {
            [b'"', inner @ .., b'"'] => inner,
            v => v,
        };
        if value.is_empty() {
            return;
        }
        let field = match slot {
            Slot::Src => &mut self.src,
            Slot::SrcPort => &mut self.src_port,
            Slot::Dst => &mut self.dst,
            Slot::DstPort => &mut self.dst_port,
            Slot::DstHost => &mut self.dst_host,
            Slot::DstHostAlt => &mut self.dst_host_alt,
            Slot::Url => &mut self.url,
            Slot::User => &mut self.user,
            Slot::UserAlt => &mut self.user_alt,
            Slot::BytesOut => &mut self.bytes_out,
            Slot::BytesIn => &mut self.bytes_in,
            Slot::DeltaOut => &mut self.delta_out,
            Slot::DeltaIn => &mut self.delta_in,
            Slot::Proto => &mut self.proto,
            Slot::Action => &mut self.action,
            Slot::ActionVendor => &mut self.action_vendor,
            Slot::Start => &mut self.start,
            Slot::Receipt => &mut self.receipt,
            Slot::End => &mut self.end,
            Slot::EpochTime => &mut self.epoch,
            Slot::DevTime => &mut self.dev_time,
            Slot::TimeFormat => &mut self.time_format,
            Slot::Zone => &mut self.zone,
            Slot::UserAgent => &mut self.user_agent,
            Slot::UserAgentAlt => &mut self.user_agent_alt,
            Slot::Method => &mut self.method,
            Slot::App => &mut self.app,
            Slot::AppVendor => &mut self.app_vendor,
            Slot::Category => &mut self.category,
            Slot::Skip => return,
        };
        if field.is_none() {
            *field = Some(value);
        }
    }

    /// Whether `v` counts this event as a traffic record; `Err` is the
    /// reason it is ignored.
    fn classify(&self, v: &Vendor, ev: &Event) -> Result<bool, LineError> {
        let word_in = |list: &[&[u8]], w: &[u8]| list.iter().any(|x| w.eq_ignore_ascii_case(x));
        match v.records {
            Records::Connections { except } => {
                if word_in(except, ev.class.trim_ascii()) || word_in(except, ev.product.trim_ascii()) {
                    return Err(LineError::Ignored(v.other));
                }
                Ok(false)
            }
            Records::Category(list) => {
                let cat = self.category.unwrap_or(ev.name);
                let head = cat.split(|&c| c == b':' || c == b' ').next().unwrap_or_default();
                match head {
                    _ if word_in(list, head) => Ok(true),
                    b"utm" => Err(LineError::Ignored("utm log (its session has a traffic log)")),
                    b"event" => Err(LineError::Ignored("system event")),
                    _ => Err(LineError::Ignored(v.other)),
                }
            }
            Records::Classes(list) => {
                let hit = list.iter().any(|(c, n)| {
                    ev.class.trim_ascii().eq_ignore_ascii_case(c) && (n.is_empty() || ev.name.trim_ascii().eq_ignore_ascii_case(n))
                });
                if hit {
                    Ok(true)
                } else {
                    Err(LineError::Ignored(v.other))
                }
            }
            Records::NamePrefix(list) => {
                let name = if ev.name.is_empty() { ev.class } else { ev.name };
                let name = name.trim_ascii();
                if list.iter().any(|p| name.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p))) {
                    Ok(true)
                } else {
                    Err(LineError::Ignored(v.other))
                }
            }
            Records::Never(reason) => Err(LineError::Ignored(reason)),
        }
    }

    /// Builds the record: classification, then addresses, then time.
    /// `envelope` is the text before the CEF/LEEF header (a syslog header
    /// whose stamp is the last resort for the time).
    pub fn finish(self, v: &Vendor, ev: &Event, envelope: &[u8], ctx: &TimeCtx) -> Result<Record<'a>, LineError> {
        let vendor_traffic = self.classify(v, ev)?;
        let mut rec = Record {
            src_ip: self.src.and_then(parse_ip),
            src_port: self.src_port.and_then(parse_u16),
            dst_ip: self.dst.and_then(parse_ip),
            dst_port: self.dst_port.and_then(parse_u16),
            ..Record::default()
        };
        // `dst` sometimes holds a host name (FortiGate UTM logs).
        let dst_name = self.dst.filter(|_| rec.dst_ip.is_none());
        let mut url_host: &[u8] = b"";
        if let Some(u) = self.url {
            let parts = split_url(u);
            rec.scheme = parts.scheme;
            rec.url_query = parts.query;
            rec.url = Some(value_text(u));
            if rec.dst_port.is_none() {
                rec.dst_port = parts.port;
            }
            match parse_ip(parts.host) {
                Some(ip) if rec.dst_ip.is_none() => rec.dst_ip = Some(ip),
                Some(_) => {}
                None => url_host = parts.host,
            }
        }
        let host = [Some(url_host), self.dst_host, dst_name, self.dst_host_alt]
            .into_iter()
            .flatten()
            .find(|h| !h.is_empty() && parse_ip(h).is_none() && *h != b"N/A");
        rec.dst_host = host.map(|h| match value_text(h) {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim_end_matches('.')),
            Cow::Owned(s) => Cow::Owned(s.trim_end_matches('.').to_string()),
        });
        let connection = rec.src_ip.is_some() && (rec.dst_ip.is_some() || rec.dst_host.is_some());
        if !vendor_traffic && !connection {
            return Err(LineError::Ignored(NO_CONNECTION));
        }
        if rec.src_ip.is_none() {
            return Err(LineError::Skipped("bad or missing source address"));
        }
        rec.time_ms = self.time(envelope, ctx).ok_or(LineError::Skipped("no time stamp"))?;
        rec.proto = self
            .proto
            .map(|p| Proto::parse(p.split(|&c| c == b'/').next().unwrap_or_default()))
            .unwrap_or_default();
        rec.bytes_out = self.delta_out.or(self.bytes_out).and_then(parse_u64);
        rec.bytes_in = self.delta_in.or(self.bytes_in).and_then(parse_u64);
        rec.user = self.user.or(self.user_alt).and_then(user_text);
        rec.user_agent = self.user_agent.or(self.user_agent_alt).map(value_text);
        rec.method = self.method.map(value_text);
        rec.service = self.app_vendor.or(self.app).map(value_text);
        rec.action = [self.action_vendor, self.action, Some(ev.name)]
            .into_iter()
            .flatten()
            .map(action_word)
            .find(|a| *a != Action::Unknown)
            .unwrap_or(if vendor_traffic || v.default_allowed {
                Action::Allowed
            } else {
                Action::Unknown
            });
        Ok(rec)
    }

    /// The event time: an epoch stamp, then `start`, `devTime`, `rt`, `end`
    /// (in the zone the event names, else `--tz`), then the envelope's.
    fn time(&self, envelope: &[u8], ctx: &TimeCtx) -> Option<i64> {
        if let Some(e) = self.epoch.and_then(parse_u64) {
            return Some(epoch_auto_ms(e));
        }
        let zone: Zone = self
            .zone
            .and_then(|z| super::timefmt::zone_name(value_text(z).as_bytes()))
            .unwrap_or(ctx.zone);
        if let Some(t) = self.start.and_then(|s| super::timefmt::parse_cef_stamp(s, ctx, &zone)) {
            return Some(t);
        }
        if let Some(d) = self.dev_time {
            let t = match self.time_format {
                Some(f) => super::timefmt::parse_pattern(f, super::timefmt::Dialect::Java, d, ctx, &zone),
                None => None,
            };
            if let Some(t) = t.or_else(|| super::timefmt::parse_cef_stamp(d, ctx, &zone)) {
                return Some(t);
            }
        }
        for s in [self.receipt, self.end].into_iter().flatten() {
            if let Some(t) = super::timefmt::parse_cef_stamp(s, ctx, &zone) {
                return Some(t);
            }
        }
        if envelope.trim_ascii().is_empty() {
            return None;
        }
        syslog::split(envelope, ctx).0.time_ms
    }
}

/// A user name as a bare account, `None` for empty and placeholder values.
fn user_text(u: &[u8]) -> Option<Cow<'_, str>> {
    let t = value_text(u);
    let trimmed = t.trim();
    if trimmed.is_empty() || trimmed == "-" || trimmed.eq_ignore_ascii_case("N/A") {
        return None;
    }
    Some(match t {
        Cow::Borrowed(b) => Cow::Borrowed(bare_account(b.trim())),
        Cow::Owned(o) => Cow::Owned(bare_account(o.trim()).to_string()),
    })
}

/// [`account`], except that a comma followed by a space is part of a
/// display name (`Doe, Jane (jdoe)`, as Check Point logs users), not the
/// start of an LDAP DN tail.
fn bare_account(u: &str) -> &str {
    match u.find(", ") {
        Some(_) => u.rsplit('\\').next().unwrap_or(u),
        None => account(u),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_words_vendors_use() {
        assert_eq!(action_word(b"block-url"), Action::Denied);
        assert_eq!(action_word(b"drop-all"), Action::Denied);
        assert_eq!(action_word(b"Connection_Discarded"), Action::Denied);
        assert_eq!(action_word(b"passthrough"), Action::Allowed);
        assert_eq!(action_word(b"traffic:forward close"), Action::Allowed);
        assert_eq!(action_word(b"HTTPS Bypass"), Action::Allowed);
        assert_eq!(action_word(b"NA"), Action::Unknown);
    }

    #[test]
    fn value_text_resolves_escapes_and_quotes() {
        assert_eq!(value_text(br"a\=b\\c\|d"), "a=b\\c|d");
        assert_eq!(value_text(br#""example.com\user1""#), "example.com\\user1");
        assert!(matches!(value_text(b"plain"), Cow::Borrowed("plain")));
        assert_eq!(value_text(br"line\nbreak"), "line\nbreak");
        assert_eq!(value_text(b"\\"), "\\");
        assert_eq!(value_text(b"Doe, Jane   \n (jdoe)"), "Doe, Jane    (jdoe)");
    }

    #[test]
    fn display_names_with_commas_stay_whole() {
        assert_eq!(user_text(b"Doe, Jane (jdoe)").as_deref(), Some("Doe, Jane (jdoe)"));
        assert_eq!(user_text(br"EXAMPLE\\jdoe").as_deref(), Some("jdoe"));
        assert_eq!(user_text(b"jdoe,cn=jdoe,dc=example").as_deref(), Some("jdoe"));
        assert_eq!(user_text(b" N/A "), None);
    }

    #[test]
    fn vendor_keys_outrank_standard_ones_and_prefixes_are_vendor_only() {
        let std_keys = |k: &[u8]| match k {
            b"duser" => Some(Slot::User),
            b"src" => Some(Slot::Src),
            _ => None,
        };
        let forti = vendor(b"Fortinet", b"Fortigate");
        assert_eq!(slot(forti, b"FTNTFGTeventtime", std_keys), Some(Slot::EpochTime));
        assert_eq!(slot(forti, b"eventtime", std_keys), Some(Slot::EpochTime));
        assert_eq!(slot(forti, b"FTNTFGTsrc", std_keys), None);
        assert_eq!(slot(forti, b"src", std_keys), Some(Slot::Src));
        let wg = vendor(b"WatchGuard", b"XTM");
        assert_eq!(slot(wg, b"action", std_keys), Some(Slot::Skip));
        assert!(std::ptr::eq(vendor(b"", b"Check Point"), vendor(b"Check Point", b"x")));
        assert!(std::ptr::eq(vendor(b"Acme", b"Gateway"), &GENERIC));
        assert!(matches!(
            vendor(b"Cisco", b"C390 Email Security Appliance").records,
            Records::Never(_)
        ));
        assert!(std::ptr::eq(vendor(b"Cisco", b"Firepower"), &GENERIC));
    }
}
