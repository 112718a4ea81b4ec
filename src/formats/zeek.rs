//! Zeek (formerly Bro) network monitor logs in the default tab-separated
//! ASCII format, Zeek 2.x to 7.x: `conn.log`, `http.log` and `ssl.log`.
//!
//! Reference: <https://docs.zeek.org/en/master/log-formats.html> and the
//! field lists of <https://docs.zeek.org/en/master/logs/conn.html>,
//! <https://docs.zeek.org/en/master/logs/http.html>,
//! <https://docs.zeek.org/en/master/logs/ssl.html>.
//!
//! The header at the top of each log drives the parser ([`Format::bind_header`]):
//! `#separator \x09`, `#unset_field -`, `#empty_field (empty)`,
//! `#path conn|http|ssl` and `#fields ts uid id.orig_h ...` name the
//! columns. Header, `#open`/`#close` and other `#` lines are ignored. Logs of
//! other kinds (`dns`, `files`, `x509`, ...) are recognised and ignored.
//!
//! - conn: `id.orig_h` is the source, `orig_bytes` its `bytes_out` and
//!   `resp_bytes` its `bytes_in`; `service` is the service. A TCP
//!   connection in state `REJ` (answered with a reset) or `S0` (no answer
//!   to the SYN) counts as denied: it did not get through. Every other
//!   state is allowed (Zeek observes, it does not block).
//! - http: `host` is the destination host, `uri` the URL,
//!   `request_body_len`/`response_body_len` the bytes, plus method,
//!   `user_agent`, `status_code` and `username`.
//! - ssl: `server_name` (the SNI) is the destination host.
//!
//! The conn, http and ssl logs describe the same connections: scan conn.log
//! alone, or http.log and ssl.log, not all three, or a connection counts
//! once per log (as an IP channel and as a host channel).
//!
//! Values escape non-printable bytes and the separator as `\xNN`; they are
//! decoded (allocating only for such values). Times are epoch seconds with
//! microseconds.
//!
//! Several logs in one file (concatenated logs, each with its header): the
//! parser is bound once from the file's first bytes and is shared by all
//! chunks, so it knows every `#fields` header within those first bytes and
//! gives each line the header whose column count it matches. A header
//! further into the file that adds a new column layout is not seen; its
//! lines are skipped ("no #fields header matches").

use super::url::{split_host_port, split_url};
use super::{parse_ip, Field, Format, LineError, LineParser, LineResult};
use crate::record::{account, Action, Proto, Record, Scheme};
use crate::time::{parse_epoch_frac, parse_u16, parse_u64, TimeCtx};
use std::borrow::Cow;

pub struct Zeek;

/// What a log holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Conn,
    Http,
    Ssl,
    /// A log without connection records of its own (dns, files, x509, ...).
    Other,
}

/// The columns seam reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Ts,
    OrigH,
    OrigP,
    RespH,
    RespP,
    Proto,
    Service,
    OrigBytes,
    RespBytes,
    ConnState,
    Method,
    Host,
    Uri,
    UserAgent,
    Status,
    ReqLen,
    RespLen,
    Username,
    ServerName,
    Other,
}

fn col_of(name: &[u8]) -> Col {
    match name {
        b"ts" => Col::Ts,
        b"id.orig_h" => Col::OrigH,
        b"id.orig_p" => Col::OrigP,
        b"id.resp_h" => Col::RespH,
        b"id.resp_p" => Col::RespP,
        b"proto" => Col::Proto,
        b"service" => Col::Service,
        b"orig_bytes" => Col::OrigBytes,
        b"resp_bytes" => Col::RespBytes,
        b"conn_state" => Col::ConnState,
        b"method" => Col::Method,
        b"host" => Col::Host,
        b"uri" => Col::Uri,
        b"user_agent" => Col::UserAgent,
        b"status_code" => Col::Status,
        b"request_body_len" => Col::ReqLen,
        b"response_body_len" => Col::RespLen,
        b"username" => Col::Username,
        b"server_name" => Col::ServerName,
        _ => Col::Other,
    }
}

/// One `#fields` header: the kind of log and what each column holds.
#[derive(Debug, Clone, PartialEq)]
struct Schema {
    kind: Kind,
    cols: Vec<Col>,
}

/// A parser bound to the headers of one file.
#[derive(Debug, Clone, PartialEq)]
struct Bound {
    sep: u8,
    unset: Vec<u8>,
    empty: Vec<u8>,
    schemas: Vec<Schema>,
}

/// Decodes `\xNN` escapes in a header value (`#separator \x09`).
fn header_value(v: &[u8]) -> Vec<u8> {
    match unescape(v) {
        Cow::Borrowed(b) => b.to_vec(),
        Cow::Owned(o) => o,
    }
}

/// Decodes Zeek's `\xNN` escapes, borrowing when there are none.
fn unescape(v: &[u8]) -> Cow<'_, [u8]> {
    if crate::formats::find(v, b"\\x").is_none() {
        return Cow::Borrowed(v);
    }
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while let Some(&c) = v.get(i) {
        let hex = (c == b'\\' && v.get(i + 1) == Some(&b'x'))
            .then(|| v.get(i + 2..i + 4))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 4;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// Reads the `#` header lines of `head`; `None` when there is no `#fields` line.
fn read_headers(head: &[u8]) -> Option<Bound> {
    let mut b = Bound {
        sep: b'\t',
        unset: b"-".to_vec(),
        empty: b"(empty)".to_vec(),
        schemas: Vec::new(),
    };
    let mut path: Option<Vec<u8>> = None;
    let mut first_separator = true;
    for line in head.split(|&c| c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(directive) = line.strip_prefix(b"#") else { continue };
        if let Some(v) = directive.strip_prefix(b"separator ") {
            // A later log in the file keeps the separator of the first.
            if first_separator {
                if let [c] = header_value(v.trim_ascii()).as_slice() {
                    b.sep = *c;
                }
                first_separator = false;
            }
            continue;
        }
        let mut parts = directive.split(|&c| c == b.sep);
        let key = parts.next().unwrap_or_default();
        let value = parts.next().unwrap_or_default();
        match key {
            b"unset_field" => b.unset = header_value(value),
            b"empty_field" => b.empty = header_value(value),
            b"path" => path = Some(value.to_vec()),
            b"fields" => {
                let cols: Vec<Col> = directive.split(|&c| c == b.sep).skip(1).map(col_of).collect();
                let kind = kind_of(path.as_deref(), &cols);
                let schema = Schema { kind, cols };
                if !b.schemas.contains(&schema) {
                    b.schemas.push(schema);
                }
            }
            _ => {}
        }
    }
    (!b.schemas.is_empty()).then_some(b)
}

/// The kind of log, from `#path`, else from the columns it has.
fn kind_of(path: Option<&[u8]>, cols: &[Col]) -> Kind {
    match path {
        Some(b"conn") => Kind::Conn,
        Some(b"http") => Kind::Http,
        Some(b"ssl") => Kind::Ssl,
        Some(_) => Kind::Other,
        None if cols.contains(&Col::ConnState) => Kind::Conn,
        None if cols.contains(&Col::Method) && cols.contains(&Col::Uri) => Kind::Http,
        None if cols.contains(&Col::ServerName) => Kind::Ssl,
        None => Kind::Other,
    }
}

/// The raw values of the columns seam reads.
#[derive(Default)]
struct Raw<'a> {
    ts: &'a [u8],
    orig_h: &'a [u8],
    orig_p: &'a [u8],
    resp_h: &'a [u8],
    resp_p: &'a [u8],
    proto: &'a [u8],
    service: &'a [u8],
    orig_bytes: &'a [u8],
    resp_bytes: &'a [u8],
    conn_state: &'a [u8],
    method: &'a [u8],
    host: &'a [u8],
    uri: &'a [u8],
    user_agent: &'a [u8],
    status: &'a [u8],
    req_len: &'a [u8],
    resp_len: &'a [u8],
    username: &'a [u8],
    server_name: &'a [u8],
}

impl Bound {
    /// The schema for a line with `n` columns.
    fn schema(&self, line: &[u8]) -> Option<&Schema> {
        match self.schemas.as_slice() {
            [only] => Some(only),
            many => {
                let n = memchr::memchr_iter(self.sep, line).count() + 1;
                many.iter().find(|s| s.cols.len() == n)
            }
        }
    }

    /// `None` for the unset and empty markers and for empty values.
    fn value<'a>(&self, v: &'a [u8]) -> Option<&'a [u8]> {
        (!v.is_empty() && v != self.unset.as_slice() && v != self.empty.as_slice()).then_some(v)
    }

    fn text<'a>(&self, v: &'a [u8]) -> Option<Cow<'a, str>> {
        self.value(v).map(|v| match unescape(v) {
            Cow::Borrowed(b) => crate::record::text(b),
            Cow::Owned(o) => Cow::Owned(crate::record::text(&o).into_owned()),
        })
    }
}

/// Sets `dst_host` from a host name (`Host` header, SNI) that may carry a
/// port or a trailing dot; an IP literal is left to `id.resp_h`.
fn set_name<'a>(rec: &mut Record<'a>, name: Cow<'a, str>) {
    let (host, _port) = split_host_port(name.as_bytes());
    if host.is_empty() || parse_ip(host).is_some() {
        return;
    }
    if host.len() == name.len() {
        rec.dst_host = Some(name);
    } else {
        rec.dst_host = Some(Cow::Owned(crate::record::text(host).into_owned()));
    }
}

impl LineParser for Bound {
    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        if line.first() == Some(&b'#') {
            return Err(LineError::Ignored("header or comment line"));
        }
        let schema = self.schema(line).ok_or(LineError::Skipped("no #fields header matches"))?;
        if schema.kind == Kind::Other {
            return Err(LineError::Ignored("zeek log without connection records"));
        }
        let mut raw = Raw::default();
        for (v, col) in line.split(|&c| c == self.sep).zip(schema.cols.iter()) {
            let slot = match col {
                Col::Ts => &mut raw.ts,
                Col::OrigH => &mut raw.orig_h,
                Col::OrigP => &mut raw.orig_p,
                Col::RespH => &mut raw.resp_h,
                Col::RespP => &mut raw.resp_p,
                Col::Proto => &mut raw.proto,
                Col::Service => &mut raw.service,
                Col::OrigBytes => &mut raw.orig_bytes,
                Col::RespBytes => &mut raw.resp_bytes,
                Col::ConnState => &mut raw.conn_state,
                Col::Method => &mut raw.method,
                Col::Host => &mut raw.host,
                Col::Uri => &mut raw.uri,
                Col::UserAgent => &mut raw.user_agent,
                Col::Status => &mut raw.status,
                Col::ReqLen => &mut raw.req_len,
                Col::RespLen => &mut raw.resp_len,
                Col::Username => &mut raw.username,
                Col::ServerName => &mut raw.server_name,
                Col::Other => continue,
            };
            *slot = v;
        }
        let time_ms = parse_epoch_frac(raw.ts).ok_or(LineError::Skipped("bad timestamp"))?;
        let src_ip = parse_ip(raw.orig_h).ok_or(LineError::Skipped("bad id.orig_h"))?;
        let mut rec = Record {
            time_ms,
            src_ip: Some(src_ip),
            src_port: parse_u16(raw.orig_p),
            dst_ip: parse_ip(raw.resp_h),
            dst_port: parse_u16(raw.resp_p),
            action: Action::Allowed,
            ..Record::default()
        };
        match schema.kind {
            Kind::Conn => apply_conn(
                &mut rec,
                Proto::parse(raw.proto),
                self.text(raw.service),
                parse_u64(raw.orig_bytes),
                parse_u64(raw.resp_bytes),
                raw.conn_state,
            ),
            Kind::Http => apply_http(
                &mut rec,
                Http {
                    method: self.text(raw.method),
                    host: self.text(raw.host),
                    uri: self.text(raw.uri),
                    user_agent: self.text(raw.user_agent),
                    username: self.text(raw.username),
                    status: parse_u16(raw.status),
                    request_body_len: parse_u64(raw.req_len),
                    response_body_len: parse_u64(raw.resp_len),
                },
            ),
            Kind::Ssl => apply_ssl(&mut rec, self.text(raw.server_name)),
            Kind::Other => {}
        }
        Ok(rec)
    }
}

/// conn.log semantics (shared with Zeek JSON): see the module doc.
pub(super) fn apply_conn<'a>(
    rec: &mut Record<'a>,
    proto: Proto,
    service: Option<Cow<'a, str>>,
    orig_bytes: Option<u64>,
    resp_bytes: Option<u64>,
    conn_state: &[u8],
) {
    rec.proto = proto;
    rec.service = service;
    rec.bytes_out = orig_bytes;
    rec.bytes_in = resp_bytes;
    rec.action = if proto == Proto::Tcp && matches!(conn_state, b"REJ" | b"S0") {
        Action::Denied
    } else {
        Action::Allowed
    };
}

/// The http.log fields seam reads.
pub(super) struct Http<'a> {
    pub method: Option<Cow<'a, str>>,
    pub host: Option<Cow<'a, str>>,
    pub uri: Option<Cow<'a, str>>,
    pub user_agent: Option<Cow<'a, str>>,
    pub username: Option<Cow<'a, str>>,
    pub status: Option<u16>,
    pub request_body_len: Option<u64>,
    pub response_body_len: Option<u64>,
}

/// http.log semantics (shared with Zeek JSON): the `Host` header names the
/// destination, else the host of an absolute URI or a CONNECT target.
pub(super) fn apply_http<'a>(rec: &mut Record<'a>, h: Http<'a>) {
    rec.proto = Proto::Tcp;
    rec.action = Action::Allowed;
    rec.user_agent = h.user_agent;
    rec.status = h.status;
    rec.bytes_out = h.request_body_len;
    rec.bytes_in = h.response_body_len;
    rec.user = h.username.map(|u| match u {
        Cow::Borrowed(b) => Cow::Borrowed(account(b)),
        Cow::Owned(o) => Cow::Owned(account(&o).to_string()),
    });
    let connect = h.method.as_deref() == Some("CONNECT");
    rec.method = h.method;
    rec.scheme = if connect { Scheme::None } else { Scheme::Http };
    if let Some(host) = h.host {
        set_name(rec, host);
    }
    if let Some(uri) = h.uri {
        let parts = split_url(uri.as_bytes());
        rec.url_query = parts.query;
        if rec.dst_host.is_none() && (connect || uri.contains("://")) {
            let (host, _) = if connect {
                split_host_port(uri.as_bytes())
            } else {
                (parts.host, None)
            };
            if !host.is_empty() && parse_ip(host).is_none() {
                rec.dst_host = Some(Cow::Owned(crate::record::text(host).into_owned()));
            }
        }
        if !connect {
            rec.url = Some(uri);
        }
    }
}

/// ssl.log semantics (shared with Zeek JSON): the SNI names the destination.
pub(super) fn apply_ssl<'a>(rec: &mut Record<'a>, server_name: Option<Cow<'a, str>>) {
    rec.proto = Proto::Tcp;
    rec.action = Action::Allowed;
    if let Some(sni) = server_name {
        set_name(rec, sni);
    }
}

/// Decodes `\xNN` escapes in text Zeek wrote (its JSON writer keeps them
/// inside JSON strings), borrowing when there are none.
pub(super) fn decode(t: Cow<'_, str>) -> Cow<'_, str> {
    if !t.contains("\\x") {
        return t;
    }
    match unescape(t.as_bytes()) {
        Cow::Borrowed(_) => t,
        Cow::Owned(o) => Cow::Owned(crate::record::text(&o).into_owned()),
    }
}

/// A data line of a Zeek log: epoch time with a fraction, then a
/// connection uid (`C...`), tab-separated.
fn looks_like_data(line: &[u8]) -> bool {
    let mut f = line.split(|&c| c == b'\t');
    let (Some(ts), Some(uid)) = (f.next(), f.next()) else {
        return false;
    };
    memchr::memchr(b'.', ts).is_some()
        && parse_epoch_frac(ts).is_some()
        && uid.len() >= 10
        && uid.first() == Some(&b'C')
        && uid.iter().all(u8::is_ascii_alphanumeric)
}

impl Format for Zeek {
    fn name(&self) -> &'static str {
        "zeek"
    }

    fn title(&self) -> &'static str {
        "Zeek conn, http and ssl logs (tab-separated, header-driven)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        const HEADERS: &[&[u8]] = &[
            b"#separator ",
            b"#set_separator",
            b"#empty_field",
            b"#unset_field",
            b"#path\t",
            b"#open\t",
            b"#close\t",
            b"#fields\t",
            b"#types\t",
        ];
        HEADERS.iter().any(|h| line.starts_with(h)) || looks_like_data(line)
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        // Without its file's header a line cannot be read; the leading
        // columns of the default conn.log layout are the best guess.
        DEFAULT_CONN.parse(line, ctx)
    }

    fn bind_header(&self, head: &[u8]) -> Option<Result<Box<dyn LineParser>, String>> {
        Some(match read_headers(head) {
            Some(b) => Ok(Box::new(b)),
            None => Err("no #fields header line in the first lines (Zeek TSV logs are read through their header)".into()),
        })
    }
}

/// The conn.log layout Zeek writes by default, for [`Format::parse`]
/// without a bound header.
static DEFAULT_CONN: std::sync::LazyLock<Bound> = std::sync::LazyLock::new(|| Bound {
    sep: b'\t',
    unset: b"-".to_vec(),
    empty: b"(empty)".to_vec(),
    schemas: vec![Schema {
        kind: Kind::Conn,
        cols: b"ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state"
            .split(|&c| c == b' ')
            .map(col_of)
            .collect(),
    }],
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::bind;

    const CONN: &str = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t2026-01-01-00-00-00\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n\
1767225600.123456\tCk1Vvz3mEGJ1nVbM5e\t10.0.0.5\t49152\t203.0.113.10\t443\ttcp\tssl\t0.512000\t1200\t5400\tSF\tT\tF\t0\tShADadFf\t10\t1720\t9\t5880\t(empty)\n\
1767225601.000000\tCa2Wwz3mEGJ1nVbM5f\t10.0.0.5\t49153\t198.51.100.9\t22\ttcp\t-\t3.000000\t0\t0\tS0\tT\tF\t0\tS\t3\t180\t0\t0\t(empty)\n\
1767225602.000000\tCa3Wwz3mEGJ1nVbM5g\t10.0.0.5\t514\t192.0.2.50\t514\tudp\t-\t-\t-\t-\tS0\tT\tF\t0\tD\t1\t120\t0\t0\t(empty)\n\
#close\t2026-01-01-01-00-00\n";

    fn lines(file: &str) -> Vec<LineResult<'_>> {
        let p = bind(&Zeek, file.as_bytes()).unwrap();
        let ctx = TimeCtx::default();
        file.lines().map(|l| p.parse(l.as_bytes(), &ctx)).collect()
    }

    #[test]
    fn conn_log_through_its_header() {
        let v = lines(CONN);
        assert_eq!(v.iter().filter(|r| r.is_err()).count(), 9, "8 header lines and #close");
        let r = v[8].as_ref().unwrap();
        assert_eq!(r.time_ms, 1_767_225_600_123);
        assert_eq!((r.src_ip, r.src_port), ("10.0.0.5".parse().ok(), Some(49152)));
        assert_eq!((r.dst_ip, r.dst_port), ("203.0.113.10".parse().ok(), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1200), Some(5400)));
        assert_eq!(
            (r.proto, r.action, r.service.as_deref()),
            (Proto::Tcp, Action::Allowed, Some("ssl"))
        );
        assert_eq!(v[0], Err(LineError::Ignored("header or comment line")));
    }

    #[test]
    fn tcp_s0_is_denied_but_udp_s0_is_not() {
        let v = lines(CONN);
        let tcp = v[9].as_ref().unwrap();
        assert_eq!((tcp.action, tcp.service.as_deref()), (Action::Denied, None));
        let udp = v[10].as_ref().unwrap();
        assert_eq!((udp.action, udp.bytes_out), (Action::Allowed, None));
    }

    #[test]
    fn http_log_fields_and_escapes() {
        let file = "#separator \\x09\n#unset_field\t-\n#empty_field\t(empty)\n#path\thttp\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\treferrer\tversion\tuser_agent\trequest_body_len\tresponse_body_len\tstatus_code\tstatus_msg\tusername\n\
1767225600.500000\tCx1\t10.0.0.7\t50000\t203.0.113.20\t80\t1\tPOST\tapi.example.com:8080\t/v1/push?key=abc\t-\t1.1\tsync-agent/2.0\\x09beta\t512\t20\t200\tOK\tsvc_sync\n\
1767225601.500000\tCx2\t10.0.0.7\t50001\t203.0.113.21\t3128\t1\tCONNECT\t-\tfiles.example.com:443\t-\t1.1\t-\t0\t0\t200\tOK\t-\n";
        let v = lines(file);
        let r = v[5].as_ref().unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!((r.dst_ip, r.dst_port), ("203.0.113.20".parse().ok(), Some(80)));
        assert_eq!(r.user_agent.as_deref(), Some("sync-agent/2.0\tbeta"));
        assert_eq!(
            (r.method.as_deref(), r.status, r.user.as_deref()),
            (Some("POST"), Some(200), Some("svc_sync"))
        );
        assert_eq!(
            (r.bytes_out, r.bytes_in, r.url_query, r.scheme),
            (Some(512), Some(20), true, Scheme::Http)
        );
        let c = v[6].as_ref().unwrap();
        assert_eq!(
            (c.dst_host.as_deref(), c.url.as_deref(), c.user_agent.as_deref()),
            (Some("files.example.com"), None, None)
        );
    }

    #[test]
    fn ssl_log_sni_is_the_host() {
        let file = "#separator \\x09\n#path\tssl\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tserver_name\testablished\n\
1767225600.000001\tCs1\t10.0.0.8\t40000\t198.51.100.30\t443\tTLSv13\tTLS_AES_128_GCM_SHA256\tmq.example.com.\tT\n\
1767225600.000002\tCs2\t10.0.0.8\t40001\t198.51.100.30\t443\tTLSv13\tTLS_AES_128_GCM_SHA256\t-\tT\n";
        let v = lines(file);
        assert_eq!(v[3].as_ref().unwrap().dst_host.as_deref(), Some("mq.example.com"));
        assert_eq!(v[4].as_ref().unwrap().dst_host, None);
    }

    #[test]
    fn other_logs_are_ignored_and_masked_times_skipped() {
        let dns = "#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\n1767225600.0\tCd1\t10.0.0.1\t5353\t192.0.2.53\t53\tudp\texample.com\n";
        assert_eq!(lines(dns)[3], Err(LineError::Ignored("zeek log without connection records")));
        let masked = CONN.replace("1767225600.123456", "XXXXXXXXXX.XXXXXX");
        assert_eq!(lines(&masked)[8], Err(LineError::Skipped("bad timestamp")));
    }

    #[test]
    fn concatenated_logs_pick_the_header_by_column_count() {
        let ssl = "#separator \\x09\n#path\tssl\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tserver_name\n1767225700.0\tCs9\t10.0.0.9\t40000\t198.51.100.31\t443\tpay.example.com\n";
        let both = format!("{CONN}{ssl}");
        let v = lines(&both);
        assert_eq!(v[8].as_ref().unwrap().bytes_out, Some(1200));
        assert_eq!(v.last().unwrap().as_ref().unwrap().dst_host.as_deref(), Some("pay.example.com"));
        let p = bind(&Zeek, both.as_bytes()).unwrap();
        assert_eq!(
            p.parse(b"1767225700.0\tCs9\t10.0.0.9", &TimeCtx::default()),
            Err(LineError::Skipped("no #fields header matches"))
        );
    }

    #[test]
    fn headerless_file_cannot_be_bound_and_sniff_is_specific() {
        assert!(bind(&Zeek, b"1300475167.096535\tCHhAvVGS1DHFjwGM9\t141.142.220.202\t224.0.0.251\n").is_err());
        assert!(Zeek.sniff(b"1300475167.096535\tCHhAvVGS1DHFjwGM9\t141.142.220.202"));
        assert!(Zeek.sniff(b"#fields\tts\tuid"));
        assert!(!Zeek.sniff(b"1700000000.123    245 10.1.2.3 TCP_MISS/200 5123 GET http://h/ - DIRECT/1.2.3.4 -"));
        assert!(!Zeek.sniff(br#"{"ts":1.0,"uid":"C1","id.orig_h":"10.0.0.1"}"#));
        // Stateless parse assumes the default conn layout.
        let r = Zeek
            .parse(
                b"1767225600.0\tC1\t10.0.0.1\t1\t192.0.2.1\t443\ttcp\t-\t1.0\t10\t20\tSF",
                &TimeCtx::default(),
            )
            .unwrap();
        assert_eq!(r.bytes_in, Some(20));
    }
}
