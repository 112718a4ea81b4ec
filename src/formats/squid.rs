//! Squid native `access.log` (`logformat squid`), Squid 2.x to 6.x.
//!
//! `time elapsed client code/status bytes method URL user hierarchy/peer type`
//! optionally followed by `"referer" "user-agent"` when the site appends them.
//! Reference: <https://wiki.squid-cache.org/Features/LogFormat>.
//!
//! `bytes` is what Squid sent to the client, so it is the internal host's
//! `bytes_in`; the native format does not log request sizes.

use std::borrow::Cow;

use super::memo::{IpMemo, Memo, ShortMemo};
use super::url::{split_host_port_at, split_url};
use super::{next_token, parse_ip, tokens, Field, Format, LineError, LineResult, Tokens};
use crate::record::{opt_text, text, Action, Proto, Record, Scheme};
use crate::time::{parse_epoch_frac, parse_u16, parse_u64, TimeCtx};

pub struct SquidNative;

impl Format for SquidNative {
    fn name(&self) -> &'static str {
        "squid"
    }

    fn title(&self) -> &'static str {
        "Squid native access.log (logformat squid, optional referer and user agent)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, DstHost, DstIp, DstPort, Proto, Action, BytesIn, User, UserAgent, Method, Status, Url,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        // "1700000000.123 <spaces> 245 10.1.2.3 TCP_MISS/200 ..."
        let Some((t, rest)) = next_token(line) else { return false };
        let Some((_elapsed, rest)) = next_token(rest) else { return false };
        let Some((_client, rest)) = next_token(rest) else { return false };
        let Some((code, _)) = next_token(rest) else { return false };
        t.len() >= 10 && parse_epoch_frac(t).is_some() && super::find_byte(b'/', code).is_some()
    }

    #[inline]
    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        let t = tokens::<5>(line);
        let mut rec = Lead::parse(&t)?.record();
        tail(&mut rec, t.rest)?;
        Ok(rec)
    }
}

/// Sets the fields of a Squid line's tail (`method URL user
/// hierarchy/peer type "referer" "agent"`, everything after the byte
/// count). What it sets depends on the tail's bytes alone, which is what
/// lets [`Memo`] reuse it.
#[inline]
fn tail<'a>(rec: &mut Record<'a>, s: &'a [u8]) -> Result<(), LineError> {
    let t = tokens::<5>(s);
    let Request { method, url, user, hier } = Request::parse(&t, 0)?;
    let (_referer, agent) = Fields(t.rest).two_quoted();
    rec.user_agent = agent.and_then(opt_text);
    rec.user = opt_text(user);
    rec.method = opt_text(method);
    rec.dst_ip = direct_peer(hier).and_then(parse_ip);
    if method == b"CONNECT" {
        connect_target(rec, url);
    } else if url.starts_with(b"error:") || url == b"-" {
        return Err(LineError::Ignored("proxy error entry without destination"));
    } else {
        url_target(rec, url);
    }
    Ok(())
}

const TRUNCATED: LineError = LineError::Skipped("truncated line");

/// Squid native lines parsed with a [`Memo`] of their tails: the scan's
/// parser for Squid logs, one per worker thread. A proxy's log repeats a
/// few thousand tails (the same request of the same client software, to
/// the same place) in millions of lines; a repeated tail costs a hash and
/// a compare instead of its parse. Records are the same as
/// [`SquidNative`]'s, which a test checks line by line.
#[derive(Default)]
pub struct TailMemo(Memo<Result<Template, LineError>>, IpMemo, CodeMemo);

/// What [`read_code`] gave for the result codes of a log (a few dozen
/// texts such as `TCP_MISS/200`).
type CodeMemo = ShortMemo<Result<(Action, Option<u16>), LineError>, 64>;

impl TailMemo {
    pub fn parse<'a>(&mut self, line: &'a [u8]) -> LineResult<'a> {
        let mut rec = Record::default();
        self.parse_into(line, &mut rec)?;
        Ok(rec)
    }

    /// Parses `line` into `rec`, whatever `rec` held before; on an error
    /// `rec` holds part of a record.
    #[inline]
    pub fn parse_into<'a>(&mut self, line: &'a [u8], rec: &mut Record<'a>) -> Result<(), LineError> {
        let t = tokens::<5>(line);
        let s = t.rest;
        // The memo's slot is asked for first and read after the lead's
        // fields are parsed, so that the wait for it overlaps that work.
        let probe = self.0.probe(s);
        let (ips, codes) = (&mut self.1, &mut self.2);
        let lead = Lead::parse_with(&t, |b| ips.get(b, parse_ip), |b| codes.get(b, read_code))?;
        let Some(probe) = probe else {
            *rec = lead.record();
            return tail(rec, s);
        };
        match self.0.get(probe, s) {
            Some((Ok(tpl), tag)) => tpl.write(rec, &lead, s, tag.get()),
            Some((Err(e), _)) => return Err(*e),
            None => {
                *rec = lead.record();
                let parsed = tail(rec, s);
                let kept = match parsed {
                    Ok(()) => Template::of(rec, s).map(Ok),
                    Err(e) => Some(Err(e)),
                };
                if let Some(v) = kept {
                    let ok = v.is_ok();
                    if let Some(tag) = self.0.put(probe, s, v).filter(|_| ok) {
                        rec.tail = tag.get();
                    }
                }
                parsed?;
            }
        }
        Ok(())
    }
}

/// Where a field's text lies in a tail: start and length.
type Span = Option<(u16, u16)>;

/// The text at `span` of `s`. Inlined: as a call, its result went through
/// the stack and was read back before the write had settled (a stall per
/// field).
#[inline(always)]
fn text_at(s: &[u8], span: Span) -> Option<Cow<'_, str>> {
    let (i, n) = span?;
    let b = s.get(usize::from(i)..usize::from(i) + usize::from(n))?;
    debug_assert!(std::str::from_utf8(b).is_ok());
    // SAFETY: a template is used only for a tail with the very bytes of
    // the tail it was made of (`TailMemo::parse_into` writes it after the
    // memo compared them), and `Template::of` keeps a span only where the
    // record held a `&str` inside that tail: valid UTF-8, cut at character
    // boundaries. Checking the text again (`text`) cost 116 of 2,636
    // instructions a line.
    Some(Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(b) }))
}

/// What [`tail`] set in a record, with texts as places in the tail's
/// bytes, so that the next line with the same tail borrows its own.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    user: Span,
    user_agent: Span,
    method: Span,
    dst_host: Span,
    url: Span,
    dst_ip: Option<std::net::IpAddr>,
    dst_port: Option<u16>,
    scheme: Scheme,
    url_query: bool,
}

impl Template {
    /// The template of the fields [`tail`] set from `s`; none when a text
    /// is not a piece of `s` (text that was not UTF-8, decoded into a copy).
    fn of(rec: &Record, s: &[u8]) -> Option<Template> {
        let span = |v: &Option<Cow<str>>| -> Option<Span> {
            match v {
                None => Some(None),
                Some(Cow::Borrowed(t)) => {
                    let start = (t.as_ptr() as usize).wrapping_sub(s.as_ptr() as usize);
                    let inside = start <= s.len() && t.len() <= s.len() - start;
                    inside.then_some(Some((start as u16, t.len() as u16)))
                }
                Some(Cow::Owned(_)) => None,
            }
        };
        Some(Template {
            user: span(&rec.user)?,
            user_agent: span(&rec.user_agent)?,
            method: span(&rec.method)?,
            dst_host: span(&rec.dst_host)?,
            url: span(&rec.url)?,
            dst_ip: rec.dst_ip,
            dst_port: rec.dst_port,
            scheme: rec.scheme,
            url_query: rec.url_query,
        })
    }

    /// Makes `rec` the record of a line with `lead` and tail `s` (the
    /// same bytes as the template's), tagged `tag`: what `*rec =
    /// lead.record()` and [`tail`] would make, field by field, without
    /// building a whole record to copy in. Every field is written: the
    /// lead's by [`Lead::set`], the others below, where the pattern names
    /// every field (a test also parses into a record with every field set).
    #[inline]
    fn write<'a>(&self, rec: &mut Record<'a>, lead: &Lead, s: &'a [u8], tag: u64) {
        lead.set(rec);
        let Record {
            time_ms: _,
            src_ip: _,
            src_port,
            dst_host,
            dst_ip,
            dst_port,
            proto: _,
            action: _,
            bytes_out,
            bytes_in: _,
            user,
            user_agent,
            method,
            status: _,
            scheme,
            url,
            url_query,
            service,
            tail,
        } = rec;
        *src_port = None;
        *bytes_out = None;
        *service = None;
        *user = text_at(s, self.user);
        *user_agent = text_at(s, self.user_agent);
        *method = text_at(s, self.method);
        *dst_host = text_at(s, self.dst_host);
        *url = text_at(s, self.url);
        *dst_ip = self.dst_ip;
        *dst_port = self.dst_port;
        *scheme = self.scheme;
        *url_query = self.url_query;
        *tail = tag;
    }
}

/// The fields both Squid native and Cisco WSA access logs start with, up
/// to the byte count: `time elapsed client code/status bytes`.
pub(crate) struct Lead {
    pub time_ms: i64,
    pub src_ip: std::net::IpAddr,
    /// From the result code and the status.
    pub action: Action,
    pub status: Option<u16>,
    pub bytes: u64,
}

impl Lead {
    /// The lead from the first five (or more) tokens of a line.
    pub(crate) fn parse<const N: usize>(t: &Tokens<'_, N>) -> Result<Lead, LineError> {
        Lead::parse_with(t, parse_ip, read_code)
    }

    /// [`Lead::parse`], the client's address read by `client_ip` and the
    /// `code/status` field by `code` (as [`read_code`] does).
    #[inline(always)]
    pub(crate) fn parse_with<const N: usize>(
        t: &Tokens<'_, N>,
        client_ip: impl FnOnce(&[u8]) -> Option<std::net::IpAddr>,
        code: impl FnOnce(&[u8]) -> Result<(Action, Option<u16>), LineError>,
    ) -> Result<Lead, LineError> {
        let time_ms = t.get(0).and_then(parse_epoch_frac).ok_or(LineError::Skipped("bad timestamp"))?;
        let client = t.get(2).ok_or(TRUNCATED)?;
        let src_ip = client_ip(client).ok_or(LineError::Skipped("client is not an IP address"))?;
        let (action, status) = code(t.get(3).ok_or(TRUNCATED)?)?;
        let bytes = t.get(4).and_then(parse_u64).ok_or(LineError::Skipped("bad byte count"))?;
        Ok(Lead {
            time_ms,
            src_ip,
            action,
            status,
            bytes,
        })
    }

    /// The record's fields the lead gives the same way in both formats.
    pub(crate) fn record<'a>(&self) -> Record<'a> {
        let mut rec = Record::default();
        self.set(&mut rec);
        rec
    }

    /// Sets the fields the lead gives in `rec`, leaving the others.
    #[inline(always)]
    fn set(&self, rec: &mut Record<'_>) {
        rec.time_ms = self.time_ms;
        rec.src_ip = Some(self.src_ip);
        rec.proto = Proto::Tcp;
        rec.action = self.action;
        rec.bytes_in = Some(self.bytes);
        rec.status = self.status;
    }
}

/// The action and status of a `code/status` field (`TCP_MISS/200`): the
/// status is none when it is not a number.
pub(crate) fn read_code(code: &[u8]) -> Result<(Action, Option<u16>), LineError> {
    match super::find_byte(b'/', code) {
        Some(i) => {
            let status = code.get(i + 1..).and_then(parse_u16);
            Ok((squid_action(code.get(..i).unwrap_or_default(), status), status))
        }
        None => Err(LineError::Skipped("bad result code")),
    }
}

/// The four fields after the lead: `method URL user hierarchy/peer`.
pub(crate) struct Request<'a> {
    pub method: &'a [u8],
    pub url: &'a [u8],
    pub user: &'a [u8],
    pub hier: &'a [u8],
}

impl<'a> Request<'a> {
    /// The request from tokens `at` to `at + 3` (user and hierarchy may be
    /// missing: `-`).
    fn parse<const N: usize>(t: &Tokens<'a, N>, at: usize) -> Result<Request<'a>, LineError> {
        Ok(Request {
            method: t.get(at).ok_or(TRUNCATED)?,
            url: t.get(at + 1).ok_or(TRUNCATED)?,
            user: t.get(at + 2).unwrap_or(b"-"),
            hier: t.get(at + 3).unwrap_or(b"-"),
        })
    }
}

/// The lead and the request.
pub(crate) struct Head<'a> {
    pub lead: Lead,
    pub req: Request<'a>,
}

impl<'a> Head<'a> {
    /// The head from the first nine (or more) tokens of a line.
    pub(crate) fn parse<const N: usize>(t: &Tokens<'a, N>) -> Result<Head<'a>, LineError> {
        Ok(Head {
            lead: Lead::parse(t)?,
            req: Request::parse(t, 5)?,
        })
    }

    pub(crate) fn record(&self) -> Record<'a> {
        self.lead.record()
    }
}

/// The origin server's address from a hierarchy field
/// (`HIER_DIRECT/93.184.216.34`): only DIRECT codes name it, a PARENT or
/// SIBLING peer is another proxy.
pub(crate) fn direct_peer(hier: &[u8]) -> Option<&[u8]> {
    let peer = match hier.strip_prefix(b"HIER_DIRECT/") {
        Some(p) => p,
        None if crate::formats::find(hier, b"DIRECT").is_some() => hier.get(super::find_byte(b'/', hier)? + 1..)?,
        None => return None,
    };
    (peer != b"-").then_some(peer)
}

/// Sets host, port, scheme and query flag from a request URL.
pub(crate) fn url_target<'a>(rec: &mut Record<'a>, url: &'a [u8]) {
    let p = split_url(url);
    set_host(rec, p.host);
    rec.dst_port = p.port;
    rec.scheme = p.scheme;
    rec.url_query = p.query;
    rec.url = Some(text(url));
}

/// Sets host and port from a CONNECT target (`host:port`, or, from some
/// clients, `https://host:port`).
pub(crate) fn connect_target<'a>(rec: &mut Record<'a>, target: &'a [u8]) {
    let colon = super::find_byte(b':', target);
    let (host, port) = if colon.is_some_and(|i| target.get(i + 1..i + 3) == Some(b"//")) {
        let p = split_url(target);
        (p.host, p.port)
    } else {
        split_host_port_at(target, colon)
    };
    set_host(rec, host);
    rec.dst_port = port;
}

/// Sets `dst_host`, or `dst_ip` when the host is an IP literal.
pub(crate) fn set_host<'a>(rec: &mut Record<'a>, host: &'a [u8]) {
    if host.is_empty() {
        return;
    }
    match parse_ip(host) {
        Some(ip) => rec.dst_ip = Some(ip),
        None => rec.dst_host = Some(text(host)),
    }
}

/// Maps a Squid result code (`TCP_DENIED`, `TCP_MISS`, ...) and HTTP status to an action.
pub(crate) fn squid_action(result: &[u8], status: Option<u16>) -> Action {
    if crate::formats::find(result, b"DENIED").is_some() || status == Some(407) || status == Some(403) {
        Action::Denied
    } else {
        Action::Allowed
    }
}

/// Space-separated fields; `"quoted strings"` count as one field.
pub(crate) struct Fields<'a>(pub(crate) &'a [u8]);

impl<'a> Fields<'a> {
    pub(crate) fn next(&mut self) -> Option<&'a [u8]> {
        let (tok, rest) = next_token(self.0)?;
        self.0 = rest;
        Some(tok)
    }

    /// The next two fields as two calls of [`Fields::next_quoted`] return
    /// them. The usual `"referer" "agent"` is read off one mask of the
    /// quotes in the next 64 bytes instead of two searches.
    fn two_quoted(&mut self) -> (Option<&'a [u8]>, Option<&'a [u8]>) {
        let s = self.0;
        if s.first() == Some(&b'"') {
            let m = super::bits::eq64(s, 0, b'"') & !1;
            let q1 = m.trailing_zeros() as usize;
            let after = m & m.wrapping_sub(1);
            let q2 = after.trailing_zeros() as usize;
            let q3 = (after & after.wrapping_sub(1)).trailing_zeros() as usize;
            // `"first" "second"`, one space between; a long second field
            // (a browser's user agent) ends past the window.
            if q2 == q1 + 2 && s.get(q1 + 1) == Some(&b' ') {
                let end = if q3 < 64 {
                    Some(q3)
                } else {
                    s.get(q2 + 1..).and_then(|r| super::find_byte(b'"', r)).map(|i| q2 + 1 + i)
                };
                if let Some(q3) = end {
                    self.0 = s.get(q3 + 1..).unwrap_or_default();
                    return (s.get(1..q1), s.get(q2 + 1..q3));
                }
            }
        }
        (self.next_quoted(), self.next_quoted())
    }

    fn next_quoted(&mut self) -> Option<&'a [u8]> {
        let s = self.0.trim_ascii_start();
        match s.strip_prefix(b"\"") {
            Some(body) => {
                let end = super::find_byte(b'"', body)?;
                self.0 = body.get(end + 1..).unwrap_or_default();
                body.get(..end)
            }
            None => self.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::url::split_host_port;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        SquidNative.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn get_with_peer_ip() {
        let r =
            p("1700000000.123    245 10.1.2.3 TCP_MISS/200 5123 GET http://Host.example/path?x=1 - HIER_DIRECT/93.184.216.34 text/html")
                .unwrap();
        assert_eq!(rfc3339(r.time_ms), "2023-11-14T22:13:20Z");
        assert_eq!(r.dst_host.as_deref(), Some("Host.example"));
        assert_eq!(r.dst_ip, "93.184.216.34".parse().ok());
        assert_eq!(
            (r.dst_port, r.bytes_in, r.status, r.url_query),
            (Some(80), Some(5123), Some(200), true)
        );
        assert_eq!(r.user, None);
    }

    #[test]
    fn connect_with_user_and_agent() {
        let r = p(r#"1564655684.277   3387 192.168.0.1 TCP_TUNNEL/200 19131 CONNECT example.org:443 svc_crm HIER_DIRECT/example.org - "-" "python-requests/2.31""#).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("example.org"));
        assert_eq!(r.dst_ip, None);
        assert_eq!(r.dst_port, Some(443));
        assert_eq!(r.user.as_deref(), Some("svc_crm"));
        assert_eq!(r.user_agent.as_deref(), Some("python-requests/2.31"));
    }

    #[test]
    fn denied_and_errors() {
        let r = p("1140701230.827    781 192.168.1.210 TCP_DENIED/407 1785 GET http://www.ossec.net oahmet NONE/- text/html").unwrap();
        assert_eq!(r.action, Action::Denied);
        assert_eq!(
            p("1761121144.919      0 1.2.3.4 NONE_NONE/000 0 - error:transaction-end-before-headers - HIER_NONE/- -"),
            Err(LineError::Ignored("proxy error entry without destination"))
        );
        assert_eq!(
            p("1761121144.919 0 host.local TCP_MISS/200 0 GET http://a/ - -"),
            Err(LineError::Skipped("client is not an IP address"))
        );
        assert!(p("1761121144.919 0").is_err());
    }

    #[test]
    fn connect_targets_split_as_split_host_port_does() {
        let alphabet: &[&[u8]] = &[b"a", b"1", b":", b"443", b".", b"[", b"]", b"//", b"::", b"99999", b"-"];
        let mut rng = crate::synth::rng::Rng::new(7);
        for _ in 0..20_000 {
            let target = crate::formats::random_text(&mut rng, alphabet, 8);
            let mut rec = Record::default();
            connect_target(&mut rec, &target);
            let mut want = Record::default();
            let colon = crate::formats::find_byte(b':', &target);
            let (host, port) = if colon.is_some_and(|i| target.get(i + 1..i + 3) == Some(b"//")) {
                let p = split_url(&target);
                (p.host, p.port)
            } else {
                split_host_port(&target)
            };
            set_host(&mut want, host);
            want.dst_port = port;
            assert_eq!(rec, want, "{:?}", String::from_utf8_lossy(&target));
        }
    }

    #[test]
    fn two_quoted_fields_as_two_next_quoted_calls() {
        let pieces: &[&[u8]] = &[b"\"", b" ", b"-", b"a", &[b'b'; 20], &[b'c'; 50], &[b'e'; 90], b"\t", b"\"-\" \""];
        let mut rng = crate::synth::rng::Rng::new(9);
        for _ in 0..30_000 {
            let text = crate::formats::random_text(&mut rng, pieces, 12);
            let mut fast = Fields(&text);
            let mut plain = Fields(&text);
            let want = (plain.next_quoted(), plain.next_quoted());
            assert_eq!(fast.two_quoted(), want, "{:?}", String::from_utf8_lossy(&text));
            assert_eq!(fast.0, plain.0, "{:?}", String::from_utf8_lossy(&text));
        }
    }

    #[test]
    fn connect_to_ip_literal() {
        let r = p("1564655684.277 1 10.0.0.5 TCP_TUNNEL/200 1 CONNECT [2001:db8::1]:8443 - HIER_DIRECT/2001:db8::1 -").unwrap();
        assert_eq!(r.dst_host, None);
        assert_eq!(r.dst_ip, "2001:db8::1".parse().ok());
        assert_eq!(r.dst_port, Some(8443));
    }

    /// The code memo gives what [`read_code`] gives, on random code texts.
    #[test]
    fn code_memo_gives_what_read_code_gives() {
        let pieces: &[&[u8]] = &[
            b"TCP_",
            b"MISS",
            b"DENIED",
            b"TUNNEL",
            b"/",
            b"200",
            b"403",
            b"407",
            b"0",
            b"-",
            b"x",
            b"_ABORTED",
            b"DEN",
            b"IED",
        ];
        let mut rng = crate::synth::rng::Rng::new(5);
        let mut memo = CodeMemo::default();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50_000 {
            let code = crate::formats::random_text(&mut rng, pieces, 5);
            assert_eq!(memo.get(&code, read_code), read_code(&code), "{}", String::from_utf8_lossy(&code));
            seen.insert(code);
        }
        // Enough distinct texts of both lengths to share slots and to pass by.
        assert!(seen.len() > 1000 && seen.iter().any(|c| c.len() > 16), "{}", seen.len());
        assert_eq!(read_code(b"TCP_DENIED/200"), Ok((Action::Denied, Some(200))));
        assert_eq!(read_code(b"TCP_MISS/407"), Ok((Action::Denied, Some(407))));
        assert_eq!(read_code(b"TCP_MISS/-"), Ok((Action::Allowed, None)));
        assert!(read_code(b"TCP_MISS").is_err());
    }

    /// Lines whose tails repeat, parsed through a [`TailMemo`] (so most
    /// come from templates) and by [`SquidNative`]: the same records and
    /// errors, line by line, including tails that are truncated, errors,
    /// IP literals, not UTF-8, or longer than the memo keeps.
    #[test]
    fn memo_gives_what_the_parse_gives() {
        let heads: &[&[u8]] = &[
            b"1700000000.123    245 10.1.2.3 TCP_MISS/200 5123 ",
            b"1700000001.5 1 10.9.8.7 TCP_DENIED/407 0 ",
            b"1700000002.000 12 2001:db8::5 TCP_TUNNEL/200 99 ",
            b"1700000003 7 10.0.0.1 NONE_NONE/000 0  ",
            b"bad 1 10.0.0.1 TCP_MISS/200 1 ",
            b"1700000004.1 1 host.local TCP_MISS/200 1 ",
            b"1700000005.1 1 10.0.0.2 TCP_MISS/403 1 ",
            b"1700000006.1 1 10.0.0.2 TCP_MISS_ABORTED/200 1 ",
            b"1700000007.1 1 10.0.0.2 TCP_MISS 1 ",
            b"1700000008.1 1 10.0.0.2 TCP_MISS/x 1 ",
            b"1700000009.1 1 10.0.0.2 TCP_DENIED_REPLY/200 1 ",
        ];
        let long = [
            &b"CONNECT a.example:443 - HIER_DIRECT/192.0.2.1 - \"-\" \""[..],
            &[b'x'; 300],
            b"\"",
        ]
        .concat();
        let tails: &[&[u8]] = &[
            b"CONNECT update.example.com:443 - HIER_DIRECT/198.51.100.15 - \"-\" \"Agent/1.0\"",
            b"CONNECT update.example.com:443 svc HIER_DIRECT/198.51.100.15 -",
            b"GET http://Host.example/path?x=1 - HIER_DIRECT/93.184.216.34 text/html \"-\" \"curl/8\"",
            b"GET https://[2001:db8::1]:8443/a - HIER_NONE/- -",
            b"CONNECT 192.0.2.7:8443 - HIER_DIRECT/192.0.2.7 -",
            b"- error:transaction-end-before-headers - HIER_NONE/- -",
            b"GET -",
            b"GET",
            b"",
            b"POST http://h.example/in DOM\\us\xe9r HIER_DIRECT/192.0.2.9 - \"-\" \"Agent \xff\xfe\"",
            b"GET http://caf\xc3\xa9.example/ - HIER_DIRECT/192.0.2.9 - \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"",
            &long,
        ];
        let mut rng = crate::synth::rng::Rng::new(11);
        let mut memo = TailMemo::default();
        let mut lines = Vec::new();
        for _ in 0..20_000 {
            lines.push([*rng.pick(heads), *rng.pick(tails)].concat());
        }
        let mut tagged = std::collections::HashMap::new();
        // Every line is also parsed into a record with every field set,
        // as a scan's batch reuses its records.
        let junk = Record {
            time_ms: 1,
            src_ip: "192.0.2.1".parse().ok(),
            src_port: Some(1),
            dst_host: Some(Cow::Borrowed("junk")),
            dst_ip: "192.0.2.2".parse().ok(),
            dst_port: Some(2),
            proto: Proto::Udp,
            action: Action::Denied,
            bytes_out: Some(3),
            bytes_in: Some(4),
            user: Some(Cow::Borrowed("junk")),
            user_agent: Some(Cow::Borrowed("junk")),
            method: Some(Cow::Borrowed("junk")),
            status: Some(5),
            scheme: Scheme::Https,
            url: Some(Cow::Borrowed("junk")),
            url_query: true,
            service: Some(Cow::Borrowed("junk")),
            tail: 6,
        };
        for line in &lines {
            let want = SquidNative.parse(line, &TimeCtx::default());
            if let Ok(w) = &want {
                let mut reused = junk.clone();
                assert_eq!(memo.parse_into(line, &mut reused), Ok(()));
                assert_eq!(&reused.clone().untagged(), w, "{:?}", String::from_utf8_lossy(line));
            }
            let got = memo.parse(line);
            if let Ok(r) = &got {
                // Records with the same tag have the same tail fields.
                if r.tail != 0 {
                    let first = tagged.entry(r.tail).or_insert_with(|| r.clone());
                    assert_eq!(first.tail_fields(), r.tail_fields());
                }
            }
            assert_eq!(got.map(Record::untagged), want, "{:?}", String::from_utf8_lossy(line));
        }
        // Most records are tagged, with as many tags as there are
        // templates kept.
        assert!(tagged.len() >= 5 && tagged.len() < 100, "{} tags", tagged.len());
    }
}
