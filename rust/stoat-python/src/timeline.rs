//! `Timeline`: the decider's state, kept on the Rust side between calls.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use pythonize::{depythonize, pythonize};
use stoat_core::{
    compile_render, compile_render_script, decide, decide_create, decide_fork, decide_redo,
    decide_restore, decide_undo, decode_snapshot, diff, encode_snapshot, evolve, initial_state,
    require_timeline, summarize, Env, Event, MediaMap, RenderRequest, State,
};

use crate::convert::{edits_from_python, events_to_python, to_json, value_to_python};
use crate::errors::IntoPyResult;
use crate::layout::{layout_to_json, layout_to_python};

/// A project's timeline; `Timeline()` is the state before `ProjectCreated`.
#[pyclass(module = "stoat._core", name = "Timeline")]
pub(crate) struct Timeline {
    state: State,
}

fn env_from_python(env: Option<&Bound<'_, PyAny>>) -> PyResult<Env> {
    match env {
        None => Ok(Env::default()),
        Some(env) if env.is_none() => Ok(Env::default()),
        Some(env) => {
            depythonize(env).map_err(|e| PyValueError::new_err(format!("invalid env: {e}")))
        }
    }
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
    #[pyo3(signature = (edits, media, env=None))]
    fn decide<'py>(
        &self,
        py: Python<'py>,
        edits: &Bound<'py, PyAny>,
        media: &Bound<'py, PyAny>,
        env: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let edits = edits_from_python(edits)?;
        let media: MediaMap = depythonize(media)
            .map_err(|e| PyValueError::new_err(format!("invalid media map: {e}")))?;
        let env = env_from_python(env)?;
        let events = decide(&self.state, &edits, &media, &env).into_py_result(py)?;
        events_to_python(py, &events)
    }

    /// One `EditsUndone` per step, or `ValidationError` (`nothing_to_undo`).
    #[pyo3(signature = (steps=1))]
    fn decide_undo<'py>(&self, py: Python<'py>, steps: i64) -> PyResult<Bound<'py, PyList>> {
        let events = decide_undo(&self.state, steps).into_py_result(py)?;
        events_to_python(py, &events)
    }

    /// One `EditsRedone` per step, or `ValidationError` (`nothing_to_redo`).
    #[pyo3(signature = (steps=1))]
    fn decide_redo<'py>(&self, py: Python<'py>, steps: i64) -> PyResult<Bound<'py, PyList>> {
        let events = decide_redo(&self.state, steps).into_py_result(py)?;
        events_to_python(py, &events)
    }

    /// `[("ProjectRestored", data)]` back to `target` (this project at `to_version`).
    fn decide_restore<'py>(
        &self,
        py: Python<'py>,
        to_version: i64,
        target: &Timeline,
    ) -> PyResult<Bound<'py, PyList>> {
        let events = decide_restore(&self.state, to_version, &target.state).into_py_result(py)?;
        events_to_python(py, &events)
    }

    /// `[("ProjectForked", data)]`: the first event of a new project copied from `source`
    /// (the origin project at `origin_version`).
    #[staticmethod]
    fn decide_fork<'py>(
        py: Python<'py>,
        project_id: &str,
        name: &str,
        origin_project_id: &str,
        origin_version: i64,
        source: &Timeline,
    ) -> PyResult<Bound<'py, PyList>> {
        let events = decide_fork(
            project_id,
            name,
            origin_project_id,
            origin_version,
            &source.state,
        )
        .into_py_result(py)?;
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

    /// The project as plain data in wire units (seconds).
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let timeline = require_timeline(&self.state).into_py_result(py)?;
        Ok(pythonize(py, &timeline.wire())?)
    }

    /// `state()` as JSON bytes, built without Python objects: what the read models store.
    fn state_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let timeline = require_timeline(&self.state).into_py_result(py)?;
        // Without the GIL: a read model's document is the bulk of a projection's work,
        // and the request threads can run meanwhile.
        let bytes = py
            .detach(|| serde_json::to_vec(&timeline.wire()))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// `layout()` as JSON bytes, built without Python objects: what the read models store.
    fn layout_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let timeline = require_timeline(&self.state).into_py_result(py)?;
        let bytes = py
            .detach(|| layout_to_json(timeline))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Clip positions and frame ranges per track, in seconds.
    fn layout<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let timeline = require_timeline(&self.state).into_py_result(py)?;
        Ok(layout_to_python(py, timeline)?.into_any())
    }

    /// What changed from this timeline to `other`.
    fn diff<'py>(&self, py: Python<'py>, other: &Timeline) -> PyResult<Bound<'py, PyAny>> {
        let from = require_timeline(&self.state).into_py_result(py)?;
        let to = require_timeline(&other.state).into_py_result(py)?;
        value_to_python(py, &diff(from, to))
    }

    /// A one-line summary of a stored event; `ValueError` when the data is not that event.
    #[staticmethod]
    fn summarize(py: Python<'_>, event_type: &str, data: &Bound<'_, PyAny>) -> PyResult<String> {
        let data = to_json(data, "event data")?;
        summarize(event_type, data).into_py_result(py)
    }

    /// The number of events applied (0 before creation).
    #[getter]
    fn version(&self) -> u64 {
        self.state.as_ref().map_or(0, |t| t.version)
    }

    /// The number of clips on all tracks (0 before creation).
    #[getter]
    fn clip_count(&self) -> usize {
        self.state.as_ref().map_or(0, |t| t.doc.clip_count())
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

    /// The argv reading its filter graph from `script_path`, and the graph to write there.
    fn compile_render_script<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        script_path: &str,
    ) -> PyResult<(Vec<String>, String)> {
        let request = RenderRequest::from_json(&to_json(request, "request")?).into_py_result(py)?;
        let timeline = require_timeline(&self.state).into_py_result(py)?;
        compile_render_script(timeline, &request, script_path).into_py_result(py)
    }

    /// A copy that shares nothing (a Rust clone): the repository's aggregate cache hands
    /// each request its own copy, so a failed command cannot leak into the cache.
    fn __copy__(&self) -> Self {
        Self {
            state: self.state.clone(),
        }
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.__copy__()
    }

    fn __repr__(&self) -> String {
        match &self.state {
            None => "Timeline()".to_owned(),
            Some(t) => format!(
                "<Timeline project_id={:?} version={} clips={}>",
                t.project_id,
                t.version,
                t.doc.clip_count()
            ),
        }
    }
}
