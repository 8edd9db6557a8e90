//! Reading untrusted JSON into domain types while collecting *every* problem, not just the first:
//! a recruiter who mistyped three fields should learn about all three in one answer.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// One invalid field, as in RFC 9457's example extension member `errors`: where it is (a JSON
/// Pointer into the body, or the name of a query parameter) and why it is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// A JSON Pointer (RFC 6901) to the body's field, `""` for the body itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub pointer: Option<String>,
    /// The query parameter's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub parameter: Option<String>,
    /// The header's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub header: Option<String>,
    /// What is wrong with it, for a person.
    pub detail: String,
}

impl FieldError {
    /// A problem with the body's field at `pointer` (a JSON Pointer, RFC 6901).
    pub fn body(pointer: &str, detail: impl Into<String>) -> Self {
        Self {
            pointer: Some(pointer.to_owned()),
            parameter: None,
            header: None,
            detail: detail.into(),
        }
    }

    /// A problem with a request header.
    pub fn header(name: &str, detail: impl Into<String>) -> Self {
        Self {
            pointer: None,
            parameter: None,
            header: Some(name.to_owned()),
            detail: detail.into(),
        }
    }
}

/// Why a body could not even be read as a JSON object (answered with 400, not 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MalformedJson {
    #[error("the body is not valid JSON: {0}")]
    Syntax(String),
    #[error("the body must be a JSON object")]
    NotAnObject,
}

/// Parses a JSON document, rejecting duplicate keys at any depth. `serde_json` would silently keep
/// the last one, so `{"email":"a@x.com","email":"b@y.com"}` could mean different things to a proxy
/// that validated it and to us.
pub fn parse_json_object(body: &[u8]) -> Result<Map<String, Value>, MalformedJson> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = StrictValue
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|error| MalformedJson::Syntax(error.to_string()))?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(MalformedJson::NotAnObject),
    }
}

struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key {key:?}")));
            }
            let value = access.next_value_seed(StrictValue)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// Takes the known fields out of a JSON object one by one, recording what is wrong with each; what
/// is left at the end are unknown fields, which are errors too (a typo like `notifyme` must not be
/// silently ignored).
pub struct ObjectReader {
    base: String,
    fields: Map<String, Value>,
    known: Vec<&'static str>,
}

impl ObjectReader {
    pub fn new(base: impl Into<String>, fields: Map<String, Value>) -> Self {
        Self {
            base: base.into(),
            fields,
            known: Vec::new(),
        }
    }

    pub fn pointer(&self, field: &str) -> String {
        format!("{}/{}", self.base, field)
    }

    /// The field's value; `None` when absent or `null` (both mean "not given").
    pub fn take(&mut self, field: &'static str) -> Option<Value> {
        self.known.push(field);
        self.fields.remove(field).filter(|value| !value.is_null())
    }

    pub fn required(&mut self, field: &'static str, errors: &mut FieldErrors) -> Option<Value> {
        let value = self.take(field);
        if value.is_none() {
            errors.add(self.pointer(field), "is required");
        }
        value
    }

    pub fn required_string(
        &mut self,
        field: &'static str,
        errors: &mut FieldErrors,
    ) -> Option<String> {
        let value = self.required(field, errors)?;
        self.expect_string(field, value, errors)
    }

    /// A required string field, parsed into a domain value.
    pub fn required_parsed<T, E: fmt::Display>(
        &mut self,
        field: &'static str,
        errors: &mut FieldErrors,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = self.required_string(field, errors)?;
        errors.check(self.pointer(field), parse(&raw))
    }

    pub fn optional_string(
        &mut self,
        field: &'static str,
        errors: &mut FieldErrors,
    ) -> Option<String> {
        let value = self.take(field)?;
        self.expect_string(field, value, errors)
    }

    fn expect_string(&self, field: &str, value: Value, errors: &mut FieldErrors) -> Option<String> {
        match value {
            Value::String(text) => Some(text),
            other => {
                errors.add(
                    self.pointer(field),
                    format!("must be a string, not {}", json_type(&other)),
                );
                None
            }
        }
    }

    /// An optional boolean that defaults to `false`, like an unticked checkbox.
    pub fn flag(&mut self, field: &'static str, errors: &mut FieldErrors) -> bool {
        self.flag_or(field, false, errors)
    }

    /// A boolean field, `default` when absent.
    pub fn flag_or(
        &mut self,
        field: &'static str,
        default: bool,
        errors: &mut FieldErrors,
    ) -> bool {
        match self.take(field) {
            None => default,
            Some(Value::Bool(flag)) => flag,
            Some(other) => {
                errors.add(
                    self.pointer(field),
                    format!("must be true or false, not {}", json_type(&other)),
                );
                default
            }
        }
    }

    pub fn optional_whole_number(
        &mut self,
        field: &'static str,
        range: std::ops::RangeInclusive<u32>,
        errors: &mut FieldErrors,
    ) -> Option<u32> {
        let value = self.take(field)?;
        let number = value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| range.contains(n));
        if number.is_none() {
            errors.add(
                self.pointer(field),
                format!(
                    "must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            );
        }
        number
    }

    /// Reports every field that no `take` asked for.
    pub fn finish(self, errors: &mut FieldErrors) {
        for unknown in self.fields.keys() {
            let hint = self
                .known
                .iter()
                .find(|known| known.eq_ignore_ascii_case(unknown))
                .map(|known| format!("; did you mean {known:?}?"))
                .unwrap_or_default();
            errors.add(
                format!("{}/{}", self.base, escape_pointer_token(unknown)),
                format!("is not a known field{hint}"),
            );
        }
    }
}

/// RFC 6901: `~` and `/` inside a key must be escaped in a JSON Pointer.
fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The invalid fields of one request, in the order of their locations, one message for each.
#[derive(Debug, Default)]
pub struct FieldErrors(BTreeMap<Location, String>);

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Location {
    Parameter(String),
    Pointer(String),
}

impl FieldErrors {
    /// A problem with the body field at this JSON Pointer.
    pub fn add(&mut self, pointer: impl Into<String>, detail: impl Into<String>) {
        self.insert(Location::Pointer(pointer.into()), detail.into());
    }

    /// A problem with this query parameter.
    pub fn add_parameter(&mut self, name: impl Into<String>, detail: impl Into<String>) {
        self.insert(Location::Parameter(name.into()), detail.into());
    }

    fn insert(&mut self, location: Location, detail: String) {
        self.0.entry(location).or_insert(detail);
    }

    /// Records the outcome of a domain parser, keeping the value when it is valid.
    pub fn check<T, E: fmt::Display>(
        &mut self,
        pointer: impl Into<String>,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(pointer, error.to_string());
                None
            }
        }
    }

    /// Like `check`, for a query parameter.
    pub fn check_parameter<T, E: fmt::Display>(
        &mut self,
        name: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        result
            .map_err(|error| self.add_parameter(name, error.to_string()))
            .ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
            .into_iter()
            .map(|(location, detail)| match location {
                Location::Pointer(pointer) => FieldError {
                    pointer: Some(pointer),
                    parameter: None,
                    header: None,
                    detail,
                },
                Location::Parameter(name) => FieldError {
                    pointer: None,
                    parameter: Some(name),
                    header: None,
                    detail,
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn duplicate_keys_are_rejected_at_any_depth() {
        assert!(parse_json_object(br#"{"a":1,"a":2}"#).is_err());
        assert!(parse_json_object(br#"{"q":[{"t":1,"t":1}]}"#).is_err());
        assert!(parse_json_object(br#"{"a":{"b":1},"c":{"b":2}}"#).is_ok());
    }

    #[test]
    fn only_a_json_object_is_a_body() {
        assert_eq!(parse_json_object(b"[1]"), Err(MalformedJson::NotAnObject));
        assert_eq!(parse_json_object(b"null"), Err(MalformedJson::NotAnObject));
        assert!(matches!(
            parse_json_object(b"{"),
            Err(MalformedJson::Syntax(_))
        ));
        assert!(matches!(
            parse_json_object(b"{} {}"),
            Err(MalformedJson::Syntax(_))
        ));
        assert!(matches!(
            parse_json_object(b""),
            Err(MalformedJson::Syntax(_))
        ));
    }

    #[test]
    fn unknown_fields_are_reported_with_a_hint() {
        let Value::Object(map) = json!({"notifyme": true, "a/b": 1}) else {
            unreachable!()
        };
        let mut reader = ObjectReader::new("", map);
        let mut errors = FieldErrors::default();
        assert!(!reader.flag("notifyMe", &mut errors));
        reader.finish(&mut errors);
        let errors = errors.into_vec();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].pointer.as_deref(), Some("/a~1b"));
        assert_eq!(errors[1].pointer.as_deref(), Some("/notifyme"));
        assert!(errors[1].detail.contains("did you mean \"notifyMe\""));
    }

    #[test]
    fn wrong_types_are_named() {
        let Value::Object(map) = json!({"name": 5, "flag": "yes", "n": -1}) else {
            unreachable!()
        };
        let mut reader = ObjectReader::new("/x", map);
        let mut errors = FieldErrors::default();
        assert_eq!(reader.required_string("name", &mut errors), None);
        assert!(!reader.flag("flag", &mut errors));
        assert_eq!(reader.optional_whole_number("n", 0..=5, &mut errors), None);
        assert_eq!(reader.required_string("missing", &mut errors), None);
        let details: Vec<_> = errors
            .into_vec()
            .into_iter()
            .map(|e| format!("{} {}", e.pointer.unwrap(), e.detail))
            .collect();
        assert_eq!(
            details,
            [
                "/x/flag must be true or false, not a string",
                "/x/missing is required",
                "/x/n must be a whole number from 0 to 5",
                "/x/name must be a string, not a number",
            ]
        );
    }
}
