//! The timeline decider: an initial state, `decide_*` (commands to events or errors) and a
//! pure, infallible `evolve` (fmodel-rust style).

use std::borrow::Cow;

use serde_json::Value;

use crate::edits::{Ctx, Edit};
use crate::error::{ErrorCode, LocItem, ValidationError, ValidationErrors};
use crate::events::{
    apply, inverse, Batch, Change, Event, ProjectCreated, ProjectForked, ProjectRestored,
};
use crate::invariants;
use crate::model::{Doc, Env, MediaMap, Origin, OutputSettings, State, Timeline, Track, TrackKind};
use crate::rules::check_id;
use crate::spec::Resources;

/// The longest project name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The state before any event: no project.
///
/// ```
/// assert!(stoat_core::initial_state().is_none());
/// ```
pub const fn initial_state() -> State {
    None
}

/// Something `decide` can take as an edit: caller JSON (read with located errors) or an
/// already read [`Edit`].
pub trait EditInput {
    /// The read edit, or its structural errors relative to the edit.
    fn to_edit(&self) -> Result<Cow<'_, Edit>, ValidationErrors>;
}

impl EditInput for Value {
    fn to_edit(&self) -> Result<Cow<'_, Edit>, ValidationErrors> {
        Edit::from_json(self).map(Cow::Owned)
    }
}

impl EditInput for Edit {
    fn to_edit(&self) -> Result<Cow<'_, Edit>, ValidationErrors> {
        Ok(Cow::Borrowed(self))
    }
}

fn check_name(name: &str, errors: &mut ValidationErrors) {
    let chars = name.chars().count();
    if name.trim().is_empty() {
        errors.push(
            ValidationError::new(ErrorCode::StringBlank, "name must not be blank")
                .at("name")
                .hint("give the project a short descriptive name"),
        );
    } else if chars > MAX_NAME_CHARS {
        errors.push(
            ValidationError::new(
                ErrorCode::StringTooLong,
                format!("name must be at most {MAX_NAME_CHARS} characters, not {chars}"),
            )
            .at("name")
            .hint(format!(
                "shorten the name to {MAX_NAME_CHARS} characters or fewer"
            ))
            .ctx("max_length", MAX_NAME_CHARS)
            .ctx("length", chars),
        );
    }
}

/// Decides the creation of a project: `ProjectCreated` with one video track (`video-1`),
/// or every problem with the id, the name (1 to 200 characters, not blank) and the output
/// settings (every field has a default), located as `("output", "width")` and so on.
///
/// ```
/// use serde_json::json;
/// let events = stoat_core::decide_create("p1", "Demo", &json!({"preset": "9:16"})).unwrap();
/// assert_eq!(events[0].type_name(), "ProjectCreated");
/// let errors = stoat_core::decide_create("p 1", " ", &json!({"fps": "0"})).unwrap_err();
/// assert_eq!(errors.codes(), ["invalid_id", "string_blank", "fps_invalid"]);
/// ```
pub fn decide_create(
    project_id: &str,
    name: &str,
    output: &Value,
) -> Result<Vec<Event>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    check_id("project_id", project_id, &mut errors);
    check_name(name, &mut errors);
    let output = OutputSettings::from_json(output)
        .map_err(|e| errors.extend_prefixed(e, &["output".into()]))
        .ok();
    match output {
        Some(output) if errors.is_empty() => Ok(vec![Event::single(Change::ProjectCreated(
            ProjectCreated {
                project_id: project_id.to_owned(),
                name: name.to_owned(),
                output,
                tracks: vec![Track::new("video-1", TrackKind::Video, "Video 1")],
            },
        ))]),
        _ => Err(errors),
    }
}

/// The timeline of `state`, or a `project_not_created` error.
pub fn require_timeline(state: &State) -> Result<&Timeline, ValidationErrors> {
    state.as_ref().ok_or_else(|| {
        ValidationError::new(
            ErrorCode::ProjectNotCreated,
            "the project has not been created",
        )
        .hint("create the project first")
        .into()
    })
}

/// Decides a batch of edits, all or nothing.
///
/// Each edit is checked against the state left by the accepted edits before it; an edit
/// that fails is skipped and checking goes on, so the caller gets every error at once,
/// located as `("edits", i, ...)`. After each edit the whole document's invariants are
/// checked (no overlaps, transitions that fit, ...); a problem the edit caused is placed on
/// the field of the edit that moved or resized things. `media` holds the probed facts of
/// the files the edits name, by canonical path; `env` the checked paths and the
/// installed FFmpeg's transitions.
///
/// Every event returned carries its place in the batch (`Batch`), which makes the batch
/// one undo step when the events are applied.
///
/// ```
/// use serde_json::json;
/// use stoat_core::{decide, decide_create, evolve, initial_state, Env, MediaInfo, MediaMap};
/// let mut state = initial_state();
/// for e in decide_create("p1", "Demo", &json!({"fps": "25"})).unwrap() { evolve(&mut state, &e); }
/// let media = MediaMap::from([("/m/a.mp4".to_owned(), MediaInfo {
///     duration: 10_000_000, has_video: true, has_audio: true, ..MediaInfo::default() })]);
/// let edits = [
///     json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": 4}),
///     json!({"op": "update_clip", "clip_id": "clip-1", "out": 2}),
/// ];
/// let events = decide(&state, &edits, &media, &Env::default()).unwrap();
/// assert_eq!(events.len(), 2);
/// assert_eq!(events[1].batch.unwrap().size, 2);
/// let bad = [json!({"op": "update_clip", "clip_id": "clip-9", "out": -1})];
/// let errors = decide(&state, &bad, &media, &Env::default()).unwrap_err();
/// assert_eq!(errors.codes(), vec!["value_out_of_range"]);
/// ```
pub fn decide<E: EditInput>(
    state: &State,
    edits: &[E],
    media: &MediaMap,
    env: &Env,
) -> Result<Vec<Event>, ValidationErrors> {
    let timeline = require_timeline(state)?;
    if edits.is_empty() {
        return Err(
            ValidationError::new(ErrorCode::EmptyBatch, "the batch has no edits")
                .at("edits")
                .hint("send at least one edit")
                .into(),
        );
    }
    let res = Resources { media, env };
    let mut doc = timeline.doc.clone();
    let mut ids = timeline.ids.clone();
    let baseline: Vec<String> = invariants::check(&doc).into_iter().map(|e| e.msg).collect();
    let mut changes: Vec<Change> = Vec::new();
    let mut errors = ValidationErrors::default();
    for (i, input) in edits.iter().enumerate() {
        let outer = [LocItem::from("edits"), LocItem::from(i)];
        let decided = input.to_edit().and_then(|edit| {
            let ctx = Ctx {
                doc: &doc,
                ids: &ids,
                res,
            };
            edit.decide(&ctx).map(|c| (c, edit.blame()))
        });
        let (new, blame) = match decided {
            Ok(decided) => decided,
            Err(e) => {
                errors.extend_prefixed(e, &outer);
                continue;
            }
        };
        for change in &new {
            apply(&mut doc, &mut ids, change);
        }
        let problems: Vec<ValidationError> = invariants::check(&doc)
            .into_iter()
            .filter(|p| !baseline.contains(&p.msg))
            .collect();
        if problems.is_empty() {
            changes.extend(new);
        } else {
            for problem in problems {
                errors.push(problem.prefixed(&blame).prefixed(&outer));
            }
            for change in new.iter().rev().filter_map(inverse) {
                apply(&mut doc, &mut ids, &change);
            }
        }
    }
    let size = u32::try_from(changes.len()).unwrap_or(u32::MAX);
    errors.into_result(
        changes
            .into_iter()
            .enumerate()
            .map(|(index, change)| Event {
                change,
                batch: Some(Batch {
                    index: u32::try_from(index).unwrap_or(u32::MAX),
                    size,
                }),
            })
            .collect(),
    )
}

/// Decides undoing the last `steps` edit batches (or restores): one `EditsUndone` per
/// step, most recent first; `nothing_to_undo` (at `steps`, with `available` in the
/// context) when there are fewer.
pub fn decide_undo(state: &State, steps: i64) -> Result<Vec<Event>, ValidationErrors> {
    require_timeline(state)?.history.decide_undo(steps)
}

/// Decides redoing the last `steps` undone steps: one `EditsRedone` per step;
/// `nothing_to_redo` when there are fewer. A new edit batch empties the redo stack.
pub fn decide_redo(state: &State, steps: i64) -> Result<Vec<Event>, ValidationErrors> {
    require_timeline(state)?.history.decide_redo(steps)
}

fn version_error(key: &str, version: i64, max: u64, why: &str) -> ValidationErrors {
    ValidationError::new(
        ErrorCode::VersionOutOfRange,
        format!("version {version} {why}"),
    )
    .at(key)
    .hint(format!("use a version from 1 to {max}"))
    .ctx("value", version)
    .ctx("min", 1)
    .ctx("max", max)
    .into()
}

/// Decides restoring the document as it was at `to_version`: one `ProjectRestored` whose
/// state is `target`'s document (`target` is the project replayed to that version) and
/// which undo reverts as one step.
pub fn decide_restore(
    state: &State,
    to_version: i64,
    target: &State,
) -> Result<Vec<Event>, ValidationErrors> {
    let current = require_timeline(state)?;
    let in_range = u64::try_from(to_version)
        .ok()
        .filter(|v| (1..=current.version).contains(v));
    let Some(version) = in_range else {
        return Err(version_error(
            "version",
            to_version,
            current.version,
            "is not a version of this project",
        ));
    };
    let Some(target) = target
        .as_ref()
        .filter(|t| t.version == version && t.project_id == current.project_id)
    else {
        return Err(version_error(
            "version",
            to_version,
            current.version,
            "does not match the state given for it",
        ));
    };
    Ok(vec![Event::single(Change::ProjectRestored(
        ProjectRestored {
            to_version: version,
            state: target.doc.clone(),
            previous: current.doc.clone(),
        },
    ))])
}

/// Decides the first event of a new project copied from `source` (the origin project
/// replayed to `origin_version`): `ProjectForked`.
pub fn decide_fork(
    project_id: &str,
    name: &str,
    origin_project_id: &str,
    origin_version: i64,
    source: &State,
) -> Result<Vec<Event>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    check_id("project_id", project_id, &mut errors);
    check_name(name, &mut errors);
    let source = require_timeline(source)?;
    let version = u64::try_from(origin_version)
        .ok()
        .filter(|v| *v >= 1 && *v == source.version && source.project_id == origin_project_id);
    let Some(version) = version else {
        errors.extend_prefixed(
            version_error(
                "version",
                origin_version,
                source.version,
                "does not match the state given for it",
            ),
            &[],
        );
        return Err(errors);
    };
    errors.into_result(vec![Event::single(Change::ProjectForked(ProjectForked {
        project_id: project_id.to_owned(),
        name: name.to_owned(),
        origin_project_id: origin_project_id.to_owned(),
        origin_version: version,
        state: source.doc.clone(),
    }))])
}

/// Applies one event to the state. Pure and infallible: an event that does not fit the
/// state (which a correct log never holds) changes nothing but the version.
///
/// ```
/// use serde_json::json;
/// use stoat_core::{decide_create, evolve, initial_state};
/// let mut state = initial_state();
/// for e in decide_create("p1", "Demo", &json!({})).unwrap() { evolve(&mut state, &e); }
/// let t = state.unwrap();
/// assert_eq!((t.name.as_str(), t.version), ("Demo", 1));
/// assert_eq!(t.doc.tracks[0].id, "video-1");
/// ```
pub fn evolve(state: &mut State, event: &Event) {
    match (state.as_mut(), &event.change) {
        (_, Change::ProjectCreated(e)) => {
            let mut t = Timeline::new(
                &e.project_id,
                &e.name,
                Doc::new(e.output.clone(), e.tracks.clone()),
            );
            t.version = 1;
            *state = Some(t);
        }
        (_, Change::ProjectForked(e)) => {
            let mut t = Timeline::new(&e.project_id, &e.name, e.state.clone());
            t.version = 1;
            t.origin = Some(Origin {
                project_id: e.origin_project_id.clone(),
                version: e.origin_version,
            });
            *state = Some(t);
        }
        (None, _) => {}
        (Some(t), change) => {
            t.version += 1;
            match change {
                Change::EditsUndone(e) => {
                    for c in &e.events {
                        apply(&mut t.doc, &mut t.ids, c);
                    }
                    t.history.undone(e.of_version);
                }
                Change::EditsRedone(e) => {
                    for c in &e.events {
                        apply(&mut t.doc, &mut t.ids, c);
                    }
                    t.history.redone(e.of_version);
                }
                Change::ProjectRestored(_) => {
                    apply(&mut t.doc, &mut t.ids, change);
                    t.history.restored(change, t.version);
                }
                _ => {
                    apply(&mut t.doc, &mut t.ids, change);
                    t.history.record(change, event.batch, t.version);
                }
            }
        }
    }
}
