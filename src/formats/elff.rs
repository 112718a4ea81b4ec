//! The W3C Extended Log File Format vocabulary, shared by every format that
//! names its fields the W3C way: W3C files driven by `#Fields:` (IIS, Blue
//! Coat/Symantec ProxySG, Windows Firewall), ProxySG's header-less default
//! formats and its `key=value` syslog form, Symantec WSS JSON and Netskope
//! transaction logs.
//!
//! Reference: W3C Working Draft WD-logfile-960323
//! <https://www.w3.org/TR/WD-logfile.html>; Symantec ProxySG ELFF field
//! reference ("Access Log Formats", SGOS 6.7/7.x)
//! <https://techdocs.broadcom.com/us/en/symantec-security-software/web-and-network-security/edge-swg/7-3/reference/access-log-formats.html>.
//!
//! A field name maps to a [`Role`] once (per `#Fields:` header, or per key of
//! a key=value or JSON record); [`Elff`] collects the values of one record by
//! role and [`Elff::finish`] turns them into a [`Record`].
//!
//! Roles that mean different things in different products:
//! - `s-ip`/`s-port` are the web server in IIS logs but the proxy itself in
//!   ProxySG and WSS logs. A record that carries proxy-only fields (`s-action`,
//!   `sc-filter-result`, `r-ip`, `x-bluecoat-*`, ...) is a proxy record and its
//!   destination is `r-ip`/`s-supplier-ip` and the URL, never `s-ip`.
//! - Times: W3C `date`/`time` are UTC by definition; `date-local`/`time-local`
//!   and files headed `#Time Format: Local` (Windows Firewall) are in `--tz`.

use super::jsonwalk::Scalar;
use super::url::{split_host_port, split_url};
use super::{parse_ip, LineError, LineResult};
use crate::record::{account, Action, Proto, Record, Scheme};
use crate::time::{civil_seconds, digits, epoch_auto_ms, month_from_abbr, parse_epoch_frac, parse_iso8601, TimeCtx};
use std::borrow::Cow;

/// What a field means to seam.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Date,
    Time,
    LocalDate,
    LocalTime,
    /// A full ISO 8601 stamp.
    DateTime,
    /// Epoch seconds (or ms/µs/ns), possibly with a fraction.
    Epoch,
    ClientIp,
    /// The user's own (pre-NAT) address, preferred over `c-ip` (Netskope
    /// `x-cs-userip`).
    UserIp,
    ClientPort,
    ServerIp,
    ServerPort,
    RemoteIp,
    RemotePort,
    SupplierIp,
    Host,
    ConnectHost,
    ConnectPort,
    Sni,
    Scheme,
    UriPort,
    /// `cs-uri`: a path, or a whole URL with or without scheme.
    Uri,
    /// A whole URL (`c-url`, `x-cs-url`).
    FullUrl,
    Query,
    Method,
    Status,
    BytesIn,
    BytesOut,
    User,
    UserAgent,
    /// ProxySG `s-action` (`TCP_HIT`, `TCP_DENIED`, ...), WSS `s-action`.
    ProxyAction,
    /// ProxySG `sc-filter-result` (`OBSERVED`, `PROXIED`, `DENIED`).
    FilterResult,
    /// ProxySG `x-exception-id`: set when the proxy answered with an error page.
    Exception,
    /// Policy verdict words (`x-policy-action`, Incapsula `sc-action`).
    PolicyAction,
    Service,
    /// Windows Firewall `action` (`ALLOW`, `DROP`, `OPEN`, `CLOSE`, `INFO-EVENTS-LOST`).
    FwAction,
    Proto,
    SrcIp,
    DstIp,
    SrcPort,
    DstPort,
    TcpFlags,
    /// A field only proxies log; its value is not used.
    ProxyHint,
}

const ROLES: usize = Role::ProxyHint as usize + 1;

/// The role of an ELFF field name (case-insensitive; `cs(User-Agent)` and
/// `cs-user-agent` are the same field).
pub(crate) fn role_of(name: &[u8]) -> Option<Role> {
    let mut buf = [0u8; 48];
    let n = name.len().min(buf.len());
    for (d, s) in buf.iter_mut().zip(name.iter()) {
        *d = s.to_ascii_lowercase();
    }
    let lower = buf.get(..n).unwrap_or_default();
    use Role::*;
    let role = match lower {
        b"date" => Date,
        b"time" => Time,
        b"date-local" => LocalDate,
        b"time-local" => LocalTime,
        b"x-timestamp-unix" | b"x-cs-timestamp" => Epoch,
        b"c-ip" => ClientIp,
        b"x-cs-userip" => UserIp,
        b"c-port" => ClientPort,
        b"s-ip" => ServerIp,
        b"s-port" => ServerPort,
        b"r-ip" => RemoteIp,
        b"r-port" => RemotePort,
        b"s-supplier-ip" => SupplierIp,
        b"cs-host" | b"cs(host)" => Host,
        b"x-http-connect-host" | b"x-cs-connect-host" => ConnectHost,
        b"x-http-connect-port" | b"x-cs-connect-port" => ConnectPort,
        b"x-cs-sni" => Sni,
        b"cs-uri-scheme" => Scheme,
        b"cs-uri-port" => UriPort,
        b"cs-uri" => Uri,
        b"c-url" | b"x-cs-url" => FullUrl,
        b"cs-uri-query" => Query,
        b"cs-method" => Method,
        b"sc-status" => Status,
        b"sc-bytes" | b"bytes" => BytesIn,
        b"cs-bytes" => BytesOut,
        b"cs-username" | b"cs-userdn" | b"c-auth-id" | b"cs-user" => User,
        b"cs(user-agent)" | b"cs-user-agent" => UserAgent,
        b"s-action" => ProxyAction,
        b"sc-filter-result" => FilterResult,
        b"x-exception-id" => Exception,
        b"x-policy-action" | b"sc-action" => PolicyAction,
        b"x-bluecoat-application-name" | b"x-cs-app" => Service,
        b"action" => FwAction,
        b"protocol" => Proto,
        b"src-ip" => SrcIp,
        b"dst-ip" => DstIp,
        b"src-port" => SrcPort,
        b"dst-port" => DstPort,
        b"tcpflags" => TcpFlags,
        _ if [
            &b"x-bluecoat-"[..],
            b"rs(",
            b"rs-",
            b"x-rs-",
            b"sr-",
            b"x-sr-",
            b"s-supplier-",
            b"cs-categor",
            b"x-virus-",
        ]
        .iter()
        .any(|p| lower.starts_with(p)) =>
        {
            ProxyHint
        }
        _ => return None,
    };
    Some(role)
}

/// Roles whose presence marks a proxy log (see the module doc).
fn is_proxy_role(r: Role) -> bool {
    matches!(
        r,
        Role::ProxyAction | Role::FilterResult | Role::RemoteIp | Role::SupplierIp | Role::Exception | Role::UserIp | Role::ProxyHint
    )
}

/// What a file header says about its records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FileInfo {
    /// `#Time Format: Local`: `date`/`time` are local time (`--tz`).
    pub local: bool,
    /// The date of `#Date:`, for files whose lines carry only `time`.
    pub date: Option<(i64, u32, u32)>,
    /// The fields include proxy-only ones.
    pub proxy: bool,
}

/// The values of one record, by role.
pub(crate) struct Elff<'a> {
    vals: [Option<Scalar<'a>>; ROLES],
    proxy: bool,
}

impl<'a> Elff<'a> {
    pub fn new() -> Self {
        Elff {
            vals: std::array::from_fn(|_| None),
            proxy: false,
        }
    }

    /// Records `v` for `role` unless it is blank or the role already has a
    /// value (the first one wins).
    pub fn set(&mut self, role: Role, v: Scalar<'a>) {
        if is_proxy_role(role) {
            self.proxy = true;
        }
        if v.is_blank() {
            return;
        }
        if let Some(slot) = self.vals.get_mut(role as usize) {
            if slot.is_none() {
                *slot = Some(v);
            }
        }
    }

    fn get(&self, r: Role) -> Option<&Scalar<'a>> {
        self.vals.get(r as usize).and_then(Option::as_ref)
    }

    fn take(&mut self, r: Role) -> Option<Scalar<'a>> {
        self.vals.get_mut(r as usize).and_then(Option::take)
    }

    fn bytes(&self, r: Role) -> Option<&[u8]> {
        self.get(r).and_then(Scalar::bytes).map(<[u8]>::trim_ascii)
    }

    /// The record; `info` describes the file (defaults for key=value and JSON).
    pub fn finish(mut self, ctx: &TimeCtx, info: &FileInfo) -> LineResult<'a> {
        let time_ms = self.time(ctx, info).ok_or(LineError::Skipped("no usable date/time"))?;
        let mut rec = Record {
            time_ms,
            ..Record::default()
        };
        if let Some(fw) = self.bytes(Role::FwAction) {
            let is = |w: &[u8]| fw.eq_ignore_ascii_case(w);
            rec.action = if is(b"ALLOW") || is(b"OPEN") || is(b"OPEN-INBOUND") {
                Action::Allowed
            } else if is(b"DROP") || is(b"DROP-ICMP") || is(b"BLOCK") {
                Action::Denied
            } else if is(b"CLOSE") {
                return Err(LineError::Ignored("connection close (counted when it opened)"));
            } else {
                return Err(LineError::Ignored("firewall status entry"));
            };
            return self.firewall(rec);
        }
        rec.src_ip = self
            .get(Role::SrcIp)
            .and_then(Scalar::ip)
            .or_else(|| self.get(Role::UserIp).and_then(Scalar::ip))
            .or_else(|| self.get(Role::ClientIp).and_then(Scalar::ip));
        if rec.src_ip.is_none() {
            return Err(LineError::Skipped("no client address"));
        }
        rec.src_port = self.get(Role::ClientPort).and_then(Scalar::port);
        let proxy = self.proxy || info.proxy;
        rec.dst_ip = [Role::DstIp, Role::RemoteIp, Role::SupplierIp]
            .into_iter()
            .find_map(|r| self.get(r).and_then(Scalar::ip))
            .or_else(|| {
                if proxy {
                    None
                } else {
                    self.get(Role::ServerIp).and_then(Scalar::ip)
                }
            });
        rec.method = self.take(Role::Method).and_then(Scalar::text);
        rec.status = self.get(Role::Status).and_then(Scalar::u16);
        rec.bytes_out = self.get(Role::BytesOut).and_then(Scalar::u64);
        rec.bytes_in = self.get(Role::BytesIn).and_then(Scalar::u64);
        rec.proto = self.get(Role::Proto).and_then(Scalar::bytes).map_or(Proto::Tcp, Proto::parse);
        rec.scheme = self.bytes(Role::Scheme).map_or(Scheme::None, Scheme::parse);
        self.destination(&mut rec, proxy);
        rec.user = self.take(Role::User).and_then(Scalar::text).map(bare_account);
        rec.user_agent = self.take(Role::UserAgent).and_then(plus_spaces);
        rec.service = self.take(Role::Service).and_then(Scalar::text);
        rec.action = self.action(rec.status);
        Ok(rec)
    }

    /// Windows Firewall: `src-ip` is the sender of the logged packet, which
    /// is the initiator for ALLOW/OPEN entries and for dropped SYNs and UDP.
    /// A dropped TCP packet without SYN (`tcpflags` `A`, `FA`, `AP`, ...) is
    /// the reply half of a connection: the initiator is `dst-ip`, so the two
    /// ends are swapped.
    fn firewall(self, mut rec: Record<'a>) -> LineResult<'a> {
        rec.proto = self.get(Role::Proto).and_then(Scalar::bytes).map_or(Proto::Unknown, Proto::parse);
        let (mut s, mut sp) = (
            self.get(Role::SrcIp).and_then(Scalar::ip),
            self.get(Role::SrcPort).and_then(Scalar::u16),
        );
        let (mut d, mut dp) = (
            self.get(Role::DstIp).and_then(Scalar::ip),
            self.get(Role::DstPort).and_then(Scalar::u16),
        );
        let reply = rec.proto == Proto::Tcp
            && self
                .bytes(Role::TcpFlags)
                .is_some_and(|f| !f.is_empty() && !f.iter().any(|c| c.eq_ignore_ascii_case(&b'S')));
        if reply {
            std::mem::swap(&mut s, &mut d);
            std::mem::swap(&mut sp, &mut dp);
        }
        rec.src_ip = Some(s.ok_or(LineError::Skipped("no source address"))?);
        (rec.src_port, rec.dst_ip, rec.dst_port) = (sp, d, dp);
        Ok(rec)
    }

    fn time(&self, ctx: &TimeCtx, info: &FileInfo) -> Option<i64> {
        let zone_local = |local: i64, ms: i64, is_local: bool| {
            let utc = if is_local { ctx.zone.local_to_utc(local) } else { local };
            utc * 1000 + ms
        };
        let pair = |d: Option<(i64, u32, u32)>, t: Option<&[u8]>, is_local: bool| -> Option<i64> {
            let (y, mo, day) = d?;
            let (h, mi, s, ms) = hms(t?)?;
            Some(zone_local(civil_seconds(y, mo, day, h, mi, s)?, ms, is_local))
        };
        pair(self.bytes(Role::Date).and_then(ymd), self.bytes(Role::Time), info.local)
            .or_else(|| pair(self.bytes(Role::LocalDate).and_then(ymd), self.bytes(Role::LocalTime), true))
            .or_else(|| self.bytes(Role::DateTime).and_then(|b| parse_iso8601(b, &ctx.zone)))
            .or_else(|| match self.get(Role::Epoch)? {
                Scalar::U64(v) => Some(epoch_auto_ms(*v)),
                Scalar::F64(v) if v.is_finite() && *v > 0.0 => Some((*v * 1000.0) as i64),
                other => {
                    let b = other.bytes()?.trim_ascii();
                    if b.len() > 11 && !b.contains(&b'.') {
                        Some(epoch_auto_ms(crate::time::parse_u64(b)?))
                    } else {
                        parse_epoch_frac(b)
                    }
                }
            })
            .or_else(|| pair(info.date, self.bytes(Role::Time).or(self.bytes(Role::LocalTime)), info.local))
    }

    /// Destination host, address and port, and the URL fields.
    fn destination(&mut self, rec: &mut Record<'a>, proxy: bool) {
        let connect = rec.method.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("CONNECT"));
        let mut url_port = None;
        // A whole URL: c-url / x-cs-url, or cs-uri when it names a host.
        let url = self.take(Role::FullUrl).or_else(|| {
            let u = self.take(Role::Uri)?;
            let b = u.bytes().unwrap_or_default();
            (b.first() != Some(&b'/') && b != b"*").then_some(u)
        });
        let mut url_host: Option<Cow<'a, str>> = None;
        if let Some(u) = url.and_then(Scalar::text) {
            let p = split_url(u.as_bytes());
            url_port = p.port;
            if rec.scheme == Scheme::None {
                rec.scheme = p.scheme;
            }
            rec.url_query |= p.query;
            if !p.host.is_empty() {
                url_host = Some(sub_cow(&u, p.host));
            }
            rec.url = Some(u);
        }
        if let Some(q) = self.take(Role::Query).and_then(Scalar::text) {
            let q_body = q.strip_prefix('?').unwrap_or(&q);
            if !q_body.is_empty() {
                rec.url_query = true;
                if rec.url.is_none() {
                    // Only the query can hold a credential; keep it where
                    // the credential scan looks (after a `?`).
                    rec.url = Some(if q.starts_with('?') { q } else { Cow::Owned(format!("?{q}")) });
                }
            }
        }
        let use_connect = connect || self.get(Role::Host).is_none();
        let host = [Role::ConnectHost, Role::Host]
            .into_iter()
            .filter(|&r| r != Role::ConnectHost || use_connect)
            .find_map(|r| self.take(r).and_then(Scalar::text))
            .or(url_host)
            .or_else(|| self.take(Role::Sni).and_then(Scalar::text));
        let mut host_port = None;
        if let Some(h) = host {
            let (name, port) = split_host_port(h.as_bytes());
            host_port = port;
            match parse_ip(name) {
                Some(ip) => {
                    rec.dst_ip.get_or_insert(ip);
                }
                None if !name.is_empty() => rec.dst_host = Some(sub_cow(&h, name)),
                None => {}
            }
        }
        let server_port = if proxy {
            None
        } else {
            self.get(Role::ServerPort).and_then(Scalar::port)
        };
        rec.dst_port = self
            .get(Role::DstPort)
            .and_then(Scalar::port)
            .or_else(|| {
                if connect {
                    self.get(Role::ConnectPort).and_then(Scalar::port)
                } else {
                    None
                }
            })
            .or_else(|| self.get(Role::UriPort).and_then(Scalar::port))
            .or(host_port)
            .or(url_port)
            .or_else(|| self.get(Role::RemotePort).and_then(Scalar::port))
            .or(server_port)
            .or_else(|| rec.scheme.default_port());
    }

    /// The proxy's verdict, from the most specific field present.
    fn action(&self, status: Option<u16>) -> Action {
        if let Some(f) = self.bytes(Role::FilterResult) {
            if f.eq_ignore_ascii_case(b"DENIED") {
                return Action::Denied;
            }
            if f.eq_ignore_ascii_case(b"OBSERVED") || f.eq_ignore_ascii_case(b"PROXIED") {
                return Action::Allowed;
            }
        }
        for r in [Role::PolicyAction, Role::ProxyAction] {
            if let Some(a) = self.bytes(r) {
                let has = |w: &[u8]| contains_ci(a, w);
                if has(b"denied") || has(b"block") {
                    return Action::Denied;
                }
                match Action::from_word(a) {
                    Action::Unknown => {}
                    known => return known,
                }
                if has(b"allow") || has(b"pass") || has(b"tcp_") || has(b"udp_") {
                    return Action::Allowed;
                }
            }
        }
        if self.get(Role::Exception).is_some() || matches!(status, Some(403) | Some(407)) {
            return Action::Denied;
        }
        Action::Allowed
    }
}

/// True when `hay` contains `needle`, ignoring ASCII case.
pub(crate) fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

/// `DOMAIN\user` → `user`, borrowing when possible.
pub(crate) fn bare_account(u: Cow<'_, str>) -> Cow<'_, str> {
    match u {
        Cow::Borrowed(b) => Cow::Borrowed(account(b)),
        Cow::Owned(o) => Cow::Owned(account(&o).to_string()),
    }
}

/// IIS writes user agents with `+` for spaces (`Mozilla/5.0+(compatible;...)`);
/// a raw, unquoted agent without spaces gets them back.
fn plus_spaces(v: Scalar<'_>) -> Option<Cow<'_, str>> {
    let raw_plus = matches!(&v, Scalar::Raw(b) if b.contains(&b'+') && !b.contains(&b' '));
    let t = v.text()?;
    Some(if raw_plus { Cow::Owned(t.replace('+', " ")) } else { t })
}

/// The part of `whole` that `part` (a sub-slice of its bytes) covers,
/// borrowing when `whole` is borrowed.
pub(crate) fn sub_cow<'a>(whole: &Cow<'a, str>, part: &[u8]) -> Cow<'a, str> {
    let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    match whole {
        Cow::Borrowed(w) => match w.get(start..start.saturating_add(part.len())) {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(crate::record::text(part).into_owned()),
        },
        Cow::Owned(_) => Cow::Owned(crate::record::text(part).into_owned()),
    }
}

/// `YYYY-MM-DD` (or `/`), or `DD/Mon/YYYY`.
pub(crate) fn ymd(b: &[u8]) -> Option<(i64, u32, u32)> {
    if let Some(y) = digits(b, 4) {
        if !matches!(b.get(4), Some(b'-' | b'/')) || b.get(7) != b.get(4) {
            return None;
        }
        return Some((i64::from(y), digits(b.get(5..)?, 2)?, digits(b.get(8..)?, 2)?));
    }
    let d = digits(b, 2)?;
    let mo = month_from_abbr(b.get(3..)?)?;
    if b.get(2) != Some(&b'/') || b.get(6) != Some(&b'/') {
        return None;
    }
    Some((i64::from(digits(b.get(7..)?, 4)?), mo, d))
}

/// `HH:MM:SS` with an optional `.fff` fraction: (h, m, s, ms).
pub(crate) fn hms(b: &[u8]) -> Option<(u32, u32, u32, i64)> {
    let h = digits(b, 2)?;
    let mi = digits(b.get(3..)?, 2)?;
    let s = digits(b.get(6..)?, 2)?;
    if b.get(2) != Some(&b':') || b.get(5) != Some(&b':') {
        return None;
    }
    let ms = match b.get(8) {
        None => 0,
        Some(b'.') => {
            let frac = b.get(9..)?;
            let mut ms = 0i64;
            let mut scale = 100;
            for &c in frac {
                if !c.is_ascii_digit() {
                    return None;
                }
                ms += i64::from(c - b'0') * scale;
                scale /= 10;
            }
            ms
        }
        _ => return None,
    };
    Some((h, mi, s, ms))
}

/// How the values of a W3C-style line are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delim {
    /// Runs of spaces or tabs (W3C, ProxySG, Netskope `.log`); `-` marks an empty value.
    Space,
    /// Exactly one of this byte between values (CSV exports); empty values allowed.
    Char(u8),
}

/// The values of a W3C-style line. `"quoted values"` may hold the
/// delimiter; `""` inside quotes is a literal quote.
pub(crate) struct Columns<'a> {
    rest: &'a [u8],
    delim: Delim,
    done: bool,
}

impl<'a> Columns<'a> {
    pub fn new(line: &'a [u8], delim: Delim) -> Self {
        Columns {
            rest: line,
            delim,
            done: false,
        }
    }
}

impl<'a> Iterator for Columns<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.done {
            return None;
        }
        let delim = self.delim;
        let is_sep = move |c: u8| match delim {
            Delim::Space => c == b' ' || c == b'\t',
            Delim::Char(d) => c == d,
        };
        let mut s = self.rest;
        if delim == Delim::Space {
            s = s.get(s.iter().position(|&c| !is_sep(c)).unwrap_or(s.len())..).unwrap_or_default();
            if s.is_empty() {
                self.done = true;
                return None;
            }
        }
        let (value, after) = match s.strip_prefix(b"\"") {
            Some(body) => {
                let end = closing_quote(body);
                let after = body.get(end + 1..).unwrap_or_default();
                // Bytes glued to the closing quote are dropped.
                let skip = after.iter().position(|&c| is_sep(c)).unwrap_or(after.len());
                (body.get(..end).unwrap_or(body), after.get(skip..).unwrap_or_default())
            }
            None => {
                let end = s.iter().position(|&c| is_sep(c)).unwrap_or(s.len());
                (s.get(..end).unwrap_or_default(), s.get(end..).unwrap_or_default())
            }
        };
        // `after` is empty (last value) or starts with a separator.
        match after.get(1..) {
            Some(rest) => self.rest = rest,
            None => self.done = true,
        }
        Some(value)
    }
}

/// Index of the closing quote of a CSV-style quoted value (`""` escapes a quote).
fn closing_quote(body: &[u8]) -> usize {
    let mut i = 0;
    while let Some(off) = body.get(i..).and_then(|b| memchr::memchr(b'"', b)) {
        let at = i + off;
        if body.get(at + 1) == Some(&b'"') {
            i = at + 2;
        } else {
            return at;
        }
    }
    body.len()
}

/// The column layout of a W3C-style file, mapped to roles once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Schema {
    cols: Vec<Option<Role>>,
    pub info: FileInfo,
}

impl Schema {
    /// A schema from field names, with `map` giving each name's role.
    pub fn new<'n>(names: impl IntoIterator<Item = &'n [u8]>, map: fn(&[u8]) -> Option<Role>, info: FileInfo) -> Schema {
        let cols: Vec<Option<Role>> = names.into_iter().map(map).collect();
        let proxy = info.proxy || cols.iter().flatten().any(|&r| is_proxy_role(r));
        Schema {
            cols,
            info: FileInfo { proxy, ..info },
        }
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.cols.len()
    }

    /// True when both schemas map the same columns to the same roles.
    pub fn same_columns(&self, other: &Schema) -> bool {
        self.cols == other.cols
    }

    /// Parses one data line.
    pub fn parse<'a>(&self, line: &'a [u8], delim: Delim, ctx: &TimeCtx) -> LineResult<'a> {
        let mut e = Elff::new();
        for (role, v) in self.cols.iter().zip(Columns::new(line, delim)) {
            if let Some(r) = role {
                e.set(*r, Scalar::Raw(v));
            }
        }
        e.finish(ctx, &self.info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(l: &str, d: Delim) -> Vec<String> {
        Columns::new(l.as_bytes(), d).map(|c| crate::record::text(c).into_owned()).collect()
    }

    #[test]
    fn space_columns_with_quotes_and_runs_of_spaces() {
        assert_eq!(
            cols(r#"a  "b c"   - "x ""y"" z" last "#, Delim::Space),
            ["a", "b c", "-", r#"x ""y"" z"#, "last"]
        );
        assert_eq!(cols("", Delim::Space), Vec::<String>::new());
    }

    #[test]
    fn csv_columns_keep_empty_values() {
        assert_eq!(cols(r#"a,,"b, c",d,"#, Delim::Char(b',')), ["a", "", "b, c", "d", ""]);
        assert_eq!(cols(r#""unterminated"#, Delim::Char(b',')), ["unterminated"]);
    }

    #[test]
    fn field_names_are_case_insensitive_and_both_spellings_match() {
        assert_eq!(role_of(b"cs(User-Agent)"), Some(Role::UserAgent));
        assert_eq!(role_of(b"cs-User-Agent"), Some(Role::UserAgent));
        assert_eq!(role_of(b"X-BLUECOAT-REFERENCE-ID"), Some(Role::ProxyHint));
        assert_eq!(role_of(b"sc-win32-status"), None);
        assert_eq!(role_of(&[b'x'; 200]), None);
    }

    #[test]
    fn dates_and_fractions() {
        assert_eq!(ymd(b"2015-01-13"), Some((2015, 1, 13)));
        assert_eq!(ymd(b"28/Jun/2017"), Some((2017, 6, 28)));
        assert_eq!(ymd(b"2015-01/13"), None);
        assert_eq!(hms(b"17:00:00.363"), Some((17, 0, 0, 363)));
        assert_eq!(hms(b"17:00:00x"), None);
    }

    #[test]
    fn iis_server_side_record() {
        let names = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-bytes cs-bytes";
        let s = Schema::new(names.split(' ').map(str::as_bytes), role_of, FileInfo::default());
        let r = s
            .parse(
                b"2026-03-01 10:00:01 192.0.2.10 GET /api/v1 token=abc 443 EXAMPLE\\svc 198.51.100.7 curl/8.0+(x) 200 512 128",
                Delim::Space,
                &TimeCtx::default(),
            )
            .unwrap();
        assert_eq!(crate::time::rfc3339(r.time_ms), "2026-03-01T10:00:01Z");
        assert_eq!(r.src_ip, "198.51.100.7".parse().ok());
        assert_eq!((r.dst_ip, r.dst_port), ("192.0.2.10".parse().ok(), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(128), Some(512)));
        assert_eq!(r.user.as_deref(), Some("svc"));
        assert_eq!(r.user_agent.as_deref(), Some("curl/8.0 (x)"));
        assert_eq!(r.url.as_deref(), Some("?token=abc"));
        assert!(r.url_query);
    }
}
