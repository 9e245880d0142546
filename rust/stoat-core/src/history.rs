//! Undo and redo as state derived from events, so that replay rebuilds them.
//!
//! Each edit batch becomes one step on the undo stack once its last event is applied (the
//! `batch` place every decided event carries says when). A restore is a step of its own.
//! Undo moves the top step to the redo stack; redo moves it back; a new step clears the
//! redo stack.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::events::{inverse, Batch, Change, EditsRedone, EditsUndone, Event};

/// The most undo steps kept; older ones are forgotten.
pub const MAX_UNDO_STEPS: usize = 1000;

/// One undoable step: the changes of one edit batch (or one restore).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The version the step produced (that of its last event).
    pub version: u64,
    /// Its changes, in order.
    pub changes: Vec<Change>,
}

/// The undo and redo stacks (tops last), and the events of a batch still being applied.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pending: Vec<Change>,
}

impl History {
    /// How many steps can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// How many steps can be redone.
    pub fn redo_len(&self) -> usize {
        self.redo.len()
    }

    /// The undo stack, oldest first.
    pub fn undo_steps(&self) -> &[Step] {
        &self.undo
    }

    /// The redo stack, oldest first (the next to redo is last).
    pub fn redo_steps(&self) -> &[Step] {
        &self.redo
    }

    /// Records an applied edit event at `version`.
    pub(crate) fn record(&mut self, change: &Change, batch: Option<Batch>, version: u64) {
        if batch.is_some_and(|b| b.index == 0) && !self.pending.is_empty() {
            // A batch that never finished (a log cut short): it was a step of its own.
            self.close(version.saturating_sub(1));
        }
        self.pending.push(change.clone());
        if batch.map_or(true, Batch::is_last) {
            self.close(version);
        }
    }

    fn close(&mut self, version: u64) {
        if self.pending.is_empty() {
            return;
        }
        let changes = std::mem::take(&mut self.pending);
        self.push(Step { version, changes });
    }

    fn push(&mut self, step: Step) {
        self.undo.push(step);
        self.redo.clear();
        if self.undo.len() > MAX_UNDO_STEPS {
            self.undo.remove(0);
        }
    }

    /// Records a restore (one step).
    pub(crate) fn restored(&mut self, change: &Change, version: u64) {
        self.close(version.saturating_sub(1));
        self.push(Step {
            version,
            changes: vec![change.clone()],
        });
    }

    /// Records that the step of `of_version` was undone.
    pub(crate) fn undone(&mut self, of_version: u64) {
        self.close(0);
        if let Some(i) = self.undo.iter().rposition(|s| s.version == of_version) {
            let step = self.undo.remove(i);
            self.redo.push(step);
        }
    }

    /// Records that the step of `of_version` was redone.
    pub(crate) fn redone(&mut self, of_version: u64) {
        self.close(0);
        if let Some(i) = self.redo.iter().rposition(|s| s.version == of_version) {
            let step = self.redo.remove(i);
            self.undo.push(step);
        }
    }

    /// One `EditsUndone` per step, most recent first; `nothing_to_undo` when fewer than
    /// `steps` steps can be undone.
    pub(crate) fn decide_undo(&self, steps: i64) -> Result<Vec<Event>, ValidationErrors> {
        let n = check_steps(steps, self.undo.len(), ErrorCode::NothingToUndo, "undo")?;
        Ok(self
            .undo
            .iter()
            .rev()
            .take(n)
            .map(|step| {
                Event::single(Change::EditsUndone(EditsUndone {
                    of_version: step.version,
                    events: step.changes.iter().rev().filter_map(inverse).collect(),
                }))
            })
            .collect())
    }

    /// One `EditsRedone` per step, next first; `nothing_to_redo` when fewer than `steps`
    /// steps can be redone.
    pub(crate) fn decide_redo(&self, steps: i64) -> Result<Vec<Event>, ValidationErrors> {
        let n = check_steps(steps, self.redo.len(), ErrorCode::NothingToRedo, "redo")?;
        Ok(self
            .redo
            .iter()
            .rev()
            .take(n)
            .map(|step| {
                Event::single(Change::EditsRedone(EditsRedone {
                    of_version: step.version,
                    events: step.changes.clone(),
                }))
            })
            .collect())
    }
}

fn check_steps(
    steps: i64,
    available: usize,
    code: ErrorCode,
    what: &str,
) -> Result<usize, ValidationErrors> {
    let Some(n) = usize::try_from(steps).ok().filter(|n| *n >= 1) else {
        return Err(ValidationError::new(
            ErrorCode::ValueOutOfRange,
            format!("steps must be at least 1, not {steps}"),
        )
        .at("steps")
        .hint(format!("ask to {what} 1 or more steps"))
        .ctx("value", steps)
        .ctx("min", 1)
        .into());
    };
    if n > available {
        let hint = if available == 0 {
            format!("there is nothing to {what}")
        } else {
            format!("ask for at most {available} steps")
        };
        return Err(ValidationError::new(
            code,
            format!("cannot {what} {n} steps: {available} available"),
        )
        .at("steps")
        .hint(hint)
        .ctx("requested", n)
        .ctx("available", available)
        .into());
    }
    Ok(n)
}
