//! JSON type names and `wrong_type` errors, shared by the readers.

use serde_json::Value;

use crate::error::{ErrorCode, ValidationError};

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_json_types() {
        let e = wrong_type("edit", "object", &json!([1]));
        assert_eq!(e.code, ErrorCode::WrongType);
        assert_eq!(e.msg, "edit must be an object, not array");
        assert_eq!(type_name(&json!(1.5)), "number");
        assert_eq!(type_name(&json!(1)), "integer");
    }
}
