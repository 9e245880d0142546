//! Reading caller-supplied JSON objects field by field, turning every structural problem
//! (wrong type, missing field, unknown field) into a located [`ValidationError`] instead of
//! serde's text messages.

use serde_json::{Map, Value};

use crate::error::{ErrorCode, ValidationError, ValidationErrors};

/// The JSON type name used in messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A `wrong_type` error (at the empty location) for `value` where `expected` belongs.
pub(crate) fn wrong_type(what: &str, expected: &str, value: &Value) -> ValidationError {
    let got = type_name(value);
    let a = article(expected);
    ValidationError::new(
        ErrorCode::WrongType,
        format!("{what} must be {a} {expected}, not {got}"),
    )
    .hint(format!("send {what} as {a} {expected}"))
    .ctx("expected", expected)
    .ctx("got", got)
}

fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Reads the fields of one JSON object, remembering which keys were asked for so that
/// [`ObjectReader::finish`] can report the others as unknown.
///
/// Optional fields treat `null` like absence, as serde's `Option` does. The `required_*`
/// readers return `None` only after recording an error, so a `None` from one of them always
/// comes with a non-empty error list.
pub(crate) struct ObjectReader<'a> {
    object: &'a Map<String, Value>,
    known: Vec<&'static str>,
    errors: ValidationErrors,
}

impl<'a> ObjectReader<'a> {
    /// A reader over `value`, or a `wrong_type` error when it is not an object.
    pub(crate) fn new(value: &'a Value, what: &str) -> Result<Self, ValidationError> {
        match value {
            Value::Object(object) => Ok(Self {
                object,
                known: Vec::new(),
                errors: ValidationErrors::default(),
            }),
            other => Err(wrong_type(what, "object", other)),
        }
    }

    /// Marks `key` as known without reading it (e.g. a tag read elsewhere).
    pub(crate) fn skip(&mut self, key: &'static str) {
        self.known.push(key);
    }

    fn lookup(&mut self, key: &'static str, required: bool) -> Option<&'a Value> {
        self.known.push(key);
        match self.object.get(key) {
            Some(Value::Null) | None if !required => None,
            None => {
                self.errors.push(
                    ValidationError::new(ErrorCode::MissingField, format!("{key} is required"))
                        .at(key),
                );
                None
            }
            Some(value) => Some(value),
        }
    }

    fn read<T>(
        &mut self,
        key: &'static str,
        required: bool,
        expected: &str,
        convert: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Option<T> {
        let value = self.lookup(key, required)?;
        let converted = convert(value);
        if converted.is_none() {
            self.errors.push(wrong_type(key, expected, value).at(key));
        }
        converted
    }

    /// A required string.
    pub(crate) fn required_str(&mut self, key: &'static str) -> Option<&'a str> {
        self.read(key, true, "string", Value::as_str)
    }

    /// An optional string.
    pub(crate) fn optional_str(&mut self, key: &'static str) -> Option<&'a str> {
        self.read(key, false, "string", Value::as_str)
    }

    /// A required integer that fits in `i64`.
    pub(crate) fn required_int(&mut self, key: &'static str) -> Option<i64> {
        self.read(key, true, "integer", Value::as_i64)
    }

    /// An optional integer that fits in `i64`.
    pub(crate) fn optional_int(&mut self, key: &'static str) -> Option<i64> {
        self.read(key, false, "integer", Value::as_i64)
    }

    /// A required value of any type, for fields with their own checks.
    pub(crate) fn required_value(&mut self, key: &'static str) -> Option<&'a Value> {
        self.lookup(key, true)
    }

    /// The errors so far, for a caller whose required field came back `None`.
    pub(crate) fn into_errors(mut self) -> ValidationErrors {
        self.report_unknown();
        debug_assert!(!self.errors.is_empty(), "a required field failed silently");
        self.errors
    }

    /// Reports unknown keys and returns every error found, or `Ok` when there were none.
    pub(crate) fn finish(mut self) -> Result<(), ValidationErrors> {
        self.report_unknown();
        self.errors.into_result(())
    }

    fn report_unknown(&mut self) {
        for key in self.object.keys() {
            if !self.known.contains(&key.as_str()) {
                let mut expected = self.known.clone();
                expected.sort_unstable();
                self.errors.push(
                    ValidationError::new(
                        ErrorCode::UnknownField,
                        format!("{key} is not a field here"),
                    )
                    .at(key.as_str())
                    .hint(format!(
                        "remove it; allowed fields: {}",
                        expected.join(", ")
                    ))
                    .ctx("allowed", expected),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_every_structural_problem() {
        let value = json!({"a": "x", "b": 1.5, "extra": true});
        let mut r = ObjectReader::new(&value, "thing").unwrap();
        assert_eq!(r.required_str("a"), Some("x"));
        assert_eq!(r.required_int("b"), None);
        assert_eq!(r.required_int("c"), None);
        assert_eq!(r.optional_int("d"), None);
        let errors = r.finish().unwrap_err();
        assert_eq!(
            errors.codes(),
            ["wrong_type", "missing_field", "unknown_field"]
        );
        assert_eq!(errors.errors()[0].ctx["got"], "number");
    }

    #[test]
    fn null_is_absent_for_optional_fields_only() {
        let value = json!({"a": null, "b": null});
        let mut r = ObjectReader::new(&value, "thing").unwrap();
        assert_eq!(r.optional_str("a"), None);
        assert_eq!(r.required_str("b"), None);
        assert_eq!(r.finish().unwrap_err().codes(), ["wrong_type"]);
    }

    #[test]
    fn rejects_non_objects() {
        let e = ObjectReader::new(&json!([1]), "edit").err().unwrap();
        assert_eq!(e.code, ErrorCode::WrongType);
        assert_eq!(e.msg, "edit must be an object, not array");
    }
}
