//! The `shared` wire types to and from the JS values that the browser's
//! `JSON.stringify` writes and `JSON.parse` reads.
//!
//! A deliberately small serde `Serializer` and `Deserializer`: JSON values
//! only (null, booleans, numbers, strings, arrays, objects; enums as their
//! variant names) and errors without messages.
//! The page never shows why an answer could not be read ("The server's answer
//! could not be read" is all it says), and leaving the messages out keeps
//! serde's error formatting, float printing included, out of the download.

use js_sys::{Array, Object, Reflect};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::ser::{self, Impossible, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// The answer did not have the expected shape.
#[derive(Debug)]
pub struct Invalid;

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unexpected JSON")
    }
}

impl std::error::Error for Invalid {}

// Every constructor drops its message (see the module comment).
impl de::Error for Invalid {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Invalid
    }
    fn invalid_type(_: de::Unexpected, _: &dyn de::Expected) -> Self {
        Invalid
    }
    fn invalid_value(_: de::Unexpected, _: &dyn de::Expected) -> Self {
        Invalid
    }
    fn invalid_length(_: usize, _: &dyn de::Expected) -> Self {
        Invalid
    }
    fn unknown_variant(_: &str, _: &'static [&'static str]) -> Self {
        Invalid
    }
    fn unknown_field(_: &str, _: &'static [&'static str]) -> Self {
        Invalid
    }
    fn missing_field(_: &'static str) -> Self {
        Invalid
    }
    fn duplicate_field(_: &'static str) -> Self {
        Invalid
    }
}

impl ser::Error for Invalid {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Invalid
    }
}

/// `value` as JSON text.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, Invalid> {
    let value = value.serialize(ToJs)?;
    js_sys::JSON::stringify(&value)
        .map(String::from)
        .map_err(|_| Invalid)
}

/// `value` (from `JSON.parse`) as a `T`.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, Invalid> {
    T::deserialize(Js(value))
}

/// One JSON value on the JS side.
struct Js(JsValue);

impl<'de> de::Deserializer<'de> for Js {
    type Error = Invalid;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        let v = self.0;
        if v.is_null() || v.is_undefined() {
            visitor.visit_unit()
        } else if let Some(b) = v.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(s) = v.as_string() {
            visitor.visit_string(s)
        } else if let Some(n) = v.as_f64() {
            // Whole numbers as integers, so integer fields accept them.
            if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
                visitor.visit_i64(n as i64)
            } else {
                visitor.visit_f64(n)
            }
        } else if Array::is_array(&v) {
            let items = v.unchecked_into::<Array>();
            visitor.visit_seq(Seq { items, next: 0 })
        } else if v.is_object() {
            let keys = Object::keys(v.unchecked_ref::<Object>());
            visitor.visit_map(Map {
                object: v,
                keys,
                next: 0,
            })
        } else {
            Err(Invalid)
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    /// Unit variants only: the wire's enums are plain strings.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        let name = self.0.as_string().ok_or(Invalid)?;
        visitor.visit_enum(IntoDeserializer::<Invalid>::into_deserializer(name))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        visitor.visit_newtype_struct(self)
    }

    // The type says what is expected: each of these checks one JS type, so
    // a visitor's code carries one branch instead of all of
    // `deserialize_any`'s (the download is smaller by that much per type).
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_string(self.0.as_string().ok_or(Invalid)?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_bool(self.0.as_bool().ok_or(Invalid)?)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        match self.0.as_f64() {
            Some(n) if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 => {
                visitor.visit_i64(n as i64)
            }
            _ => Err(Invalid),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if !Array::is_array(&self.0) {
            return Err(Invalid);
        }
        let items = self.0.unchecked_into::<Array>();
        visitor.visit_seq(Seq { items, next: 0 })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        let v = self.0;
        if !v.is_object() || Array::is_array(&v) {
            return Err(Invalid);
        }
        let keys = Object::keys(v.unchecked_ref::<Object>());
        visitor.visit_map(Map {
            object: v,
            keys,
            next: 0,
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct tuple tuple_struct
    }
}

/// The items of a JS array.
struct Seq {
    items: Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = Invalid;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Invalid> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.next);
        self.next += 1;
        seed.deserialize(Js(item)).map(Some)
    }
}

/// The own properties of a JS object, in their order.
struct Map {
    object: JsValue,
    keys: Array,
    next: u32,
}

impl<'de> de::MapAccess<'de> for Map {
    type Error = Invalid;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Invalid> {
        if self.next >= self.keys.length() {
            return Ok(None);
        }
        seed.deserialize(Js(self.keys.get(self.next))).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Invalid> {
        let key = self.keys.get(self.next);
        self.next += 1;
        let value = Reflect::get(&self.object, &key).map_err(|_| Invalid)?;
        seed.deserialize(Js(value))
    }
}

/// Builds the JS value of one Rust value.
struct ToJs;

/// A JS object being filled with a struct's fields.
struct Fields(Object);

impl ser::SerializeStruct for Fields {
    type Ok = JsValue;
    type Error = Invalid;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Invalid> {
        let value = value.serialize(ToJs)?;
        Reflect::set(&self.0, &JsValue::from_str(key), &value).map_err(|_| Invalid)?;
        Ok(())
    }

    fn end(self) -> Result<JsValue, Invalid> {
        Ok(self.0.into())
    }
}

/// A JS array being filled.
struct Items(Array);

impl ser::SerializeSeq for Items {
    type Ok = JsValue;
    type Error = Invalid;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Invalid> {
        self.0.push(&value.serialize(ToJs)?);
        Ok(())
    }

    fn end(self) -> Result<JsValue, Invalid> {
        Ok(self.0.into())
    }
}

/// A JS object being filled with a map's entries (also what serde makes of a
/// struct with a `#[serde(flatten)]` field): keys must be strings.
struct Entries {
    object: Object,
    key: Option<JsValue>,
}

impl ser::SerializeMap for Entries {
    type Ok = JsValue;
    type Error = Invalid;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Invalid> {
        let key = key.serialize(ToJs)?;
        if !key.is_string() {
            return Err(Invalid);
        }
        self.key = Some(key);
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Invalid> {
        let key = self.key.take().ok_or(Invalid)?;
        Reflect::set(&self.object, &key, &value.serialize(ToJs)?).map_err(|_| Invalid)?;
        Ok(())
    }

    fn end(self) -> Result<JsValue, Invalid> {
        Ok(self.object.into())
    }
}

impl ser::Serializer for ToJs {
    type Ok = JsValue;
    type Error = Invalid;
    type SerializeSeq = Items;
    type SerializeTuple = Impossible<JsValue, Invalid>;
    type SerializeTupleStruct = Impossible<JsValue, Invalid>;
    type SerializeTupleVariant = Impossible<JsValue, Invalid>;
    type SerializeMap = Entries;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Impossible<JsValue, Invalid>;

    fn serialize_bool(self, v: bool) -> Result<JsValue, Invalid> {
        Ok(JsValue::from_bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<JsValue, Invalid> {
        self.serialize_f64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<JsValue, Invalid> {
        self.serialize_f64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<JsValue, Invalid> {
        self.serialize_f64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<JsValue, Invalid> {
        // Exact up to 2^53, as in any JS number; the wire has no larger ones.
        self.serialize_f64(v as f64)
    }
    fn serialize_u8(self, v: u8) -> Result<JsValue, Invalid> {
        self.serialize_f64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<JsValue, Invalid> {
        self.serialize_f64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<JsValue, Invalid> {
        self.serialize_f64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<JsValue, Invalid> {
        self.serialize_f64(v as f64)
    }
    fn serialize_f32(self, v: f32) -> Result<JsValue, Invalid> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<JsValue, Invalid> {
        Ok(JsValue::from_f64(v))
    }
    fn serialize_char(self, v: char) -> Result<JsValue, Invalid> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<JsValue, Invalid> {
        Ok(JsValue::from_str(v))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<JsValue, Invalid> {
        Err(Invalid)
    }
    fn serialize_none(self) -> Result<JsValue, Invalid> {
        Ok(JsValue::NULL)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<JsValue, Invalid> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<JsValue, Invalid> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<JsValue, Invalid> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<JsValue, Invalid> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<JsValue, Invalid> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<JsValue, Invalid> {
        Err(Invalid)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items, Invalid> {
        Ok(Items(Array::new()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Invalid> {
        Err(Invalid)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Invalid> {
        Err(Invalid)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Invalid> {
        Err(Invalid)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Entries, Invalid> {
        Ok(Entries {
            object: Object::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields, Invalid> {
        Ok(Fields(Object::new()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Invalid> {
        Err(Invalid)
    }
}

/// Every `shared` type this adapter carries, both ways, in a real JS engine
/// (`scripts/test.sh` runs them under node with wasm-bindgen-test-runner),
/// checked against serde_json: the same value comes back, and each side
/// reads what the other wrote (the server speaks serde_json).
#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use shared::{
        AppInfo, AuthConfig, AuthorizeParams, AuthorizeRequest, AuthorizeResponse, ConnectedApp,
        ConnectedApps, Credentials, Decision, ErrorBody, LogoutConfirmation, Me, Password,
        Registration, ResourceInfo, ScopeInfo,
    };
    use std::fmt::Debug;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn parse(text: &str) -> JsValue {
        js_sys::JSON::parse(text).expect("valid JSON")
    }

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T) {
        let ours = to_string(&value).expect("encodes");
        let back: T = from_js(parse(&ours)).expect("decodes what it wrote");
        assert_eq!(back, value, "through json.rs: {ours}");
        let theirs = serde_json::to_string(&value).unwrap();
        let from_server: T = from_js(parse(&theirs)).expect("reads serde_json");
        assert_eq!(from_server, value, "serde_json -> json.rs: {theirs}");
        let to_server: T = serde_json::from_str(&ours).expect("serde_json reads it");
        assert_eq!(to_server, value, "json.rs -> serde_json: {ours}");
    }

    fn scope() -> ScopeInfo {
        ScopeInfo {
            name: "READ_GRAPH".into(),
            description: "Read \"graphs\" — ünïcode \\ and \n lines".into(),
        }
    }

    #[wasm_bindgen_test]
    fn bodies_the_page_reads() {
        round_trip(AppInfo {
            client_id: "agpt_client_x".into(),
            name: "App".into(),
            description: String::new(),
            logo_url: Some("data:image/png;base64,AA==".into()),
            scopes: vec![scope(), scope()],
            open_scopes: vec![scope()],
            plain_pkce_allowed: false,
            registration: Registration::MetadataDocument,
            client_host: Some("app.example".into()),
            runs_on_device: true,
            resources: vec![ResourceInfo {
                uri: "https://mcp.example/mcp".into(),
                name: "MCP".into(),
            }],
            granted_scopes: vec!["READ_GRAPH".into()],
            granted_resources: vec![shared::ResourceUri::parse("https://mcp.example/mcp").unwrap()],
            remembers: true,
        });
        round_trip(Me {
            user_id: "u1".into(),
            email: "a@example.com".into(),
            auth_time: 1_800_000_000,
            auth_age: -1,
        });
        round_trip(AuthConfig {
            signup_enabled: true,
        });
        round_trip(AuthorizeResponse {
            redirect_url: "http://localhost:8080/cb?code=x&state=%20".into(),
        });
        round_trip(ErrorBody {
            error: "invalid_request".into(),
            error_description: "state is required.".into(),
        });
        round_trip(ConnectedApps {
            apps: vec![ConnectedApp {
                client_id: "https://app.example/client.json".into(),
                name: "App".into(),
                logo_url: None,
                registration: Registration::Dynamic,
                scopes: vec![scope()],
                resources: vec!["MCP".into()],
                granted_at: 1,
                updated_at: i64::from(i32::MAX) * 2,
                last_used_at: None,
            }],
        });
        round_trip(ConnectedApps { apps: Vec::new() });
    }

    #[wasm_bindgen_test]
    fn bodies_the_page_sends() {
        for decision in [Decision::Approve, Decision::Deny, Decision::Remembered] {
            round_trip(AuthorizeRequest {
                params: AuthorizeParams {
                    client_id: Some("agpt_client_x".into()),
                    redirect_uri: Some("http://localhost:8080/callback".into()),
                    scope: Some("openid READ_GRAPH".into()),
                    resource: vec!["https://a.example/".into(), "https://b.example/".into()],
                    nonce: Some("n".into()),
                    ..AuthorizeParams::default()
                },
                decision,
                chosen_scope: Some("openid".into()),
            });
        }
        round_trip(AuthorizeRequest {
            params: AuthorizeParams::default(),
            decision: Decision::Deny,
            chosen_scope: None,
        });
        round_trip(LogoutConfirmation {
            query: "id_token_hint=a.b.c&state=s%20%22".into(),
        });
        let credentials = Credentials {
            email: "a@example.com".into(),
            password: Password::new("pä$$ \"word\""),
        };
        let ours = to_string(&credentials).unwrap();
        let server: Credentials = serde_json::from_str(&ours).unwrap();
        assert_eq!(server.email, credentials.email);
        assert_eq!(server.password.secret(), credentials.password.secret());
    }

    #[wasm_bindgen_test]
    fn what_is_not_the_type_is_refused() {
        assert!(from_js::<Me>(parse(r#"{"user_id": 1, "email": "a"}"#)).is_err());
        assert!(from_js::<AuthorizeResponse>(parse("[]")).is_err());
        assert!(from_js::<AppInfo>(parse("null")).is_err());
        // Each type checks its own JS type.
        let me = |auth_time: &str, email: &str| {
            from_js::<Me>(parse(&format!(
                r#"{{"user_id": "u", "email": {email}, "auth_time": {auth_time}}}"#
            )))
        };
        assert!(me("1", r#""a@example.com""#).is_ok());
        assert!(me("1.5", r#""a""#).is_err(), "a fraction is no integer");
        assert!(me(r#""1""#, r#""a""#).is_err(), "a string is no number");
        assert!(me("1", "true").is_err(), "a boolean is no string");
        assert!(from_js::<AuthConfig>(parse(r#"{"signup_enabled": "yes"}"#)).is_err());
        assert!(
            from_js::<ConnectedApps>(parse(r#"{"apps": {}}"#)).is_err(),
            "an object is no list"
        );
        assert!(
            from_js::<AuthConfig>(parse(
                r#"{"signup_enabled": true, "extra": [1, {"a": null}]}"#
            ))
            .is_ok(),
            "unknown members are skipped, whatever they hold"
        );
    }
}
