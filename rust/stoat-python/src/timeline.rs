//! `Timeline`: the decider's state, kept on the Rust side between calls.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use pythonize::depythonize;
use stoat_core::{
    compile_render, decide, decide_create, decode_snapshot, encode_snapshot, evolve, initial_state,
    layout, require_timeline, Event, MediaMap, RenderRequest, State,
};

use crate::convert::{edits_from_python, events_to_python, to_json, to_python};
use crate::errors::IntoPyResult;

/// A project's timeline; `Timeline()` is the state before `ProjectCreated`.
#[pyclass(module = "stoat._core", name = "Timeline")]
pub(crate) struct Timeline {
    state: State,
}

#[pymethods]
impl Timeline {
    #[new]
    fn new() -> Self {
        Self {
            state: initial_state(),
        }
    }

    /// `[("ProjectCreated", data)]`, or `ValidationError`.
    #[staticmethod]
    fn decide_create<'py>(
        py: Python<'py>,
        project_id: &str,
        name: &str,
        output: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let output = to_json(output, "output")?;
        let events = decide_create(project_id, name, &output).into_py_result(py)?;
        events_to_python(py, &events)
    }

    /// The events of a whole batch, or `ValidationError` with every problem found.
    fn decide<'py>(
        &self,
        py: Python<'py>,
        edits: &Bound<'py, PyAny>,
        media: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let edits = edits_from_python(edits)?;
        let media: MediaMap = depythonize(media)
            .map_err(|e| PyValueError::new_err(format!("invalid media map: {e}")))?;
        let events = decide(&self.state, &edits, &media).into_py_result(py)?;
        events_to_python(py, &events)
    }

    /// Applies one stored event; `ValueError` when the data is not that event.
    fn evolve(
        &mut self,
        py: Python<'_>,
        event_type: &str,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let data = to_json(data, "event data")?;
        let event = Event::from_parts(event_type, data).into_py_result(py)?;
        evolve(&mut self.state, &event);
        Ok(())
    }

    /// The project and its clips as plain data.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let timeline = require_timeline(&self.state).into_py_result(py)?;
        to_python(py, timeline)
    }

    /// Clip positions and frame ranges.
    fn layout<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let timeline = require_timeline(&self.state).into_py_result(py)?;
        to_python(py, &layout(timeline))
    }

    /// The number of clips (0 before creation).
    #[getter]
    fn clip_count(&self) -> usize {
        self.state.as_ref().map_or(0, |t| t.clips.len())
    }

    /// The state as snapshot bytes.
    fn to_snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = encode_snapshot(&self.state).into_py_result(py)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// A timeline from snapshot bytes; `ValueError` when they do not decode.
    #[staticmethod]
    fn from_snapshot(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = data
            .cast::<PyBytes>()
            .map_err(|_| PyTypeError::new_err("a snapshot is bytes"))?;
        let state = decode_snapshot(bytes.as_bytes()).into_py_result(py)?;
        Ok(Self { state })
    }

    /// The complete FFmpeg argv for `request`, or `ValidationError`.
    fn compile_render<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<String>> {
        let request = RenderRequest::from_json(&to_json(request, "request")?).into_py_result(py)?;
        let timeline = require_timeline(&self.state).into_py_result(py)?;
        compile_render(timeline, &request).into_py_result(py)
    }

    fn __repr__(&self) -> String {
        match &self.state {
            None => "Timeline()".to_owned(),
            Some(t) => format!(
                "<Timeline project_id={:?} clips={}>",
                t.project_id,
                t.clips.len()
            ),
        }
    }
}
