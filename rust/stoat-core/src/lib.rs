//! The pure domain core of Stoat, an event-sourced video editor.
//!
//! * [`decide_create`], [`decide`] and [`evolve`] form the timeline decider: edits in,
//!   events or located errors out; events folded into the [`State`].
//! * [`layout`] places clips back to back with exact frame ranges.
//! * [`compile_render`] turns a timeline into the complete FFmpeg argv.
//! * [`check_path`] confines caller paths to allowed roots; [`progress`] reads render
//!   progress.
//!
//! No Python types appear here: the `stoat-python` crate is the thin binding.
//!
//! ```
//! use serde_json::json;
//! use stoat_core::*;
//! let mut state = initial_state();
//! let output = json!({"width": 1280, "height": 720, "fps": "30000/1001", "sample_rate": 48000});
//! for event in decide_create("demo", "Demo", &output).unwrap() {
//!     evolve(&mut state, &event);
//! }
//! let media = MediaMap::from([("/m/a.mp4".to_owned(), MediaInfo {
//!     duration: 12_500_000, has_video: true, has_audio: true, width: None, height: None })]);
//! let edits = [json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": 13_000_000})];
//! let errors = decide(&state, &edits, &media).unwrap_err();
//! let e = &errors.errors()[0];
//! assert_eq!(e.code, ErrorCode::OutBeyondDuration);
//! assert_eq!(e.loc, [LocItem::from("edits"), LocItem::from(0), LocItem::from("out")]);
//! assert_eq!(e.hint.as_deref(), Some("out must be at most 12.5 s, the source's duration"));
//! ```

mod decider;
mod edits;
mod error;
mod events;
mod json;
mod layout;
mod model;
mod output;
mod path;
mod progress;
mod render;
mod rules;
mod snapshot;
mod time;

pub use decider::{
    decide, decide_create, evolve, initial_state, require_timeline, EditInput, MAX_NAME_CHARS,
};
pub use edits::{edit_ops, AddClip, Edit, RemoveClip, UpdateClip};
pub use error::{ErrorCode, InternalError, LocItem, ValidationError, ValidationErrors};
pub use events::{ClipAdded, ClipRemoved, ClipTrimmed, Event, ProjectCreated, EVENT_TYPES};
pub use layout::{layout, Layout, PlacedClip};
pub use model::{Clip, MediaInfo, MediaMap, State, Timeline, MAX_TIMELINE_DURATION};
pub use output::{OutputSettings, MAX_DIMENSION, MAX_FPS, MIN_DIMENSION, SAMPLE_RATES};
pub use path::check_path;
pub use progress::{progress, Progress};
pub use render::{compile_render, filter_escape, render_presets, RenderRequest};
pub use rules::{is_valid_id, MAX_ID_LEN};
pub use snapshot::{decode_snapshot, encode_snapshot, SNAPSHOT_VERSION};
pub use time::{
    format_seconds, Micros, Rational, RationalError, MAX_RATIONAL_COMPONENT, MICROS_PER_SECOND,
};
