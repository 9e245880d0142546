//! `check_path` against a real directory tree with a sibling root and a symlink.

use std::fs;
use std::path::PathBuf;

use stoat_core::check_path;

fn tree(name: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!("stoat-path-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&base);
    fs::create_dir_all(base.join("media/sub")).unwrap();
    fs::create_dir_all(base.join("media2")).unwrap();
    fs::write(base.join("media/a.mp4"), b"").unwrap();
    fs::write(base.join("media2/b.mp4"), b"").unwrap();
    base
}

fn code(path: &str, roots: &[String]) -> &'static str {
    check_path(path, roots).unwrap_err().errors()[0]
        .code
        .as_str()
}

#[test]
fn confines_paths_to_roots_by_component() {
    let base = tree("roots");
    let media = base.join("media");
    let roots = vec![media.to_str().unwrap().to_owned()];
    let canonical = fs::canonicalize(media.join("a.mp4")).unwrap();

    let dotted = media.join("sub/../a.mp4");
    assert_eq!(
        check_path(dotted.to_str().unwrap(), &roots).unwrap(),
        canonical.to_str().unwrap()
    );
    // /…/media2 shares the text prefix /…/media but is not inside it.
    let sibling = base.join("media2/b.mp4");
    assert_eq!(
        code(sibling.to_str().unwrap(), &roots),
        "path_outside_roots"
    );
    let escape = media.join("../media2/b.mp4");
    assert_eq!(code(escape.to_str().unwrap(), &roots), "path_outside_roots");

    #[cfg(unix)]
    {
        let link = media.join("link.mp4");
        std::os::unix::fs::symlink(&sibling, &link).unwrap();
        assert_eq!(code(link.to_str().unwrap(), &roots), "path_outside_roots");
    }

    assert_eq!(
        code(media.join("nope.mp4").to_str().unwrap(), &roots),
        "path_not_found"
    );
    assert_eq!(code("", &roots), "path_invalid");
    assert_eq!(code("media/a.mp4", &roots), "path_invalid");
    assert_eq!(code("/tmp/a\0b", &roots), "path_invalid");
    // A root that does not exist allows nothing.
    let missing_root = vec![base.join("gone").to_str().unwrap().to_owned()];
    assert_eq!(
        code(canonical.to_str().unwrap(), &missing_root),
        "path_outside_roots"
    );
    let errors = check_path(sibling.to_str().unwrap(), &roots).unwrap_err();
    assert_eq!(
        serde_json::to_value(&errors.errors()[0].loc).unwrap(),
        serde_json::json!(["path"])
    );
    fs::remove_dir_all(&base).unwrap();
}
