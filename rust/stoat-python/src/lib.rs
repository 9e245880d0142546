//! `stoat._core`: the thin PyO3 binding of `stoat-core`.
//!
//! Conversions only; every rule lives in the core. The module's exports are listed once,
//! in [`_core`], and mirrored by the hand-written stub `src/stoat/_core.pyi` (a test checks
//! that the two agree).

mod convert;
mod errors;
mod timeline;

use pyo3::prelude::*;

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
    use errors::IntoPyResult;
    stoat_core::check_path(path, &roots).into_py_result(py)
}

/// The Rust core of Stoat: the timeline decider, layout, FFmpeg argv compiler and
/// path checks. See `stoat/_core.pyi` for the typed API.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "ERROR_CODES",
        stoat_core::ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
    )?;
    m.add("EVENT_TYPES", stoat_core::EVENT_TYPES.to_vec())?;
    m.add("EDIT_OPS", stoat_core::edit_ops())?;
    m.add("RENDER_PRESETS", stoat_core::render_presets())?;
    m.add("ValidationError", errors::validation_error_type(py)?)?;
    m.add_class::<timeline::Timeline>()?;
    m.add_function(wrap_pyfunction!(check_path, m)?)?;
    m.add_function(wrap_pyfunction!(progress, m)?)?;
    Ok(())
}
