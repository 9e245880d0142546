# Sourced by scripts/serve and scripts/test: makes sure FFmpeg, the virtualenv, the Python
# dependencies and the Rust extension are present and current. Idempotent and quick when
# nothing changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
cd "$ROOT"

say() { printf '\033[1mstoat:\033[0m %s\n' "$*" >&2; }

ensure_ffmpeg() {
    if command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; then return; fi
    say "FFmpeg is missing; installing it"
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; fi
    fi
    if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq ffmpeg >/dev/null
    elif command -v brew >/dev/null; then
        brew install ffmpeg
    elif command -v dnf >/dev/null && [ "$(id -u)" = 0 ]; then
        dnf install -y ffmpeg
    else
        say "cannot install FFmpeg here: install ffmpeg and ffprobe (5.1 or newer) and run this again"
        exit 1
    fi
}

ensure_rust() {
    if ! command -v cargo >/dev/null; then
        say "the Rust toolchain (cargo) is missing: install it with rustup, then run this again"
        exit 1
    fi
}

find_python() {
    for candidate in python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null &&
            "$candidate" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info < (3, 14))'; then
            echo "$candidate"
            return
        fi
    done
    say "Python 3.11 to 3.13 is required"
    exit 1
}

# A digest of the files that decide whether a step must run again.
digest() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating the virtualenv in .venv"
        "$(find_python)" -m venv "$VENV"
        "$VENV/bin/pip" install -q --upgrade pip
    fi
    local want
    want="$(digest pyproject.toml)"
    if [ "$(cat "$VENV/.deps-digest" 2>/dev/null)" != "$want" ]; then
        say "installing the Python dependencies"
        "$VENV/bin/pip" install -q -e ".[dev]"
        echo "$want" >"$VENV/.deps-digest"
        rm -f "$VENV/.core-digest"
    fi
}

ensure_extension() {
    local want
    want="$(find Cargo.toml Cargo.lock rust -type f \( -name '*.rs' -o -name '*.toml' -o -name '*.lock' \) -print0 | sort -z | xargs -0 cat | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$VENV/.core-digest" 2>/dev/null)" != "$want" ] ||
        ! "$VENV/bin/python" -c 'import stoat._core' 2>/dev/null; then
        say "building the Rust core (stoat._core) with maturin"
        VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop --release -q
        echo "$want" >"$VENV/.core-digest"
    fi
}

ensure_ffmpeg
ensure_rust
ensure_venv
ensure_extension
export PATH="$VENV/bin:$PATH"
export PYO3_PYTHON="$VENV/bin/python"
