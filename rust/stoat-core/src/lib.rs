//! The pure domain core of Stoat, an event-sourced video editor.
//!
//! * [`decide_create`], [`decide`], [`decide_undo`], [`decide_redo`], [`decide_restore`],
//!   [`decide_fork`] and [`evolve`] form the timeline decider: commands in, events or
//!   located errors out; events folded into the [`State`].
//! * Edits are read exactly as agents send them (seconds, colour names, `"30000/1001"`),
//!   from one definition per op, effect, transition and layout that also gives the JSON
//!   Schema ([`edit_schema`], [`effects_catalog`], [`transitions_catalog`],
//!   [`layouts_catalog`]).
//! * [`layout`] places clips with exact frame ranges; [`diff`] and [`summarize`] describe
//!   changes; [`compile_render`] turns a timeline into the complete FFmpeg argv.
//! * [`referenced_paths`] lists the files edits name, so that the caller can check them
//!   ([`check_path`]) and probe them before deciding; [`progress`] reads render progress.
//!
//! No Python types appear here: the `stoat-python` crate is the thin binding.
//!
//! ```
//! use serde_json::json;
//! use stoat_core::*;
//! let mut state = initial_state();
//! for event in decide_create("demo", "Demo", &json!({"fps": "30000/1001"})).unwrap() {
//!     evolve(&mut state, &event);
//! }
//! let media = MediaMap::from([("/m/a.mp4".to_owned(), MediaInfo {
//!     duration: 12_500_000, has_video: true, has_audio: true, ..MediaInfo::default() })]);
//! let edits = [json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": 13})];
//! let errors = decide(&state, &edits, &media, &Env::default()).unwrap_err();
//! let e = &errors.errors()[0];
//! assert_eq!(e.code, ErrorCode::OutBeyondDuration);
//! assert_eq!(e.loc, [LocItem::from("edits"), LocItem::from(0), LocItem::from("out")]);
//! assert_eq!(e.hint.as_deref(), Some("out must be at most 12.5 s, the source's duration"));
//! ```

mod color;
mod decider;
mod diff;
mod easing;
mod edits;
mod effects;
mod error;
mod events;
mod history;
mod invariants;
mod json;
mod layouts;
mod model;
mod path;
mod placement;
mod progress;
mod render;
mod rules;
mod snapshot;
mod spec;
mod summary;
#[cfg(test)]
mod test_support;
mod time;
mod transitions;

pub use color::{parse_color, COLOR_NAMES};
pub use decider::{
    decide, decide_create, decide_fork, decide_redo, decide_restore, decide_undo, evolve,
    initial_state, require_timeline, EditInput, MAX_NAME_CHARS,
};
pub use diff::diff;
pub use easing::{
    canonical_easing, ease, easing_expression, read_keyframes, value_at, Keyframe,
    CANONICAL_EASINGS, EASINGS,
};
pub use edits::{edit_ops, edit_schema, example_edits, referenced_paths, Edit};
pub use effects::{effect_types, effects_catalog};
pub use error::{ErrorCode, InternalError, LocItem, ValidationError, ValidationErrors};
pub use events::{
    inverse, Batch, Change, ClipAdded, ClipMoved, ClipPatch, ClipRemoved, ClipTrimmed, ClipUpdated,
    EditsRedone, EditsUndone, EffectApplied, EffectRemoved, EffectUpdated, Event, KeyframesSet,
    LayoutSet, OutputSet, ProjectCreated, ProjectForked, ProjectRestored, TrackAdded, TrackPatch,
    TrackRemoved, TrackUpdated, TransitionRemoved, TransitionSet, EVENT_TYPES,
};
pub use history::{History, Step, MAX_UNDO_STEPS};
pub use layouts::{grid_of, layout_types, layouts_catalog, CORNERS};
pub use model::{
    output_presets, Clip, ClipAt, ClipKind, Crop, Doc, Ducking, Effect, Env, Freeze, IdCounters,
    Loudness, MediaInfo, MediaMap, Origin, OutputSettings, State, Timeline, Track, TrackKind,
    Transform, Transition, WireClip, WireDucking, WireFreeze, WireKeyframe, WireMedia, WireOutput,
    WireTimeline, WireTrack, WireTransition, FIT_MODES, ID_PREFIXES, MAX_DIMENSION, MAX_FPS,
    MAX_TIMELINE_DURATION, MAX_TIMELINE_SECONDS, MIN_DIMENSION, OUTPUT_PRESETS, ROLES,
    SAMPLE_RATES,
};
pub use path::check_path;
pub use placement::{layout, layout_wire, Layout, PlacedClip, PlacedTrack};
pub use progress::{progress, Progress};
pub use render::{
    compile_render, compile_render_script, encoder_trial_argv, filter_escape, render_presets,
    render_presets_catalog, RenderRequest,
};
pub use rules::{is_valid_id, MAX_ID_LEN};
pub use snapshot::{decode_snapshot, encode_snapshot, SNAPSHOT_VERSION};
pub use summary::{summarize, summarize_change};
pub use time::{
    format_seconds, micros_to_seconds, seconds_to_micros, Micros, Rational, RationalError,
    MAX_RATIONAL_COMPONENT, MICROS_PER_SECOND,
};
pub use transitions::{transitions_catalog, FFMPEG_TRANSITIONS, MAX_TRANSITION_SECONDS};
