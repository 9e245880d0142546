//! Turning core errors into Python exceptions.
//!
//! User errors become one `ValidationError(ValueError)` carrying every item (pydantic-core
//! style); internal errors (corrupt events or snapshots) become a plain `ValueError`.

use std::ffi::CString;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyInt, PyList, PyString, PyTuple, PyType};
use pythonize::pythonize;
use stoat_core::{InternalError, LocItem, ValidationError, ValidationErrors};

/// The class, defined once per process by running [`SOURCE`].
static VALIDATION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The exception class, in Python: the stable ABI (abi3-py311) cannot subclass native
/// exception types from Rust before Python 3.12. Kept inside a `.rs` file so that the
/// build scripts' digest of `*.rs` files sees every change to it.
const SOURCE: &str = r#"
import copy


class ValidationError(ValueError):
    """Input was rejected; ``errors()`` lists every problem found, in order.

    Each item is ``{"code": str, "loc": tuple[str | int, ...], "msg": str,
    "hint": str | None, "ctx": dict}``. The arguments are ``(errors, title)``, so the
    exception pickles and copies like any other.
    """

    def __init__(self, errors, title=None):
        errors = list(errors)
        if title is None:
            title = f"{len(errors)} validation error{'' if len(errors) == 1 else 's'}"
        super().__init__(errors, title)

    def errors(self):
        """A fresh copy of the error items."""
        return copy.deepcopy(self.args[0])

    def __str__(self):
        lines = [self.args[1]]
        for error in self.args[0]:
            loc = ".".join(str(part) for part in error["loc"]) or "(root)"
            lines.append(f"  {loc}: {error['msg']} [{error['code']}]")
        return "\n".join(lines)
"#;

/// The `ValidationError` class.
pub(crate) fn validation_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    VALIDATION_ERROR
        .get_or_try_init(py, || {
            let code = CString::new(SOURCE)
                .map_err(|e| PyValueError::new_err(format!("bad embedded source: {e}")))?;
            let globals = PyDict::new(py);
            // The class's __module__ comes from here, so it prints as stoat._core.ValidationError.
            globals.set_item("__name__", "stoat._core")?;
            py.run(&code, Some(&globals), None)?;
            let class = globals
                .get_item("ValidationError")?
                .ok_or_else(|| PyValueError::new_err("ValidationError was not defined"))?;
            Ok(class.cast_into::<PyType>()?.unbind())
        })
        .map(|class| class.bind(py))
}

/// One error item as the Python dict that `ValidationError.errors()` returns.
fn error_item<'py>(py: Python<'py>, error: &ValidationError) -> PyResult<Bound<'py, PyDict>> {
    let loc = PyTuple::new(
        py,
        error.loc.iter().map(|item| match item {
            LocItem::Key(key) => PyString::new(py, key).into_any(),
            LocItem::Index(index) => PyInt::new(py, *index).into_any(),
        }),
    )?;
    let item = PyDict::new(py);
    item.set_item("code", error.code.as_str())?;
    item.set_item("loc", loc)?;
    item.set_item("msg", &error.msg)?;
    item.set_item("hint", error.hint.as_deref())?;
    item.set_item("ctx", pythonize(py, &error.ctx)?)?;
    Ok(item)
}

/// The `ValidationError` carrying `errors`.
pub(crate) fn validation_error(py: Python<'_>, errors: &ValidationErrors) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let items = PyList::empty(py);
        for error in errors.errors() {
            items.append(error_item(py, error)?)?;
        }
        let instance = validation_error_type(py)?.call1((items,))?;
        Ok(PyErr::from_value(instance))
    };
    build().unwrap_or_else(|e| e)
}

/// Extension for results of the core: converts errors at the boundary.
pub(crate) trait IntoPyResult<T> {
    /// The value, or the matching Python exception.
    fn into_py_result(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, ValidationErrors> {
    fn into_py_result(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|errors| validation_error(py, &errors))
    }
}

impl<T> IntoPyResult<T> for Result<T, InternalError> {
    fn into_py_result(self, _py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| PyValueError::new_err(e.to_string()))
    }
}
