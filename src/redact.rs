//! Finding and hiding credentials that appear in URLs and log lines.
//!
//! A credential seen in a log is never written anywhere: the register, JSON,
//! HTML, terminal and error messages only ever show the redacted form, in
//! which the value is replaced by [`MASK`].

use std::borrow::Cow;

/// What replaces a secret value.
pub const MASK: &str = "REDACTED";

/// Query parameter names that carry secrets (compared case-insensitively,
/// with `-` and `_` treated alike).
const SECRET_PARAMS: &[&str] = &[
    "api_key",
    "apikey",
    "key",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "private_token",
    "client_secret",
    "secret",
    "password",
    "passwd",
    "pwd",
    "pass",
    "sig",
    "signature",
    "auth",
    "authorization",
    "x_api_key",
    "x_amz_signature",
    "x_amz_credential",
    "x_amz_security_token",
    "sessionid",
    "session_id",
    "code",
    "bearer",
    "jwt",
    "sas",
];

fn is_secret_name(name: &[u8]) -> bool {
    SECRET_PARAMS.iter().any(|p| {
        p.len() == name.len()
            && p.bytes().zip(name.iter()).all(|(a, &b)| {
                let b = if b == b'-' { b'_' } else { b.to_ascii_lowercase() };
                a == b
            })
    })
}

/// A JWT: `eyJ...`.`...`.`...` in base64url.
fn is_jwt(v: &[u8]) -> bool {
    if !v.starts_with(b"eyJ") || v.len() < 20 {
        return false;
    }
    let dots = v.iter().filter(|&&c| c == b'.').count();
    dots == 2
        && v.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'='))
}

/// The credential found in a URL, if any: the parameter name (or `userinfo`
/// / `jwt`) that carried it.
pub fn find_in_url(url: &str) -> Option<String> {
    let b = url.as_bytes();
    if let Some(name) = find_userinfo(b).map(|_| "userinfo".to_string()) {
        return Some(name);
    }
    let q = memchr::memchr(b'?', b)?;
    let query = b.get(q + 1..)?;
    for pair in query.split(|&c| c == b'&' || c == b';') {
        let (name, value) = match memchr::memchr(b'=', pair) {
            Some(i) => (pair.get(..i)?, pair.get(i + 1..)?),
            None => (pair, &b""[..]),
        };
        if !value.is_empty() && is_secret_name(name) {
            return Some(String::from_utf8_lossy(name).to_ascii_lowercase());
        }
        if is_jwt(value) {
            return Some("jwt".to_string());
        }
    }
    None
}

/// Position of a `user[:password]@` in a URL's authority: (start, end) of
/// the userinfo, without the `@`.
fn find_userinfo(b: &[u8]) -> Option<(usize, usize)> {
    let s = crate::formats::find(b, b"://")? + 3;
    let rest = b.get(s..)?;
    let end = rest
        .iter()
        .position(|&c| matches!(c, b'/' | b'?' | b'#' | b' ' | b'"'))
        .unwrap_or(rest.len());
    let at = memchr::memrchr(b'@', rest.get(..end)?)?;
    Some((s, s + at))
}

/// Redacts every secret in free text: URL userinfo, secret-named
/// `name=value` pairs (in query strings and key=value logs alike) and JWTs.
/// Borrows when there is nothing to hide.
pub fn redact(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    // userinfo in every URL of the text
    let mut from = 0;
    while let Some(i) = b.get(from..).and_then(|r| crate::formats::find(r, b"://")) {
        if let Some((s, e)) = b.get(from..).and_then(find_userinfo) {
            if s > i {
                spans.push((from + s, from + e));
            }
        }
        from += i + 3;
    }
    // name=value pairs
    for (eq, _) in b.iter().enumerate().filter(|(_, &c)| c == b'=') {
        let name_start = b
            .get(..eq)
            .unwrap_or_default()
            .iter()
            .rposition(|&c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-'))
            .map_or(0, |p| p + 1);
        let name = b.get(name_start..eq).unwrap_or_default();
        let vstart = eq + 1;
        let quoted = b.get(vstart) == Some(&b'"');
        let vs = if quoted { vstart + 1 } else { vstart };
        let vlen = b
            .get(vs..)
            .unwrap_or_default()
            .iter()
            .position(|&c| {
                if quoted {
                    c == b'"'
                } else {
                    matches!(c, b'&' | b';' | b' ' | b'"' | b'\'' | b',' | b'#' | b'\t')
                }
            })
            .unwrap_or(b.len() - vs.min(b.len()));
        let value = b.get(vs..vs + vlen).unwrap_or_default();
        if !value.is_empty() && (is_secret_name(name) || is_jwt(value)) {
            spans.push((vs, vs + vlen));
        }
    }
    // bare JWTs anywhere
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|r| crate::formats::find(r, b"eyJ")) {
        let s = i + off;
        let len = b
            .get(s..)
            .unwrap_or_default()
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'=')))
            .unwrap_or(b.len() - s);
        if is_jwt(b.get(s..s + len).unwrap_or_default()) {
            spans.push((s, s + len));
        }
        i = s + len.max(3);
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (s, e) in spans {
        if s < pos {
            pos = pos.max(e);
            continue;
        }
        out.push_str(text.get(pos..s).unwrap_or_default());
        out.push_str(MASK);
        pos = e;
    }
    out.push_str(text.get(pos..).unwrap_or_default());
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_secret_params() {
        assert_eq!(find_in_url("https://h/x?a=1&API-Key=abc").as_deref(), Some("api-key"));
        assert_eq!(find_in_url("https://u:p@h/x").as_deref(), Some("userinfo"));
        assert_eq!(
            find_in_url("https://h/x?t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_sig").as_deref(),
            Some("jwt")
        );
        assert_eq!(find_in_url("https://h/x?page=2&key="), None);
        assert_eq!(find_in_url("https://h/x?monkey=1"), None);
    }

    #[test]
    fn redacts_everything() {
        let t = r#"GET https://bob:hunter2@h/x?page=2&access_token=s3cr3t&sig=zz "password=p a" eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc"#;
        let r = redact(t);
        for secret in ["hunter2", "s3cr3t", "zz", "eyJhbGci"] {
            assert!(!r.contains(secret), "{secret} leaked in {r}");
        }
        assert!(r.contains("page=2"));
        assert!(matches!(redact("nothing here"), Cow::Borrowed(_)));
    }
}
