//! Forcepoint (Websense) Web Security / Content Gateway SIEM integration
//! logs, 7.x to 8.5, in both SIEM formats:
//!
//! - CEF: `CEF:0|Forcepoint|Security|8.5.4|<id>|Transaction permitted|1|
//!   act=permitted app=https dst=... dhost=... dpt=443 src=... spt=...
//!   suser=... in=... out=... requestMethod=... request=<url> ...`, with or
//!   without the `CEF:` tag and a syslog envelope (older versions say
//!   `|Websense|Security|`);
//! - the older space-separated `key=value` format (`vendor=Websense
//!   product=Security ... src_host=... dst_host=... bytes_out=... url=...`).
//!
//! Reference: "SIEM integration" and "CEF format" in the Forcepoint Web
//! Security Administrator Help
//! <https://help.forcepoint.com/websec/onlinehelp/siem/en-us/guid-5c3b5c7f.html>.
//!
//! These lines are read here rather than by the generic CEF reader because
//! the Forcepoint meaning of the fields is known: `out` is the request size
//! (the client's bytes out), `in` the response size, and `suser` an LDAP path
//! whose last component is the user (`LDAP://dc OU=Users,DC=example/jdoe`).

use super::kv::{pairs, unescape};
use super::squid::{connect_target, set_host};
use super::url::split_url;
use super::{parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, Action, Proto, Record, Scheme};
use crate::time::{epoch_auto_ms, parse_iso8601, parse_u16, parse_u64, TimeCtx};
use std::borrow::Cow;

pub struct Websense;

/// The extension of a CEF record: `key=value` where values may hold spaces
/// and `\=` is a literal `=`; a value ends where the next ` key=` begins.
struct CefExtension<'a>(&'a [u8]);

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-'
}

/// Offset of the next unescaped ` key=` in `s`.
fn next_key(s: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(off) = s.get(from..).and_then(|t| memchr::memchr2(b' ', b'\n', t)) {
        let at = from + off;
        let after = s.get(at + 1..).unwrap_or_default();
        let n = after.iter().take_while(|&&c| is_key_byte(c)).count();
        if n > 0 && after.get(n) == Some(&b'=') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

impl<'a> Iterator for CefExtension<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let s = self.0.trim_ascii_start();
            // The key: bytes up to the first unescaped `=`.
            let mut i = 0;
            let eq = loop {
                let off = s.get(i..).and_then(|t| memchr::memchr(b'=', t))?;
                let at = i + off;
                if at > 0 && s.get(at - 1) == Some(&b'\\') {
                    i = at + 1;
                    continue;
                }
                break at;
            };
            let key = s.get(..eq)?;
            let v = s.get(eq + 1..)?;
            let end = next_key(v).unwrap_or(v.len());
            self.0 = v.get(end..).unwrap_or_default();
            let value = v.get(..end)?.trim_ascii_end();
            if key.iter().all(|&c| is_key_byte(c)) && !key.is_empty() {
                return Some((key, value));
            }
        }
    }
}

#[derive(Default)]
struct Fields<'a> {
    time: Option<&'a [u8]>,
    src: Option<&'a [u8]>,
    spt: Option<&'a [u8]>,
    dst: Option<&'a [u8]>,
    dpt: Option<&'a [u8]>,
    dhost: Option<&'a [u8]>,
    url: Option<&'a [u8]>,
    app: Option<&'a [u8]>,
    method: Option<&'a [u8]>,
    status: Option<&'a [u8]>,
    bytes_out: Option<&'a [u8]>,
    bytes_in: Option<&'a [u8]>,
    user: Option<&'a [u8]>,
    login: Option<&'a [u8]>,
    agent: Option<&'a [u8]>,
    action: Option<&'a [u8]>,
}

impl<'a> Fields<'a> {
    fn set(&mut self, k: &[u8], v: &'a [u8]) {
        let slot = match k {
            b"rt" => &mut self.time,
            b"src" | b"src_host" => &mut self.src,
            b"spt" | b"src_port" => &mut self.spt,
            b"dst" | b"dst_ip" => &mut self.dst,
            b"dpt" | b"dst_port" => &mut self.dpt,
            b"dhost" | b"dst_host" => &mut self.dhost,
            b"request" | b"url" => &mut self.url,
            b"app" => &mut self.app,
            b"requestMethod" | b"http_method" => &mut self.method,
            b"http_response" => &mut self.status,
            b"out" | b"bytes_out" => &mut self.bytes_out,
            b"in" | b"bytes_in" => &mut self.bytes_in,
            b"suser" | b"user" => &mut self.user,
            b"loginID" => &mut self.login,
            b"requestClientApplication" | b"http_user_agent" => &mut self.agent,
            b"act" | b"action" => &mut self.action,
            _ => return,
        };
        if !v.is_empty() && v != b"-" && slot.is_none() {
            *slot = Some(v);
        }
    }
}

/// The user of an `LDAP://server OU=...,DC=.../Name` path: its last component.
fn ldap_user(v: &[u8]) -> Cow<'_, str> {
    let v = if v.starts_with(b"LDAP://") || v.starts_with(b"ldap://") {
        v.get(memchr::memrchr(b'/', v).map_or(0, |i| i + 1)..).unwrap_or(v)
    } else {
        v
    };
    super::elff::bare_account(unescape(v))
}

/// Position of the CEF header (`CEF:0|` or a bare `0|`) with a Forcepoint or
/// Websense vendor, and the extension after its 7 `|`-separated fields.
fn cef_extension(msg: &[u8]) -> Option<&[u8]> {
    let vendor = crate::formats::find(msg, b"|Forcepoint|Security|").or_else(|| crate::formats::find(msg, b"|Websense|Security|"))?;
    let start = msg
        .get(..vendor)?
        .iter()
        .rposition(|&c| c == b' ' || c == b':')
        .map_or(0, |i| i + 1);
    let mut bars = 0;
    let header = msg.get(start..)?;
    for (i, &c) in header.iter().enumerate() {
        if c == b'|' && (i == 0 || header.get(i - 1) != Some(&b'\\')) {
            bars += 1;
            if bars == 7 {
                return header.get(i + 1..);
            }
        }
    }
    None
}

impl Format for Websense {
    fn name(&self) -> &'static str {
        "websense"
    }

    fn title(&self) -> &'static str {
        "Forcepoint (Websense) Web Security SIEM log, CEF or key=value"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        has(b"|Forcepoint|Security|") || has(b"|Websense|Security|") || (has(b"vendor=Websense") && has(b"product=Security"))
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (hdr, msg) = syslog::split(line, ctx);
        let mut f = Fields::default();
        match cef_extension(msg) {
            Some(ext) => CefExtension(ext).for_each(|(k, v)| f.set(k, v)),
            None if crate::formats::find(msg, b"vendor=Websense").is_some() => pairs(msg).for_each(|(k, v)| f.set(k, v)),
            None => return Err(LineError::Skipped("not a Forcepoint web log")),
        }
        let time_ms = match f.time {
            Some(t) => parse_u64(t).map(epoch_auto_ms).or_else(|| parse_iso8601(t, &ctx.zone)),
            None => hdr.time_ms,
        }
        .ok_or(LineError::Skipped("no usable time"))?;
        let src_ip = f.src.and_then(parse_ip).ok_or(LineError::Skipped("no client address"))?;
        let mut rec = Record {
            time_ms,
            src_ip: Some(src_ip),
            src_port: f.spt.and_then(parse_u16),
            dst_ip: f.dst.and_then(parse_ip),
            proto: Proto::Tcp,
            bytes_out: f.bytes_out.and_then(parse_u64),
            bytes_in: f.bytes_in.and_then(parse_u64),
            user: f.user.or(f.login).map(ldap_user).filter(|u| !u.is_empty()),
            // The key=value format writes spaces in the agent as `_`.
            user_agent: f.agent.and_then(opt_text),
            method: f.method.and_then(opt_text),
            status: f.status.and_then(parse_u16),
            scheme: f.app.map_or(Scheme::None, Scheme::parse),
            ..Record::default()
        };
        if let Some(u) = f.url {
            if rec.method.as_deref() == Some("CONNECT") && crate::formats::find(u, b"://").is_none() {
                connect_target(&mut rec, u);
            } else {
                let p = split_url(u);
                set_host(&mut rec, p.host);
                rec.dst_port = p.port;
                if rec.scheme == Scheme::None {
                    rec.scheme = p.scheme;
                }
                rec.url_query = p.query;
                rec.url = Some(unescape(u));
            }
        }
        if let Some(h) = f.dhost {
            set_host(&mut rec, h);
        }
        rec.dst_port = f
            .dpt
            .and_then(parse_u16)
            .filter(|&p| p != 0)
            .or(rec.dst_port)
            .or(rec.scheme.default_port());
        rec.action = match f.action {
            Some(a) if a.eq_ignore_ascii_case(b"blocked") => Action::Denied,
            Some(a) => match Action::from_word(a) {
                Action::Unknown => Action::Allowed,
                known => known,
            },
            None => Action::Allowed,
        };
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Websense.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn cef_with_spaces_in_values_and_ldap_user() {
        let r = p(r"CEF:0|Forcepoint|Security|8.5.5|222|Transaction permitted|1| act=permitted app=https dvc=192.0.2.2 dst=203.0.113.7 dhost=outlook.example.com dpt=443 src=10.1.2.3 spt=50345 suser=LDAP://192.0.2.5 OU\=Users,DC\=example,DC\=local/Jane Doe loginID=jdoe destinationTranslatedPort=47486 rt=1767225600000 in=1038458 out=3967 requestMethod=POST requestClientApplication=Microsoft Office/16.0 (Windows NT 10.0; Pro) reason=- cs1Label=Policy cs1=Default request=https://outlook.example.com/mapi?x=1").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-01T00:00:00Z");
        assert_eq!((r.src_ip, r.src_port), ("10.1.2.3".parse().ok(), Some(50345)));
        assert_eq!((r.dst_ip, r.dst_port), ("203.0.113.7".parse().ok(), Some(443)));
        assert_eq!(r.dst_host.as_deref(), Some("outlook.example.com"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(3967), Some(1038458)));
        assert_eq!(r.user.as_deref(), Some("Jane Doe"));
        assert_eq!(r.user_agent.as_deref(), Some("Microsoft Office/16.0 (Windows NT 10.0; Pro)"));
        assert!(r.url_query);
        assert_eq!(r.action, Action::Allowed);
    }

    #[test]
    fn bare_header_without_cef_tag_iso_time_and_blocked() {
        let r = p(" 0|Forcepoint|Security|8.5.4|9|Transaction blocked|7| act=blocked app=http dst=203.0.113.8 dhost=ctl.example.net dpt=80 src=10.1.2.4 spt=62062 suser=- loginID=- rt=2026-01-02T03:04:05Z in=0 out=0 requestMethod=GET request=http://ctl.example.net/a.cab").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-02T03:04:05Z");
        assert_eq!((r.action, r.user), (Action::Denied, None));
    }

    #[test]
    fn older_key_value_format_with_syslog_envelope() {
        let r = p("<159>Mar  1 09:00:00 wsg vendor=Websense product=Security product_version=7.8.4 action=permitted severity=1 category=153 user=EXAMPLE\\jdoe src_host=10.64.1.74 src_port=62189 dst_host=mail.example.com dst_ip=203.0.113.53 dst_port=443 bytes_out=197 bytes_in=76 http_response=200 http_method=CONNECT http_user_agent=Mozilla/5.0_(Windows) url=https://mail.example.com").unwrap();
        assert_eq!((r.src_ip, r.user.as_deref()), ("10.64.1.74".parse().ok(), Some("jdoe")));
        assert_eq!(
            (r.dst_host.as_deref(), r.dst_port, r.status),
            (Some("mail.example.com"), Some(443), Some(200))
        );
        assert_eq!((r.bytes_out, r.bytes_in), (Some(197), Some(76)));
    }

    #[test]
    fn extension_edge_cases() {
        let v: Vec<_> = CefExtension(b"a=1 b=x y\\=z c= d=\n e=last").collect();
        let keys: Vec<&[u8]> = v.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, [&b"a"[..], b"b", b"c", b"d", b"e"]);
        assert_eq!(v[1], (&b"b"[..], &b"x y\\=z"[..]));
        assert_eq!(cef_extension(b"|Forcepoint|Security|1|2"), None);
        assert_eq!(p("vendor=Other").unwrap_err(), LineError::Skipped("not a Forcepoint web log"));
        assert!(p("0|Forcepoint|Security|8|1|x|1| src=10.0.0.1").is_err());
    }
}
