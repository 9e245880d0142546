//! Paths in edits: finding them before `decide` (so that Python can check and probe each),
//! and resolving them during `decide` against what Python found.

use serde_json::{Map, Value};

use super::{Field, PathKind, Ty};
use crate::error::{ErrorCode, LocItem, ValidationError, ValidationErrors};
use crate::model::{Env, MediaInfo, MediaMap};

/// What `decide` knows about the files the edits name.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Resources<'a> {
    /// Probed facts by canonical path.
    pub media: &'a MediaMap,
    /// Checked paths and the installed FFmpeg's transitions.
    pub env: &'a Env,
}

impl<'a> Resources<'a> {
    /// The canonical form of a path as given in an edit, or an error at the empty location.
    pub(crate) fn canonical(&self, given: &str, kind: PathKind) -> Result<String, ValidationError> {
        let canonical = match &self.env.files {
            None => Some(given.to_owned()),
            Some(files) => files.get(given).cloned(),
        };
        let Some(canonical) = canonical else {
            return Err(ValidationError::new(
                ErrorCode::FileUnknown,
                format!("the {} file {given:?} has not been checked", kind.as_str()),
            )
            .hint("use a path inside an allowed media root; the server checks every path before deciding")
            .ctx("path", given)
            .ctx("kind", kind.as_str()));
        };
        Ok(canonical)
    }

    /// The canonical path and probed facts of a media or image file.
    pub(crate) fn probed(
        &self,
        given: &str,
        kind: PathKind,
    ) -> Result<(String, &'a MediaInfo), ValidationError> {
        let canonical = self.canonical(given, kind)?;
        match self.media.get(&canonical) {
            Some(info) => Ok((canonical, info)),
            None => Err(ValidationError::new(
                ErrorCode::SourceUnknown,
                format!("the source {given:?} has not been probed"),
            )
            .hint("import or probe the file first, then use its path as source")
            .ctx("source", given)),
        }
    }
}

/// Appends `(loc, path, kind)` for every path field in a raw (unvalidated) object.
pub(crate) fn collect_paths(
    groups: &[&[Field]],
    raw: &Value,
    loc: &mut Vec<LocItem>,
    out: &mut Vec<(Vec<LocItem>, String, PathKind)>,
) {
    let Value::Object(map) = raw else { return };
    for field in groups.iter().flat_map(|g| g.iter()) {
        if let Some(value) = map.get(field.name) {
            loc.push(field.name.into());
            collect_ty(&field.ty, value, loc, out);
            loc.pop();
        }
    }
}

fn collect_ty(
    ty: &Ty,
    raw: &Value,
    loc: &mut Vec<LocItem>,
    out: &mut Vec<(Vec<LocItem>, String, PathKind)>,
) {
    match (ty, raw) {
        (Ty::Path(kind), Value::String(path)) => out.push((loc.clone(), path.clone(), *kind)),
        (Ty::List { item, .. }, Value::Array(items)) => {
            for (i, item_value) in items.iter().enumerate() {
                loc.push(i.into());
                collect_ty(item, item_value, loc, out);
                loc.pop();
            }
        }
        (Ty::Obj(fields), _) => collect_paths(&[fields], raw, loc, out),
        (Ty::Effect, _) => crate::effects::collect_effect_paths(raw, loc, out),
        _ => {}
    }
}

/// Replaces every path in a stored object with its canonical form, recording an error
/// (relative to the object) for each path that was not checked or probed.
pub(crate) fn resolve_paths(
    groups: &[&[Field]],
    stored: &mut Map<String, Value>,
    res: &Resources<'_>,
    errors: &mut ValidationErrors,
) {
    for field in groups.iter().flat_map(|g| g.iter()) {
        if let Some(value) = stored.get_mut(field.name) {
            let mut found = ValidationErrors::default();
            resolve_ty(&field.ty, value, res, &mut found);
            errors.extend_prefixed(found, &[field.name.into()]);
        }
    }
}

fn resolve_ty(ty: &Ty, value: &mut Value, res: &Resources<'_>, errors: &mut ValidationErrors) {
    match (ty, value) {
        (Ty::Path(kind), Value::String(path)) => {
            let resolved = if kind.is_probed() {
                res.probed(path, *kind).and_then(|(canonical, info)| {
                    if info.has_video {
                        Ok(canonical)
                    } else {
                        Err(ValidationError::new(
                            ErrorCode::SourceHasNoVideo,
                            format!("{path:?} has no picture"),
                        )
                        .hint("use an image or video file")
                        .ctx("source", path.as_str()))
                    }
                })
            } else {
                res.canonical(path, *kind)
            };
            match resolved {
                Ok(canonical) => *path = canonical,
                Err(e) => errors.push(e),
            }
        }
        (Ty::List { item, .. }, Value::Array(items)) => {
            for (i, v) in items.iter_mut().enumerate() {
                let mut found = ValidationErrors::default();
                resolve_ty(item, v, res, &mut found);
                errors.extend_prefixed(found, &[i.into()]);
            }
        }
        (Ty::Obj(fields), Value::Object(map)) => resolve_paths(&[fields], map, res, errors),
        (Ty::Effect, Value::Object(map)) => crate::effects::resolve_effect_paths(map, res, errors),
        _ => {}
    }
}
