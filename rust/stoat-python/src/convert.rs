//! Python values in and out of the core's serde types (pythonize both ways).

use std::borrow::Cow;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pythonize::depythonize;
use serde_json::Value;
use stoat_core::{Edit, EditInput, ErrorCode, Event, ValidationError, ValidationErrors};

/// Python data as JSON for the core's readers; `what` names it in the `ValueError`.
pub(crate) fn to_json(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    depythonize(value)
        .map_err(|e| PyValueError::new_err(format!("{what} is not JSON-like data: {e}")))
}

/// JSON as Python data, built directly (faster than going through serde for big
/// layouts): objects become dicts with interned keys, integers ints, other numbers floats.
pub(crate) fn value_to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => PyInt::new(py, i).into_any(),
            (None, Some(u)) => PyInt::new(py, u).into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(PyString::intern(py, k), value_to_python(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Events as `[(type name, data dict), ...]`.
pub(crate) fn events_to_python<'py>(
    py: Python<'py>,
    events: &[Event],
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for event in events {
        let data = event
            .data()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        list.append(PyTuple::new(
            py,
            [
                PyString::new(py, event.type_name()).into_any(),
                value_to_python(py, &data)?,
            ],
        )?)?;
    }
    Ok(list)
}

/// One edit as it came from Python: JSON, or why it could not be read as JSON (a huge
/// integer, a non-string key, ...). The second becomes an error located at the edit, so
/// one unreadable edit does not hide the errors of the others.
pub(crate) struct PyEdit(Result<Value, String>);

impl PyEdit {
    /// The edit as JSON (`null` when it could not be read).
    pub(crate) fn into_value(self) -> Value {
        self.0.unwrap_or(Value::Null)
    }
}

impl EditInput for PyEdit {
    fn to_edit(&self) -> Result<Cow<'_, Edit>, ValidationErrors> {
        match &self.0 {
            Ok(value) => value.to_edit(),
            Err(reason) => Err(ValidationError::new(
                ErrorCode::WrongType,
                format!("the edit is not JSON-like data: {reason}"),
            )
            .hint("send objects of strings, integers, booleans and null only")
            .ctx("expected", "object")
            .into()),
        }
    }
}

/// The edits of a batch: any sequence except text.
pub(crate) fn edits_from_python(edits: &Bound<'_, PyAny>) -> PyResult<Vec<PyEdit>> {
    if edits.is_instance_of::<PyString>() || edits.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "edits must be a list of dicts, not text",
        ));
    }
    edits
        .try_iter()?
        .map(|item| {
            let item = item?;
            Ok(PyEdit(
                depythonize::<Value>(&item).map_err(|e| e.to_string()),
            ))
        })
        .collect()
}
