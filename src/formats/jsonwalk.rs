//! Reading the members of a JSON object without building a tree.
//!
//! Cloud proxies (Zscaler, Netskope, Menlo, Cato, Cloudflare, Symantec WSS)
//! write one JSON object per record with dozens of members, of which a
//! parser needs a handful. [`walk`] streams the object through serde_json
//! and hands each scalar member to a [`Sink`] as a [`Scalar`] that borrows
//! from the input when the string has no escapes. Nested objects are walked
//! only when the sink asks for them; arrays give their first scalar element.
//! Nothing is allocated per member except unescaped strings.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

/// One scalar value: a JSON scalar, or a raw field of a text log.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    Str(Cow<'a, str>),
    /// A field of a text line (key=value, W3C columns).
    Raw(&'a [u8]),
    U64(u64),
    I64(i64),
    F64(f64),
    Bool(bool),
    Null,
}

impl<'a> Scalar<'a> {
    /// The bytes of a text value.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Scalar::Str(s) => Some(s.as_bytes()),
            Scalar::Raw(b) => Some(b),
            _ => None,
        }
    }

    /// True for null, empty strings and the usual placeholders (`-`).
    pub fn is_blank(&self) -> bool {
        match self {
            Scalar::Null => true,
            Scalar::Str(_) | Scalar::Raw(_) => {
                let b = self.bytes().unwrap_or_default().trim_ascii();
                b.is_empty() || b == b"-"
            }
            _ => false,
        }
    }

    /// A non-negative integer: a JSON number, or digits in a string.
    pub fn u64(&self) -> Option<u64> {
        match self {
            Scalar::U64(v) => Some(*v),
            Scalar::I64(v) => u64::try_from(*v).ok(),
            Scalar::F64(v) if v.is_finite() && *v >= 0.0 && *v < 1.8e19 => Some(*v as u64),
            Scalar::Str(_) | Scalar::Raw(_) => crate::time::parse_u64(self.bytes()?.trim_ascii()),
            _ => None,
        }
    }

    pub fn u16(&self) -> Option<u16> {
        self.u64().and_then(|v| u16::try_from(v).ok())
    }

    /// A port: like [`Scalar::u16`], but 0 (the usual "unknown") is `None`.
    pub fn port(&self) -> Option<u16> {
        self.u16().filter(|&p| p != 0)
    }

    pub fn ip(&self) -> Option<IpAddr> {
        super::parse_ip(self.bytes()?.trim_ascii())
    }

    /// The value as text; `None` when blank. Numbers are formatted.
    pub fn text(self) -> Option<Cow<'a, str>> {
        if self.is_blank() {
            return None;
        }
        match self {
            Scalar::Str(s) => Some(s),
            Scalar::Raw(b) => Some(crate::record::text(b)),
            Scalar::U64(v) => Some(Cow::Owned(v.to_string())),
            Scalar::I64(v) => Some(Cow::Owned(v.to_string())),
            Scalar::F64(v) => Some(Cow::Owned(v.to_string())),
            Scalar::Bool(_) | Scalar::Null => None,
        }
    }
}

/// Receives the members of a walked object.
pub trait Sink<'a> {
    /// A scalar member, or the first scalar element of an array member.
    fn field(&mut self, key: &str, value: Scalar<'a>);
    /// Whether to walk into the object held by member `key` (its members
    /// then arrive through [`Sink::field`] like top-level ones). Default: no.
    fn descend(&mut self, key: &str) -> bool {
        let _ = key;
        false
    }
}

/// Why a record is not the JSON object a parser expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotJson;

/// Walks the JSON object in `json` (leading and trailing whitespace allowed;
/// anything else after the object is an error).
pub fn walk<'a>(json: &'a [u8], sink: &mut dyn Sink<'a>) -> Result<(), NotJson> {
    let mut de = serde_json::Deserializer::from_slice(json);
    ObjectSeed { sink }.deserialize(&mut de).map_err(|_| NotJson)?;
    de.end().map_err(|_| NotJson)
}

/// True when `line` starts like a JSON object.
pub fn looks_like_object(line: &[u8]) -> bool {
    line.trim_ascii_start().first() == Some(&b'{')
}

struct ObjectSeed<'s, 'a> {
    sink: &'s mut dyn Sink<'a>,
}

impl<'de, 's> DeserializeSeed<'de> for ObjectSeed<'s, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 's> Visitor<'de> for ObjectSeed<'s, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            map.next_value_seed(MemberSeed {
                key: &key,
                sink: &mut *self.sink,
            })?;
        }
        Ok(())
    }
}

/// The value of one member: scalars go to the sink, objects are walked or
/// skipped, arrays give their first scalar.
struct MemberSeed<'k, 's, 'a> {
    key: &'k str,
    sink: &'s mut dyn Sink<'a>,
}

impl<'de> DeserializeSeed<'de> for MemberSeed<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! scalar_visits {
    ($($name:ident : $t:ty => $variant:expr;)*) => {
        $(
            fn $name<E: de::Error>(self, v: $t) -> Result<Self::Value, E> {
                self.scalar(($variant)(v))
            }
        )*
    };
}

impl<'de> MemberSeed<'_, '_, 'de> {
    fn scalar<E>(self, v: Scalar<'de>) -> Result<(), E> {
        self.sink.field(self.key, v);
        Ok(())
    }
}

impl<'de> Visitor<'de> for MemberSeed<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    scalar_visits! {
        visit_bool: bool => Scalar::Bool;
        visit_i64: i64 => Scalar::I64;
        visit_u64: u64 => Scalar::U64;
        visit_f64: f64 => Scalar::F64;
        visit_borrowed_str: &'de str => |s| Scalar::Str(Cow::Borrowed(s));
        visit_str: &str => |s: &str| Scalar::Str(Cow::Owned(s.to_string()));
        visit_string: String => |s| Scalar::Str(Cow::Owned(s));
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar(Scalar::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.scalar(Scalar::Null)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        if self.sink.descend(self.key) {
            ObjectSeed { sink: self.sink }.visit_map(map)
        } else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(())
        }
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let mut first = None;
        while let Some(v) = seq.next_element::<Element<'de>>()? {
            if first.is_none() {
                first = v.0;
            }
        }
        if let Some(v) = first {
            self.sink.field(self.key, v);
        }
        Ok(())
    }
}

/// An array element: a scalar, or `None` for a nested object or array.
struct Element<'a>(Option<Scalar<'a>>);

impl<'de> de::Deserialize<'de> for Element<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ElementVisitor)
    }
}

struct ElementVisitor;

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Element(Some(Scalar::Bool(v))))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Element(Some(Scalar::I64(v))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Element(Some(Scalar::U64(v))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Element(Some(Scalar::F64(v))))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Element(Some(Scalar::Str(Cow::Borrowed(v)))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Element(Some(Scalar::Str(Cow::Owned(v.to_string())))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Element(None))
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Element(None))
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Element(None))
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect(Vec<(String, Scalar<'static>)>, bool);

    impl<'a> Sink<'a> for Collect {
        fn field(&mut self, key: &str, value: Scalar<'a>) {
            let owned = match value {
                Scalar::Str(s) => Scalar::Str(Cow::Owned(s.into_owned())),
                Scalar::Raw(b) => Scalar::Str(Cow::Owned(crate::record::text(b).into_owned())),
                Scalar::U64(v) => Scalar::U64(v),
                Scalar::I64(v) => Scalar::I64(v),
                Scalar::F64(v) => Scalar::F64(v),
                Scalar::Bool(v) => Scalar::Bool(v),
                Scalar::Null => Scalar::Null,
            };
            self.0.push((key.to_string(), owned));
        }
        fn descend(&mut self, key: &str) -> bool {
            self.1 && key == "event"
        }
    }

    #[test]
    fn scalars_arrays_and_skipped_objects() {
        let mut c = Collect::default();
        walk(
            br#" {"a":"x","n":12,"f":1.5,"neg":-3,"b":true,"z":null,"arr":["192.0.2.1","192.0.2.2"],"objs":[{"k":1}],"o":{"a":"inner"}} "#,
            &mut c,
        )
        .unwrap();
        let keys: Vec<&str> = c.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "n", "f", "neg", "b", "z", "arr"]);
        assert_eq!(c.0[6].1.ip(), "192.0.2.1".parse().ok());
        assert_eq!(c.0[1].1.u64(), Some(12));
        assert_eq!(c.0[3].1.u64(), None);
    }

    #[test]
    fn descends_only_where_asked_and_unescapes() {
        let mut c = Collect(Vec::new(), true);
        walk(b"{\n \"event\": {\"user\": \"a\\\\b\"},\n \"x\": {\"user\": \"no\"}\n}", &mut c).unwrap();
        assert_eq!(c.0.len(), 1);
        assert_eq!(c.0[0].1.clone().text().as_deref(), Some("a\\b"));
    }

    #[test]
    fn rejects_non_objects_and_trailing_garbage() {
        let mut c = Collect::default();
        assert!(walk(b"[1,2]", &mut c).is_err());
        assert!(walk(b"{\"a\":1} x", &mut c).is_err());
        assert!(walk(b"{\"a\":", &mut c).is_err());
        // Nesting beyond serde_json's recursion limit is an error, not a stack overflow.
        let deep = "{\"a\":".repeat(100_000) + &"}".repeat(100_000);
        assert!(walk(deep.as_bytes(), &mut c).is_err());
    }

    #[test]
    fn blank_and_port_rules() {
        assert!(Scalar::Raw(b" - ").is_blank());
        assert!(Scalar::Str(Cow::Borrowed("")).is_blank());
        assert_eq!(Scalar::U64(0).port(), None);
        assert_eq!(Scalar::Raw(b"443").port(), Some(443));
        assert_eq!(Scalar::F64(2.5).u64(), Some(2));
    }
}
