//! The timeline decider: an initial state, `decide` (commands to events or errors) and a
//! pure, infallible `evolve` (fmodel-rust style).

use std::borrow::Cow;

use serde_json::Value;

use crate::edits::Edit;
use crate::error::{ErrorCode, LocItem, ValidationError, ValidationErrors};
use crate::events::{Event, ProjectCreated};
use crate::model::{generated_clip_number, MediaMap, State, Timeline};
use crate::output::OutputSettings;
use crate::rules::check_id;

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
/// already typed [`Edit`].
pub trait EditInput {
    /// The typed edit, or its structural errors relative to the edit.
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

/// Decides the creation of a project: `ProjectCreated`, or every problem with the id, the
/// name (1 to 200 characters, not blank) and the output settings, located as
/// `("output", "width")` and so on.
///
/// ```
/// use serde_json::json;
/// let output = json!({"width": 1920, "height": 1080, "fps": "30", "sample_rate": 48000});
/// let events = stoat_core::decide_create("p1", "Demo", &output).unwrap();
/// assert_eq!(events[0].type_name(), "ProjectCreated");
/// let errors = stoat_core::decide_create("p 1", " ", &json!({})).unwrap_err();
/// assert_eq!(errors.codes()[..2], ["invalid_id", "string_blank"]);
/// ```
pub fn decide_create(
    project_id: &str,
    name: &str,
    output: &Value,
) -> Result<Vec<Event>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    check_id("project_id", project_id, &mut errors);
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
    let output = OutputSettings::from_json(output)
        .map_err(|e| errors.extend_prefixed(e, &["output".into()]))
        .ok();
    match output {
        Some(output) if errors.is_empty() => Ok(vec![Event::ProjectCreated(ProjectCreated {
            project_id: project_id.to_owned(),
            name: name.to_owned(),
            output,
        })]),
        _ => Err(errors),
    }
}

/// Decides a batch of edits, all or nothing.
///
/// Each edit is checked against the state left by the accepted edits before it; an edit
/// that fails is skipped and checking goes on, so the caller gets every error at once,
/// located as `("edits", i, ...)`. `media` holds the probed facts of the sources the
/// edits name.
///
/// ```
/// use serde_json::json;
/// use stoat_core::{decide, decide_create, evolve, initial_state, MediaInfo, MediaMap};
/// let mut state = initial_state();
/// let output = json!({"width": 1280, "height": 720, "fps": "25", "sample_rate": 48000});
/// for e in decide_create("p1", "Demo", &output).unwrap() { evolve(&mut state, &e); }
/// let media = MediaMap::from([("/m/a.mp4".to_owned(), MediaInfo {
///     duration: 10_000_000, has_video: true, has_audio: true, width: None, height: None })]);
/// let edits = [
///     json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": 4_000_000}),
///     json!({"op": "update_clip", "clip_id": "clip-1", "out": 2_000_000}),
/// ];
/// let events = decide(&state, &edits, &media).unwrap();
/// assert_eq!(events.len(), 2);
/// let bad = [json!({"op": "update_clip", "clip_id": "clip-9", "out": -1})];
/// let errors = decide(&state, &bad, &media).unwrap_err();
/// assert_eq!(errors.codes(), vec!["clip_not_found"]);
/// ```
pub fn decide<E: EditInput>(
    state: &State,
    edits: &[E],
    media: &MediaMap,
) -> Result<Vec<Event>, ValidationErrors> {
    let Some(timeline) = state else {
        return Err(ValidationError::new(
            ErrorCode::ProjectNotCreated,
            "the project has not been created",
        )
        .hint("create the project before editing it")
        .into());
    };
    if edits.is_empty() {
        return Err(
            ValidationError::new(ErrorCode::EmptyBatch, "the batch has no edits")
                .at("edits")
                .hint("send at least one edit")
                .into(),
        );
    }
    let mut scratch = timeline.clone();
    let mut events = Vec::new();
    let mut errors = ValidationErrors::default();
    for (i, input) in edits.iter().enumerate() {
        match input
            .to_edit()
            .and_then(|edit| edit.decide(&scratch, media))
        {
            Ok(new) => {
                for event in &new {
                    apply(&mut scratch, event);
                }
                events.extend(new);
            }
            Err(e) => errors.extend_prefixed(e, &[LocItem::from("edits"), LocItem::from(i)]),
        }
    }
    errors.into_result(events)
}

/// Applies one event to the state. Pure and infallible: an event that does not fit the
/// state (which a correct log never holds) changes nothing.
///
/// ```
/// use stoat_core::{evolve, initial_state, Event, OutputSettings, ProjectCreated};
/// let mut state = initial_state();
/// evolve(&mut state, &Event::ProjectCreated(ProjectCreated {
///     project_id: "p1".into(), name: "Demo".into(), output: OutputSettings::default() }));
/// assert_eq!(state.unwrap().name, "Demo");
/// ```
pub fn evolve(state: &mut State, event: &Event) {
    match (state.as_mut(), event) {
        (Some(timeline), _) => apply(timeline, event),
        (None, Event::ProjectCreated(e)) => {
            *state = Some(Timeline::new(&e.project_id, &e.name, e.output));
        }
        (None, _) => {}
    }
}

/// Applies one event to an existing timeline.
fn apply(timeline: &mut Timeline, event: &Event) {
    match event {
        Event::ProjectCreated(e) => *timeline = Timeline::new(&e.project_id, &e.name, e.output),
        Event::ClipAdded(e) => {
            let index = e.index.min(timeline.clips.len());
            timeline.clips.insert(index, e.clip.clone());
            if let Some(n) = generated_clip_number(&e.clip.id) {
                timeline.next_clip_number = timeline.next_clip_number.max(n.saturating_add(1));
            }
        }
        Event::ClipTrimmed(e) => {
            if let Some(clip) = timeline.clips.iter_mut().find(|c| c.id == e.clip_id) {
                clip.in_point = e.in_point;
                clip.out_point = e.out_point;
            }
        }
        Event::ClipRemoved(e) => {
            let at_index = timeline
                .clips
                .get(e.index)
                .is_some_and(|c| c.id == e.clip.id);
            let index = if at_index {
                Some(e.index)
            } else {
                timeline.position(&e.clip.id)
            };
            if let Some(index) = index {
                timeline.clips.remove(index);
            }
        }
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
