//! `stoat._core`: the thin PyO3 binding of `stoat-core`.
//!
//! Conversions only; every rule lives in the core. The module's exports are listed once,
//! in [`_core`], and mirrored by the hand-written stub `src/stoat/_core.pyi` (a test checks
//! that the two agree).

mod convert;
mod errors;
mod layout;
mod timeline;

use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList, PyString, PyTuple};
use serde_json::Value;
use stoat_core::{ErrorCode, LocItem, ValidationError, ValidationErrors};

use crate::convert::{to_json, value_to_python};
use crate::errors::IntoPyResult;

/// `(fraction, eta_seconds)` of a render from FFmpeg's `out_time_us`.
#[pyfunction]
fn progress(out_time_us: i64, total_us: i64, elapsed_us: i64) -> (f64, Option<f64>) {
    let p = stoat_core::progress(out_time_us, total_us, elapsed_us);
    (p.fraction, p.eta_seconds)
}

/// The canonical form of `path` if it lies inside one of `roots`; `ValidationError`
/// otherwise.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)] // PyO3 extracts arguments as owned values
fn check_path(py: Python<'_>, path: &str, roots: Vec<String>) -> PyResult<String> {
    stoat_core::check_path(path, &roots).into_py_result(py)
}

/// The JSON Schema of one edit (`oneOf` the ops, discriminated by `op`).
#[pyfunction]
#[pyo3(signature = (transitions=None))]
#[allow(clippy::needless_pass_by_value)]
fn edit_schema(py: Python<'_>, transitions: Option<Vec<String>>) -> PyResult<Bound<'_, PyAny>> {
    value_to_python(py, &stoat_core::edit_schema(transitions.as_deref()))
}

/// Every effect: type, description, `ai_hint`, parameters (JSON Schema), defaults, example.
#[pyfunction]
fn effects_catalog(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    value_to_python(py, &Value::Array(stoat_core::effects_catalog()))
}

/// Every transition of `available` (the installed FFmpeg's xfade names).
#[pyfunction]
#[allow(clippy::needless_pass_by_value)]
fn transitions_catalog(py: Python<'_>, available: Vec<String>) -> PyResult<Bound<'_, PyAny>> {
    value_to_python(
        py,
        &Value::Array(stoat_core::transitions_catalog(&available)),
    )
}

/// Every screen layout type.
#[pyfunction]
fn layouts_catalog(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    value_to_python(py, &Value::Array(stoat_core::layouts_catalog()))
}

/// The output aspect presets.
#[pyfunction]
fn output_presets(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    value_to_python(py, &Value::Array(stoat_core::output_presets()))
}

/// Every render preset, with its container, codecs, quality levels and request fields.
#[pyfunction]
fn render_presets(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    value_to_python(py, &Value::Array(stoat_core::render_presets_catalog()))
}

/// The argv of a one-frame trial encode with `encoder`.
#[pyfunction]
fn encoder_trial_argv(encoder: &str) -> Vec<String> {
    stoat_core::encoder_trial_argv(encoder)
}

/// `[(loc, path, kind), ...]` for every file the edits name.
#[pyfunction]
fn referenced_paths<'py>(
    py: Python<'py>,
    edits: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let edits: Vec<Value> = convert::edits_from_python(edits)?
        .into_iter()
        .map(convert::PyEdit::into_value)
        .collect();
    let out = PyList::empty(py);
    for (loc, path, kind) in stoat_core::referenced_paths(&edits) {
        let loc = PyTuple::new(
            py,
            loc.iter().map(|item| match item {
                LocItem::Key(key) => PyString::new(py, key).into_any(),
                LocItem::Index(i) => PyInt::new(py, *i).into_any(),
            }),
        )?;
        out.append((loc, path, kind))?;
    }
    Ok(out)
}

/// Eased progress for progress `t`; `ValidationError` for an unknown easing name.
#[pyfunction]
fn ease(py: Python<'_>, name: &str, t: f64) -> PyResult<f64> {
    stoat_core::ease(name, t)
        .ok_or_else(|| -> ValidationErrors {
            ValidationError::new(
                ErrorCode::InvalidChoice,
                format!("{name:?} is not an easing"),
            )
            .at("name")
            .hint(format!("use one of: {}", stoat_core::EASINGS.join(", ")))
            .ctx("value", name)
            .ctx("expected", stoat_core::EASINGS.to_vec())
            .into()
        })
        .into_py_result(py)
}

/// The value of wire-form keyframes at clip-relative time `t` seconds (`None` without
/// keyframes); `ValidationError` for malformed keyframes.
#[pyfunction]
fn value_at(py: Python<'_>, keyframes: &Bound<'_, PyAny>, t: f64) -> PyResult<Option<f64>> {
    let keyframes = stoat_core::read_keyframes(&to_json(keyframes, "keyframes")?)
        .map_err(|e| {
            let mut errors = ValidationErrors::default();
            errors.extend_prefixed(e, &["keyframes".into()]);
            errors
        })
        .into_py_result(py)?;
    let t = stoat_core::seconds_to_micros(t).unwrap_or(0);
    Ok(stoat_core::value_at(&keyframes, t))
}

/// The Rust core of Stoat: the timeline decider, catalogs, layout, FFmpeg argv compiler
/// and path checks. See `stoat/_core.pyi` for the typed API.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "ERROR_CODES",
        ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
    )?;
    m.add("EVENT_TYPES", stoat_core::EVENT_TYPES.to_vec())?;
    m.add("EDIT_OPS", stoat_core::edit_ops())?;
    m.add("EFFECT_TYPES", stoat_core::effect_types())?;
    m.add("LAYOUT_TYPES", stoat_core::layout_types())?;
    m.add("EASINGS", stoat_core::EASINGS.to_vec())?;
    m.add(
        "FFMPEG_TRANSITIONS",
        stoat_core::FFMPEG_TRANSITIONS.to_vec(),
    )?;
    m.add("RENDER_PRESETS", stoat_core::render_presets())?;
    m.add("SNAPSHOT_VERSION", stoat_core::SNAPSHOT_VERSION)?;
    m.add("ValidationError", errors::validation_error_type(py)?)?;
    m.add_class::<timeline::Timeline>()?;
    m.add_function(wrap_pyfunction!(check_path, m)?)?;
    m.add_function(wrap_pyfunction!(progress, m)?)?;
    m.add_function(wrap_pyfunction!(edit_schema, m)?)?;
    m.add_function(wrap_pyfunction!(effects_catalog, m)?)?;
    m.add_function(wrap_pyfunction!(transitions_catalog, m)?)?;
    m.add_function(wrap_pyfunction!(layouts_catalog, m)?)?;
    m.add_function(wrap_pyfunction!(output_presets, m)?)?;
    m.add_function(wrap_pyfunction!(render_presets, m)?)?;
    m.add_function(wrap_pyfunction!(encoder_trial_argv, m)?)?;
    m.add_function(wrap_pyfunction!(referenced_paths, m)?)?;
    m.add_function(wrap_pyfunction!(ease, m)?)?;
    m.add_function(wrap_pyfunction!(value_at, m)?)?;
    Ok(())
}
