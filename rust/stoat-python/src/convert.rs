//! Python values in and out of the core's serde types (pythonize both ways).

use std::borrow::Cow;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};
use pythonize::{depythonize, pythonize};
use serde::Serialize;
use serde_json::Value;
use stoat_core::{Edit, EditInput, ErrorCode, Event, ValidationError, ValidationErrors};

/// Any serialisable core value as Python data (dicts, lists, ints, strings, `None`).
pub(crate) fn to_python<'py, T: Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(pythonize(py, value)?)
}

/// Python data as JSON for the core's readers; `what` names it in the `ValueError`.
pub(crate) fn to_json(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    depythonize(value)
        .map_err(|e| PyValueError::new_err(format!("{what} is not JSON-like data: {e}")))
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
                to_python(py, &data)?,
            ],
        )?)?;
    }
    Ok(list)
}

/// One edit as it came from Python: JSON, or why it could not be read as JSON (a huge
/// integer, a non-string key, ...). The second becomes an error located at the edit, so
/// one unreadable edit does not hide the errors of the others.
pub(crate) struct PyEdit(Result<Value, String>);

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
