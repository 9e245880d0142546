//! Stored values back to wire units (microseconds to seconds), guided by the spec they
//! were read with, so that what an agent reads is what it can send back.

use serde_json::{Map, Value};

use super::{Field, Ty};
use crate::time::micros_to_seconds;

/// The wire form of a stored object read with `groups`; keys without a field are kept.
pub(crate) fn object_to_wire(groups: &[&[Field]], stored: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for (key, value) in stored {
        let field = groups.iter().flat_map(|g| g.iter()).find(|f| f.name == key);
        let wire = match field {
            Some(field) => to_wire(&field.ty, value),
            None => value.clone(),
        };
        out.insert(key.clone(), wire);
    }
    Value::Object(out)
}

/// The wire form of one stored value of type `ty`.
pub(crate) fn to_wire(ty: &Ty, stored: &Value) -> Value {
    match (ty, stored) {
        (Ty::Seconds { .. }, Value::Number(n)) => match n.as_i64() {
            Some(micros) => Value::from(micros_to_seconds(micros)),
            None => stored.clone(),
        },
        (Ty::List { item, .. }, Value::Array(items)) => {
            Value::Array(items.iter().map(|v| to_wire(item, v)).collect())
        }
        (Ty::Obj(fields), Value::Object(map)) => object_to_wire(&[fields], map),
        (Ty::Effect, Value::Object(map)) => crate::effects::effect_to_wire(map),
        (Ty::ScreenLayout, Value::Object(map)) => crate::layouts::layout_to_wire(map),
        _ => stored.clone(),
    }
}
