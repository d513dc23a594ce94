//! `application/x-www-form-urlencoded` pairs (a form body or a query string,
//! already percent-decoded) as any `Deserialize` type: the one reading of
//! form parameters the server and the page share.
//!
//! RFC 6749 §3.1: a parameter MUST NOT be repeated, and parameters sent
//! without a value are omitted. A repeat is an error unless the field is a
//! list (RFC 8707 `resource`): a list field takes every value, in order.
//! Unknown parameters are ignored (unless the type says otherwise).

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use std::fmt;

/// Why pairs are not a `T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// A single-valued parameter appears more than once (its name).
    Repeated(String),
    /// A value the field cannot take (serde's words).
    Invalid(String),
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormError::Repeated(name) => write!(f, "{name} appears more than once."),
            FormError::Invalid(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for FormError {}

impl de::Error for FormError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        FormError::Invalid(msg.to_string())
    }
}

/// Decoded pairs grouped by name, in first-seen order: a list field takes
/// all of a name's values, a single one checks there is one ([`single`]).
pub fn group<K: AsRef<str>, V: Into<String>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Vec<(String, Vec<String>)> {
    let mut fields: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in pairs {
        let name = name.as_ref();
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some((_, values)) => values.push(value.into()),
            None => fields.push((name.to_owned(), vec![value.into()])),
        }
    }
    fields
}

/// The one value of a single-valued parameter: RFC 6749 §3.1, a repeat is
/// an error.
pub fn single(name: String, mut values: Vec<String>) -> Result<String, FormError> {
    match values.len() {
        1 => Ok(values.remove(0)),
        _ => Err(FormError::Repeated(name)),
    }
}

/// Decoded pairs as a `T`, by the rules above (for types that derive
/// `Deserialize`; the consent screen reads its one request with a table
/// over [`group`] and [`single`], which costs its download far less).
pub fn from_pairs<T, K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<T, FormError>
where
    T: DeserializeOwned,
    K: AsRef<str>,
    V: Into<String>,
{
    T::deserialize(Pairs {
        fields: group(pairs).into_iter(),
        value: None,
    })
}

struct Pairs {
    fields: std::vec::IntoIter<(String, Vec<String>)>,
    value: Option<Values>,
}

impl<'de> de::Deserializer<'de> for Pairs {
    type Error = FormError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> de::MapAccess<'de> for Pairs {
    type Error = FormError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FormError> {
        let Some((name, values)) = self.fields.next() else {
            return Ok(None);
        };
        let key = seed.deserialize(name.as_str().into_deserializer())?;
        self.value = Some(Values { name, values });
        Ok(Some(key))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, FormError> {
        let value = self
            .value
            .take()
            .ok_or_else(|| FormError::Invalid("a value without its name".into()))?;
        seed.deserialize(value)
    }
}

/// Every value one name was given.
struct Values {
    name: String,
    values: Vec<String>,
}

impl Values {
    fn one(self) -> Result<String, FormError> {
        single(self.name, self.values)
    }
}

impl<'de> de::Deserializer<'de> for Values {
    type Error = FormError;

    /// Self-describing readers (an untagged "one or many") see a string for
    /// one value and a list for several.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        if self.values.len() == 1 {
            visitor.visit_string(self.one()?)
        } else {
            self.deserialize_seq(visitor)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        visitor.visit_seq(de::value::SeqDeserializer::new(self.values.into_iter()))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FormError> {
        self.one()?
            .into_deserializer()
            .deserialize_enum(name, variants, visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let name = self.name.clone();
        let n = self
            .one()?
            .parse()
            .map_err(|_| FormError::Invalid(format!("{name} is not a number")))?;
        visitor.visit_u64(n)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        visitor.visit_unit()
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        visitor.visit_string(self.one()?)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u128 f32 f64 char str
        bytes byte_buf unit unit_struct tuple tuple_struct map struct identifier
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Req {
        grant_type: Option<String>,
        #[serde(default)]
        resource: Vec<String>,
        #[serde(default, deserialize_with = "crate::protocol::one_or_many")]
        audience: Vec<String>,
        max: Option<u64>,
    }

    fn parse(pairs: &[(&str, &str)]) -> Result<Req, FormError> {
        from_pairs(pairs.iter().map(|(k, v)| (*k, *v)))
    }

    #[test]
    fn a_repeat_is_an_error_unless_the_field_is_a_list() {
        assert_eq!(
            parse(&[("grant_type", "a"), ("grant_type", "a")]),
            Err(FormError::Repeated("grant_type".into()))
        );
        assert_eq!(
            parse(&[("max", "1"), ("max", "2")]),
            Err(FormError::Repeated("max".into()))
        );
        let r = parse(&[
            ("resource", "https://a/"),
            ("grant_type", "g"),
            ("resource", "https://b/"),
            ("audience", "x"),
            ("audience", "y"),
        ])
        .unwrap();
        assert_eq!(
            r.resource,
            ["https://a/", "https://b/"],
            "every value, in order"
        );
        assert_eq!(r.audience, ["x", "y"], "one-or-many reads a list");
        let r = parse(&[("audience", "x"), ("resource", "r")]).unwrap();
        assert_eq!(
            (r.audience, r.resource),
            (vec!["x".into()], vec!["r".into()])
        );
    }

    #[test]
    fn unknown_names_are_ignored_and_missing_ones_are_none() {
        let r = parse(&[("client_id", "c"), ("client_id", "d"), ("max", "7")]).unwrap();
        assert_eq!(
            r,
            Req {
                grant_type: None,
                resource: vec![],
                audience: vec![],
                max: Some(7)
            },
            "even a repeated unknown name"
        );
        assert!(matches!(
            parse(&[("max", "seven")]),
            Err(FormError::Invalid(_))
        ));
    }

    #[test]
    fn newtypes_and_validated_types_read_through_their_own_rules() {
        #[derive(Debug, Deserialize)]
        struct Typed {
            redirect_uri: crate::RedirectUri,
            secret: Option<crate::ClientSecret>,
        }
        let t: Typed = from_pairs([
            ("redirect_uri", "https://app.example/cb"),
            ("secret", "s3cret"),
        ])
        .unwrap();
        assert_eq!(t.redirect_uri.as_str(), "https://app.example/cb");
        assert!(t.secret.is_some());
        let bad: Result<Typed, _> = from_pairs([("redirect_uri", "")]);
        assert!(matches!(bad, Err(FormError::Invalid(_))));
    }
}
