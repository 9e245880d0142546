//! What changed between two states of a project, field by field, in wire units.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::model::{keyframes_wire, transition_wire, Clip, Doc, Timeline};
use crate::spec::Obj;

/// Keyed wire objects of one kind of thing, in document order.
type Keyed = Vec<(String, Value)>;

fn tracks(doc: &Doc) -> Keyed {
    doc.tracks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut v = t.settings_wire();
            v["index"] = Value::from(i);
            v["clip_ids"] = t.clips.iter().map(|c| c.id.clone()).collect();
            (t.id.clone(), v)
        })
        .collect()
}

/// Where each clip is: id to (clip, track id, index).
fn clip_places(doc: &Doc) -> Vec<(&Clip, &str, usize)> {
    doc.tracks
        .iter()
        .flat_map(|t| {
            t.clips
                .iter()
                .enumerate()
                .map(move |(i, c)| (&**c, t.id.as_str(), i))
        })
        .collect()
}

fn clip_wire((clip, track, index): (&Clip, &str, usize)) -> Value {
    let mut v = clip.to_wire();
    if let Value::Object(m) = &mut v {
        for key in ["effects", "keyframes", "transition_in", "media"] {
            m.remove(key);
        }
        m.insert("track_id".into(), Value::from(track));
        m.insert("index".into(), Value::from(index));
    }
    v
}

/// Clips compared as structs first, so that only the changed ones are converted.
fn diff_clips(a: &Doc, b: &Doc) -> Value {
    let (before, after) = (clip_places(a), clip_places(b));
    let index_of = |list: &[(&Clip, &str, usize)]| -> HashMap<String, usize> {
        list.iter()
            .enumerate()
            .map(|(i, (c, _, _))| (c.id.clone(), i))
            .collect()
    };
    let (in_before, in_after) = (index_of(&before), index_of(&after));
    let added: Vec<Value> = after
        .iter()
        .filter(|p| !in_before.contains_key(&p.0.id))
        .map(|p| clip_wire(*p))
        .collect();
    let removed: Vec<Value> = before
        .iter()
        .filter(|p| !in_after.contains_key(&p.0.id))
        .map(|p| clip_wire(*p))
        .collect();
    let mut changed = Map::new();
    for old in &before {
        let Some(&j) = in_after.get(&old.0.id) else {
            continue;
        };
        let new = after[j];
        if old.1 == new.1 && old.2 == new.2 && old.0 == new.0 {
            continue;
        }
        let fields = field_changes(&clip_wire(*old), &clip_wire(new));
        if !fields.is_empty() {
            changed.insert(old.0.id.clone(), Value::Object(fields));
        }
    }
    json!({"added": added, "removed": removed, "changed": changed})
}

fn effects(doc: &Doc) -> Keyed {
    let mut out = Vec::new();
    for t in &doc.tracks {
        for c in &t.clips {
            for (i, e) in c.effects.iter().enumerate() {
                let mut v = crate::model::effect_wire(e);
                v["clip_id"] = Value::from(c.id.as_str());
                v["index"] = Value::from(i);
                out.push((e.id.clone(), v));
            }
        }
    }
    out
}

fn transitions(doc: &Doc) -> Keyed {
    let mut out = Vec::new();
    for t in &doc.tracks {
        for (i, c) in t.clips.iter().enumerate() {
            let (Some(tr), Some(prev)) = (&c.transition_in, i.checked_sub(1)) else {
                continue;
            };
            let from = &t.clips[prev].id;
            let mut v = transition_wire(tr);
            v["from_clip_id"] = Value::from(from.as_str());
            v["to_clip_id"] = Value::from(c.id.as_str());
            out.push((format!("{from}->{}", c.id), v));
        }
    }
    out
}

fn keyframes(doc: &Doc) -> Keyed {
    let mut out = Vec::new();
    for t in &doc.tracks {
        for c in &t.clips {
            for (property, frames) in &c.keyframes {
                let v = json!({"clip_id": c.id, "property": property, "keyframes": keyframes_wire(frames)});
                out.push((format!("{}.{property}", c.id), v));
            }
        }
    }
    out
}

/// `{field: {"before", "after"}}` for the fields that differ.
fn field_changes(before: &Value, after: &Value) -> Map<String, Value> {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut out = Map::new();
    for key in b.keys().chain(a.keys().filter(|k| !b.contains_key(*k))) {
        let (x, y) = (
            b.get(key).unwrap_or(&Value::Null),
            a.get(key).unwrap_or(&Value::Null),
        );
        if x != y {
            out.insert(key.clone(), json!({"before": x, "after": y}));
        }
    }
    out
}

fn diff_keyed(before: &Keyed, after: &Keyed) -> Value {
    let find =
        |list: &Keyed, key: &str| list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let added: Vec<Value> = after
        .iter()
        .filter(|(k, _)| find(before, k).is_none())
        .map(|(_, v)| v.clone())
        .collect();
    let removed: Vec<Value> = before
        .iter()
        .filter(|(k, _)| find(after, k).is_none())
        .map(|(_, v)| v.clone())
        .collect();
    let mut changed = Map::new();
    for (key, b) in before {
        if let Some(a) = find(after, key) {
            let fields = field_changes(b, &a);
            if !fields.is_empty() {
                changed.insert(key.clone(), Value::Object(fields));
            }
        }
    }
    json!({"added": added, "removed": removed, "changed": changed})
}

fn is_empty(section: &Value) -> bool {
    ["added", "removed"]
        .iter()
        .all(|k| section[k].as_array().map_or(true, Vec::is_empty))
        && section["changed"].as_object().map_or(true, Map::is_empty)
}

/// What changed from `from` to `to`: output fields, the layout, and tracks, clips,
/// effects, transitions and keyframes added, removed or changed (with each changed
/// field's `before` and `after`), in wire units. `changed` is false when the documents
/// are equal.
///
/// ```
/// use serde_json::json;
/// use stoat_core::*;
/// let mut state = initial_state();
/// for e in decide_create("p1", "Demo", &json!({})).unwrap() { evolve(&mut state, &e); }
/// let before = state.clone().unwrap();
/// let edits = [json!({"op": "add_track", "kind": "audio"}), json!({"op": "set_output", "fps": "25"})];
/// for e in decide(&state, &edits, &MediaMap::new(), &Env::default()).unwrap() { evolve(&mut state, &e); }
/// let d = diff(&before, state.as_ref().unwrap());
/// assert_eq!(d["tracks"]["added"][0]["id"], "audio-1");
/// assert_eq!(d["output"]["fps"], json!({"before": "30", "after": "25"}));
/// assert_eq!(d["changed"], true);
/// ```
pub fn diff(from: &Timeline, to: &Timeline) -> Value {
    let (a, b) = (&from.doc, &to.doc);
    let output = field_changes(&a.output.to_wire(), &b.output.to_wire());
    let layout = (a.layout != b.layout).then(|| {
        let wire = |l: &Option<Obj>| l.as_ref().map(crate::layouts::layout_to_wire);
        json!({"before": wire(&a.layout), "after": wire(&b.layout)})
    });
    let sections = [
        ("tracks", diff_keyed(&tracks(a), &tracks(b))),
        ("clips", diff_clips(a, b)),
        ("effects", diff_keyed(&effects(a), &effects(b))),
        ("transitions", diff_keyed(&transitions(a), &transitions(b))),
        ("keyframes", diff_keyed(&keyframes(a), &keyframes(b))),
    ];
    let changed =
        !output.is_empty() || layout.is_some() || sections.iter().any(|(_, s)| !is_empty(s));
    let mut out = json!({
        "from_version": from.version,
        "to_version": to.version,
        "changed": changed,
        "output": output,
        "layout": layout,
    });
    for (name, section) in sections {
        out[name] = section;
    }
    out
}
