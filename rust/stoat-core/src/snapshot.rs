//! Snapshots of the decider's state, for the event store's snapshot table.
//!
//! A snapshot is JSON in a small envelope with a format version, so that a later change to
//! the state's shape can be recognised (and upcast) instead of misread.

use serde::{Deserialize, Serialize};

use crate::error::InternalError;
use crate::model::{State, Timeline};

/// The snapshot format this version writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

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
/// use stoat_core::{decode_snapshot, encode_snapshot, OutputSettings, Timeline};
/// let state = Some(Timeline::new("p1", "Demo", OutputSettings::default()));
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

/// Decodes a snapshot written by [`encode_snapshot`].
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
