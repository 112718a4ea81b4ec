//! Lenient field types for the JSON log formats, deserialized with serde
//! straight from the record's bytes.
//!
//! Exporters disagree on JSON types: ports arrive as `443`, `443.0` or
//! `"443"`, times as epoch numbers or ISO 8601 text. These newtypes accept
//! every such form and turn anything else (an object where a string was
//! expected, `null`) into "absent" instead of failing the whole record.
//! Text borrows from the input unless the JSON string holds escapes.

use crate::time::{epoch_auto_ms, parse_epoch_frac, parse_iso8601, parse_u64, Zone};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A text field: `None` when absent, `null` or not a string.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl<'a> Str<'a> {
    /// The text, or `None` when absent, empty or `-`.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty() && *s != "-")
    }

    /// Moves the text out (same filter as [`Str::get`]).
    pub fn take(self) -> Option<Cow<'a, str>> {
        self.0.filter(|s| !s.is_empty() && s != "-")
    }

    pub fn bytes(&self) -> &[u8] {
        self.0.as_deref().unwrap_or_default().as_bytes()
    }
}

/// An unsigned number: JSON integer, integral float, or decimal string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Num(pub Option<u64>);

impl Num {
    pub fn u16(self) -> Option<u16> {
        self.0.and_then(|v| u16::try_from(v).ok())
    }
}

/// A time in UTC epoch ms: epoch seconds (with fraction), ms, µs or ns as a
/// number or string, or ISO 8601 text (UTC when it carries no zone).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stamp(pub Option<i64>);

/// Consumes and discards a map or sequence a visitor did not expect.
fn drain_map<'de, A: MapAccess<'de>>(mut m: A) -> Result<(), A::Error> {
    while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut s: A) -> Result<(), A::Error> {
    while s.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the visitor methods that map unexpected JSON types to `$none`.
macro_rules! other_types_absent {
    ($none:expr) => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
            drain_map(m).map(|_| $none)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<Self::Value, A::Error> {
            drain_seq(s).map(|_| $none)
        }
    };
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Str<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v))))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Str(None))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Str(None))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Str(None))
    }

    other_types_absent!(Str(None));
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor)
    }
}

/// An integral, non-negative float as u64 (`25238.0` → 25238).
fn f64_to_u64(v: f64) -> Option<u64> {
    (v >= 0.0 && v.fract() == 0.0 && v < 1.8e19).then_some(v as u64)
}

/// `"443"` or `"443.0"` → 443.
fn str_to_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    parse_u64(s.as_bytes()).or_else(|| s.parse::<f64>().ok().and_then(f64_to_u64))
}

struct NumVisitor;

impl<'de> Visitor<'de> for NumVisitor {
    type Value = Num;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Num, E> {
        Ok(Num(Some(v)))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Num, E> {
        Ok(Num(u64::try_from(v).ok()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Num, E> {
        Ok(Num(f64_to_u64(v)))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Num, E> {
        Ok(Num(str_to_u64(v)))
    }

    other_types_absent!(Num(None));
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

/// Epoch seconds as a float → ms, rounding to the microsecond first so that
/// `1547188415.857497` does not become `...857.496999`.
fn float_secs_ms(v: f64) -> Option<i64> {
    if !v.is_finite() || v.abs() > 1e15 {
        return None;
    }
    if v.abs() >= 1e11 {
        // Already ms (or finer): let the integer rule pick the unit.
        return f64_to_u64(v.trunc()).map(epoch_auto_ms);
    }
    let us = (v * 1e6).round() as i64;
    Some(us.div_euclid(1000))
}

/// Parses a time given as text: ISO 8601 (UTC unless it says otherwise) or
/// epoch digits with an optional fraction.
pub fn text_ms(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    parse_iso8601(b, &Zone::Fixed(0)).or_else(|| match memchr::memchr(b'.', b) {
        Some(_) => parse_epoch_frac(b),
        None => parse_u64(b).map(epoch_auto_ms),
    })
}

struct StampVisitor;

impl<'de> Visitor<'de> for StampVisitor {
    type Value = Stamp;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a time")
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Stamp, E> {
        Ok(Stamp(Some(epoch_auto_ms(v))))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Stamp, E> {
        Ok(Stamp(u64::try_from(v).ok().map(epoch_auto_ms)))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Stamp, E> {
        Ok(Stamp(float_secs_ms(v)))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Stamp, E> {
        Ok(Stamp(text_ms(v)))
    }

    other_types_absent!(Stamp(None));
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StampVisitor)
    }
}

/// True when the bytes look like a JSON object (after leading whitespace).
#[inline]
pub fn is_object(line: &[u8]) -> bool {
    line.trim_ascii_start().first() == Some(&b'{')
}

/// Does `line` contain `needle`? (memmem, for cheap sniffing.)
#[inline]
pub fn has(line: &[u8], needle: &[u8]) -> bool {
    crate::formats::find(line, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct T<'a> {
        #[serde(borrow)]
        s: Str<'a>,
        n: Num,
        t: Stamp,
    }

    fn t(j: &str) -> T<'_> {
        serde_json::from_str(j).unwrap()
    }

    #[test]
    fn numbers_as_int_float_or_string() {
        assert_eq!(t(r#"{"n":443}"#).n, Num(Some(443)));
        assert_eq!(t(r#"{"n":25238.0}"#).n, Num(Some(25238)));
        assert_eq!(t(r#"{"n":"1872"}"#).n, Num(Some(1872)));
        assert_eq!(t(r#"{"n":-1}"#).n, Num(None));
        assert_eq!(t(r#"{"n":1.5}"#).n, Num(None));
        assert_eq!(t(r#"{"n":{"a":[1,2]}}"#).n, Num(None));
    }

    #[test]
    fn text_borrows_unless_escaped_and_ignores_other_types() {
        let v = t(r#"{"s":"plain"}"#);
        assert!(matches!(v.s.0, Some(Cow::Borrowed("plain"))));
        assert_eq!(t(r#"{"s":"a\/b"}"#).s.get(), Some("a/b"));
        assert_eq!(t(r#"{"s":12}"#).s.get(), None);
        assert_eq!(t(r#"{"s":null}"#).s.get(), None);
        assert_eq!(t(r#"{"s":"-"}"#).s.get(), None);
        assert_eq!(t(r#"{}"#).s.get(), None);
    }

    #[test]
    fn stamps_in_every_unit_and_iso() {
        assert_eq!(t(r#"{"t":1547188415.857497}"#).t, Stamp(Some(1_547_188_415_857)));
        assert_eq!(t(r#"{"t":1663146003599}"#).t, Stamp(Some(1_663_146_003_599)));
        assert_eq!(t(r#"{"t":1493763938}"#).t, Stamp(Some(1_493_763_938_000)));
        assert_eq!(
            t(r#"{"t":"2021-06-09T20:55:13.160328Z"}"#).t,
            Stamp(parse_iso8601(b"2021-06-09T20:55:13.160Z", &Zone::Fixed(0)))
        );
        assert_eq!(t(r#"{"t":"1700000000.5"}"#).t, Stamp(Some(1_700_000_000_500)));
        assert_eq!(t(r#"{"t":"soon"}"#).t, Stamp(None));
    }
}
