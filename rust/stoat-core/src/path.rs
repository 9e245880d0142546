//! Confining caller-supplied paths to allowed roots.
//!
//! This is the one impure corner of the core: it asks the file system to resolve symlinks,
//! because a check on the text of a path can be walked around with `..` or a link.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::error::{ErrorCode, ValidationError, ValidationErrors};

/// Resolves `path` (absolute, existing) to its canonical form, following symlinks, and
/// checks that it lies inside one of `roots` (also canonicalised), comparing whole path
/// components: `/media2/x` is not inside `/media`. Roots that do not exist are ignored.
/// Errors are located at `("path",)`.
///
/// ```
/// use stoat_core::check_path;
/// let dir = std::env::temp_dir().join("stoat-check-path-doc");
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("a.mp4"), b"").unwrap();
/// let root = dir.to_str().unwrap().to_owned();
/// let file = dir.join("a.mp4");
/// assert!(check_path(file.to_str().unwrap(), &[root.clone()]).is_ok());
/// let errors = check_path("/etc/passwd", &[root.clone()]).unwrap_err();
/// assert_eq!(errors.codes(), vec!["path_outside_roots"]);
/// assert_eq!(check_path("a.mp4", &[root]).unwrap_err().codes(), vec!["path_invalid"]);
/// ```
pub fn check_path(path: &str, roots: &[String]) -> Result<String, ValidationErrors> {
    let invalid = |msg: &str| {
        ValidationError::new(ErrorCode::PathInvalid, msg)
            .at("path")
            .hint("give an absolute path to an existing file, e.g. /media/clip.mp4")
            .ctx("path", path)
    };
    if path.is_empty() {
        return Err(invalid("the path is empty").into());
    }
    if path.contains('\0') {
        return Err(invalid("the path contains a NUL byte").into());
    }
    if !Path::new(path).is_absolute() {
        return Err(invalid("the path is not absolute").into());
    }
    let canonical = match std::fs::canonicalize(path) {
        Ok(canonical) => canonical,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return Err(ValidationError::new(
                ErrorCode::PathNotFound,
                format!("{path:?} does not exist"),
            )
            .at("path")
            .hint("check the spelling, or list the media directory to find the file")
            .ctx("path", path)
            .into());
        }
        Err(e) => return Err(invalid(&format!("the path cannot be resolved: {e}")).into()),
    };
    let roots_canonical: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    if !roots_canonical
        .iter()
        .any(|root| canonical.starts_with(root))
    {
        return Err(ValidationError::new(
            ErrorCode::PathOutsideRoots,
            format!("{path:?} is outside the allowed directories"),
        )
        .at("path")
        .hint(format!("use a file under one of: {}", roots.join(", ")))
        .ctx("path", path)
        .ctx("roots", roots.to_vec())
        .into());
    }
    canonical
        .into_os_string()
        .into_string()
        .map_err(|_| invalid("the resolved path is not valid UTF-8").into())
}
