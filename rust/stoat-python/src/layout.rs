//! The timeline layout as Python data, built directly from the core's structs: this is
//! on the hot path (every read of a timeline), so it skips the JSON intermediate.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;
use stoat_core::{layout, micros_to_seconds as s, Timeline};

/// `{"duration", "duration_us", "frames", "tracks": [{"id", "kind", "duration", "clips":
/// [{"id", "kind", "source", "in", "out", "start", "end", "duration", "frame_start",
/// "frame_count", "transition_in"}]}]}`, times in seconds; the same shape as
/// `stoat_core::layout_wire`.
pub(crate) fn layout_to_python<'py>(py: Python<'py>, t: &Timeline) -> PyResult<Bound<'py, PyDict>> {
    let l = layout(t);
    let tracks = PyList::empty(py);
    for (track, placed) in t.doc.tracks.iter().zip(&l.tracks) {
        let clips = PyList::empty(py);
        for (clip, p) in track.clips.iter().zip(&placed.clips) {
            let d = PyDict::new(py);
            d.set_item(intern!(py, "id"), &p.id)?;
            d.set_item(intern!(py, "kind"), clip.kind.as_str())?;
            d.set_item(intern!(py, "source"), clip.source.as_deref())?;
            d.set_item(intern!(py, "in"), clip.in_point.map(s))?;
            d.set_item(intern!(py, "out"), clip.out_point.map(s))?;
            d.set_item(intern!(py, "start"), s(p.start))?;
            d.set_item(intern!(py, "end"), s(p.end))?;
            d.set_item(intern!(py, "duration"), s(p.duration))?;
            d.set_item(intern!(py, "frame_start"), p.frame_start)?;
            d.set_item(intern!(py, "frame_count"), p.frame_count)?;
            d.set_item(intern!(py, "transition_in"), s(p.transition_in))?;
            clips.append(d)?;
        }
        let td = PyDict::new(py);
        td.set_item(intern!(py, "id"), &track.id)?;
        td.set_item(intern!(py, "kind"), track.kind.as_str())?;
        td.set_item(intern!(py, "duration"), s(placed.duration))?;
        td.set_item(intern!(py, "clips"), clips)?;
        tracks.append(td)?;
    }
    let out = PyDict::new(py);
    out.set_item(intern!(py, "duration"), s(l.duration))?;
    out.set_item(intern!(py, "duration_us"), l.duration)?;
    out.set_item(intern!(py, "frames"), l.frames)?;
    out.set_item(intern!(py, "tracks"), tracks)?;
    Ok(out)
}

/// A laid-out clip as [`layout_to_python`] shows it, for JSON.
#[derive(Serialize)]
struct ClipJson<'a> {
    id: &'a str,
    kind: &'static str,
    source: Option<&'a str>,
    #[serde(rename = "in")]
    in_point: Option<f64>,
    out: Option<f64>,
    start: f64,
    end: f64,
    duration: f64,
    frame_start: i64,
    frame_count: i64,
    transition_in: f64,
}

/// A laid-out track as [`layout_to_python`] shows it, for JSON.
#[derive(Serialize)]
struct TrackJson<'a> {
    id: &'a str,
    kind: &'static str,
    duration: f64,
    clips: Vec<ClipJson<'a>>,
}

/// The layout as [`layout_to_python`] shows it, for JSON.
#[derive(Serialize)]
struct LayoutJson<'a> {
    duration: f64,
    duration_us: i64,
    frames: i64,
    tracks: Vec<TrackJson<'a>>,
}

/// [`layout_to_python`] as JSON, with the same keys in the same order: what the read
/// models store, written without building Python objects.
pub(crate) fn layout_to_json(t: &Timeline) -> serde_json::Result<Vec<u8>> {
    let l = layout(t);
    let tracks = t
        .doc
        .tracks
        .iter()
        .zip(&l.tracks)
        .map(|(track, placed)| TrackJson {
            id: &track.id,
            kind: track.kind.as_str(),
            duration: s(placed.duration),
            clips: track
                .clips
                .iter()
                .zip(&placed.clips)
                .map(|(clip, p)| ClipJson {
                    id: &p.id,
                    kind: clip.kind.as_str(),
                    source: clip.source.as_deref(),
                    in_point: clip.in_point.map(s),
                    out: clip.out_point.map(s),
                    start: s(p.start),
                    end: s(p.end),
                    duration: s(p.duration),
                    frame_start: p.frame_start,
                    frame_count: p.frame_count,
                    transition_in: s(p.transition_in),
                })
                .collect(),
        })
        .collect();
    serde_json::to_vec(&LayoutJson {
        duration: s(l.duration),
        duration_us: l.duration,
        frames: l.frames,
        tracks,
    })
}
