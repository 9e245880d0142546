"""``stoat audit verify``: the verification report on the terminal, and an exit status."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from stoat.audit.signing import KeyFormatError, fingerprint, read_service_key, unb64
from stoat.audit.verify import verify_log

if TYPE_CHECKING:
    from collections.abc import Sequence

    from stoat.commands.application import StoatApplication
    from stoat.settings import Settings

OK, FAULT, USAGE = 0, 1, 2


def verify_command(
    app: StoatApplication,
    settings: Settings,
    public_keys: Sequence[str],
    expect: Sequence[str],
    *,
    as_json: bool = False,
) -> int:
    """Verify the log; 0 if it checks out, 1 at a fault, 2 for bad arguments."""
    try:
        trusted = _trusted(settings, public_keys)
        expected = [_expectation(text) for text in expect]
    except (KeyFormatError, ValueError) as error:
        print(f"stoat: {error}", file=sys.stderr)
        return USAGE
    report = verify_log(app, trusted, expected=expected).document()
    if as_json:
        print(json.dumps(report, indent=2))
    elif report["ok"]:
        head = report["head"]
        print(
            f"ok: {report['count']} events, head {head['position']} {head['hash']}, "
            f"{report['checkpoints']} checkpoints, {report['unsigned_events']} events "
            "after the last"
        )
    else:
        fault = report["fault"]
        print(f"FAULT at position {fault['position']} ({fault['code']}): {fault['reason']}")
        print(f"verified before it: {report['count']} events")
    return OK if report["ok"] else FAULT


def _trusted(settings: Settings, public_keys: Sequence[str]) -> dict[str, str]:
    if public_keys:
        return {fingerprint(unb64(key, 32, "--public-key")): key.strip() for key in public_keys}
    key = read_service_key(settings)
    return {} if key is None else {key.key_id: key.public_key}


def _expectation(text: str) -> tuple[int, str]:
    position, _, head = text.partition(":")
    if not position.strip().isdigit() or len(head.strip()) != 64:
        msg = f"--expect takes POSITION:HEAD (64 hex digits), not {text!r}"
        raise ValueError(msg)
    return int(position), head.strip().lower()
