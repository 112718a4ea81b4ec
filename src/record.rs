//! The normalized traffic record every format parser produces.
//!
//! A [`Record`] borrows its text fields from the input chunk; nothing on the
//! common path allocates. Text is `Cow` so that a parser can hand back an
//! unescaped or lossily decoded copy only when the raw bytes need it.

use std::borrow::Cow;
use std::net::IpAddr;

/// Transport protocol, as far as the log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    #[default]
    Unknown,
    Tcp,
    Udp,
    Icmp,
    Other,
}

impl Proto {
    /// Parses a protocol name or IANA number (`tcp`, `TCP`, `6`, `udp`, `17`, `icmp`, `1`).
    pub fn parse(s: &[u8]) -> Proto {
        match s {
            b"6" => Proto::Tcp,
            b"17" => Proto::Udp,
            b"1" | b"58" => Proto::Icmp,
            _ if s.eq_ignore_ascii_case(b"tcp") => Proto::Tcp,
            _ if s.eq_ignore_ascii_case(b"udp") => Proto::Udp,
            _ if s.eq_ignore_ascii_case(b"icmp") || s.eq_ignore_ascii_case(b"icmp6") || s.eq_ignore_ascii_case(b"ipv6-icmp") => Proto::Icmp,
            b"" | b"-" => Proto::Unknown,
            _ => Proto::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Unknown => "",
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Icmp => "icmp",
            Proto::Other => "other",
        }
    }
}

/// What the device did with the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    #[default]
    Unknown,
    Allowed,
    Denied,
}

impl Action {
    /// Maps the many vendor words for allow/deny onto [`Action`].
    pub fn from_word(s: &[u8]) -> Action {
        const ALLOW: &[&[u8]] = &[
            b"accept",
            b"accepted",
            b"allow",
            b"allowed",
            b"permit",
            b"permitted",
            b"pass",
            b"passed",
            b"close",
            b"closed",
            b"start",
            b"built",
            b"teardown",
            b"ip-conn",
            b"client-rst",
            b"server-rst",
            b"timeout",
            b"observed",
            b"success",
            b"succeeded",
            b"ok",
            b"forward",
            b"forwarded",
            b"tunnel",
        ];
        const DENY: &[&[u8]] = &[
            b"deny",
            b"denied",
            b"drop",
            b"dropped",
            b"block",
            b"blocked",
            b"reject",
            b"rejected",
            b"reset",
            b"refuse",
            b"refused",
            b"fail",
            b"failed",
            b"discard",
            b"discarded",
            b"prevent",
            b"prevented",
        ];
        if ALLOW.iter().any(|w| s.eq_ignore_ascii_case(w)) {
            Action::Allowed
        } else if DENY.iter().any(|w| s.eq_ignore_ascii_case(w)) {
            Action::Denied
        } else {
            Action::Unknown
        }
    }
}

/// URL scheme of a proxied request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    #[default]
    None,
    Http,
    Https,
    Ftp,
    Ws,
    Wss,
    Other,
}

impl Scheme {
    pub fn parse(s: &[u8]) -> Scheme {
        if s.eq_ignore_ascii_case(b"http") {
            Scheme::Http
        } else if s.eq_ignore_ascii_case(b"https") {
            Scheme::Https
        } else if s.eq_ignore_ascii_case(b"ftp") {
            Scheme::Ftp
        } else if s.eq_ignore_ascii_case(b"ws") {
            Scheme::Ws
        } else if s.eq_ignore_ascii_case(b"wss") {
            Scheme::Wss
        } else if s.is_empty() {
            Scheme::None
        } else {
            Scheme::Other
        }
    }

    /// The port a URL with this scheme and no explicit port goes to.
    pub fn default_port(self) -> Option<u16> {
        match self {
            Scheme::Http | Scheme::Ws => Some(80),
            Scheme::Https | Scheme::Wss => Some(443),
            Scheme::Ftp => Some(21),
            Scheme::None | Scheme::Other => None,
        }
    }

    /// True for schemes that carry data unencrypted.
    pub fn is_cleartext(self) -> bool {
        matches!(self, Scheme::Http | Scheme::Ftp | Scheme::Ws)
    }
}

/// One traffic record, normalized across vendors.
///
/// Invariants a parser upholds: `time_ms` is UTC epoch milliseconds;
/// `dst_host` has no port and no trailing dot (case is folded later, when the
/// channel key is built); a field the line does not carry is `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record<'a> {
    pub time_ms: i64,
    pub src_ip: Option<IpAddr>,
    pub src_port: Option<u16>,
    pub dst_host: Option<Cow<'a, str>>,
    pub dst_ip: Option<IpAddr>,
    pub dst_port: Option<u16>,
    pub proto: Proto,
    pub action: Action,
    pub bytes_out: Option<u64>,
    pub bytes_in: Option<u64>,
    pub user: Option<Cow<'a, str>>,
    pub user_agent: Option<Cow<'a, str>>,
    pub method: Option<Cow<'a, str>>,
    pub status: Option<u16>,
    pub scheme: Scheme,
    /// The request URL as logged (used only to look for credentials; it is
    /// never written out unredacted).
    pub url: Option<Cow<'a, str>>,
    /// True when the URL carried a query string.
    pub url_query: bool,
    /// Application or service name the device assigned (`app=`, `service=`).
    pub service: Option<Cow<'a, str>>,
    /// A parser's promise that lets the fold reuse what it worked out for
    /// an earlier record: records with the same nonzero `tail` have the
    /// same `dst_host`, `dst_ip`, `dst_port`, `user`, `user_agent`,
    /// `method`, `service`, `url` and `url_query` (they came from lines
    /// whose bytes after the lead fields are the same; see
    /// [`crate::formats::memo`]). 0 promises nothing. Values are unique in
    /// the process, so records of different parsers never share one.
    pub tail: u64,
}

/// The fields a record's [`Record::tail`] vouches for.
pub type TailFields<'r, 'a> = (
    &'r Option<Cow<'a, str>>,
    Option<IpAddr>,
    Option<u16>,
    [&'r Option<Cow<'a, str>>; 5],
    bool,
);

impl<'a> Record<'a> {
    /// The fields that records with the same nonzero [`Record::tail`]
    /// share (for the tests that hold parsers to the promise).
    pub fn tail_fields(&self) -> TailFields<'_, 'a> {
        (
            &self.dst_host,
            self.dst_ip,
            self.dst_port,
            [&self.user, &self.user_agent, &self.method, &self.service, &self.url],
            self.url_query,
        )
    }

    /// The record without its tail tag.
    pub fn untagged(mut self) -> Record<'a> {
        self.tail = 0;
        self
    }
}

/// Decodes a byte field as text, borrowing when it is valid UTF-8.
#[inline]
pub fn text(b: &[u8]) -> Cow<'_, str> {
    // Log fields are nearly always ASCII, which `is_ascii` confirms a word
    // at a time, including the unaligned ends of short fields that
    // `from_utf8` walks byte by byte.
    if b.is_ascii() {
        // SAFETY: ASCII bytes are valid UTF-8.
        return Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(b) });
    }
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// Like [`text`], but `None` for empty fields and the usual placeholders `-`.
#[inline]
pub fn opt_text(b: &[u8]) -> Option<Cow<'_, str>> {
    if b.is_empty() || b == b"-" {
        None
    } else {
        Some(text(b))
    }
}

/// The bare account name of a logged user: `DOMAIN\\user` → `user`,
/// `user,cn=user,dc=example` (an LDAP DN tail) → `user`. `user@domain` is
/// kept whole (it is how cloud identities are named).
pub fn account(u: &str) -> &str {
    let u = match u.rfind('\\') {
        Some(i) => u.get(i + 1..).unwrap_or(u),
        None => u,
    };
    match u.find(',') {
        Some(i) => u.get(..i).unwrap_or(u),
        None => u,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_forms() {
        assert_eq!(account("example.com\\jdoe"), "jdoe");
        assert_eq!(account("john.doe,cn=john.doe"), "john.doe");
        assert_eq!(account("svc@example.com"), "svc@example.com");
        assert_eq!(account("\\"), "");
    }
}
