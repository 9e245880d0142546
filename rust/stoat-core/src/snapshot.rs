//! Snapshots of the decider's state, for the event store's snapshot table.
//!
//! A snapshot is JSON in a small envelope with a format version, so that a later change to
//! the state's shape can be recognised (and upcast) instead of misread.

use serde::{Deserialize, Serialize};

use crate::error::InternalError;
use crate::model::{State, Timeline};

/// The snapshot format this version writes and reads (2: tracks, history, version).
pub const SNAPSHOT_VERSION: u32 = 2;

#[derive(Serialize)]
struct Envelope<'a> {
    version: u32,
    timeline: &'a Option<Timeline>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnedEnvelope {
    version: u32,
    timeline: Option<Timeline>,
}

/// Encodes `state` as a snapshot.
///
/// ```
/// use serde_json::json;
/// use stoat_core::{decide_create, decode_snapshot, encode_snapshot, evolve, initial_state};
/// let mut state = initial_state();
/// for e in decide_create("p1", "Demo", &json!({})).unwrap() { evolve(&mut state, &e); }
/// let bytes = encode_snapshot(&state).unwrap();
/// assert_eq!(decode_snapshot(&bytes).unwrap(), state);
/// assert!(decode_snapshot(b"{}").is_err());
/// ```
pub fn encode_snapshot(state: &State) -> Result<Vec<u8>, InternalError> {
    serde_json::to_vec(&Envelope {
        version: SNAPSHOT_VERSION,
        timeline: state,
    })
    .map_err(|e| InternalError::Encode(e.to_string()))
}

/// Decodes a snapshot written by [`encode_snapshot`]. Snapshots of other formats are
/// refused (the event store then replays from the log).
pub fn decode_snapshot(bytes: &[u8]) -> Result<State, InternalError> {
    let envelope: OwnedEnvelope =
        serde_json::from_slice(bytes).map_err(|e| InternalError::InvalidSnapshot(e.to_string()))?;
    if envelope.version != SNAPSHOT_VERSION {
        return Err(InternalError::InvalidSnapshot(format!(
            "snapshot format {} is not {SNAPSHOT_VERSION}",
            envelope.version
        )));
    }
    Ok(envelope.timeline)
}
