"""Domain-level errors shared by commands and queries; the HTTP edge maps them.

Rejections are data: each item names a stable ``code``, a structured ``loc`` path such
as ``("edits", 2, "out")``, a human ``msg`` and a ``hint`` an agent can act on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from stoat._core import ValidationError


class ErrorItem(TypedDict):
    code: str
    loc: tuple[str | int, ...]
    msg: str
    hint: str | None
    ctx: dict[str, Any]


class Rejected(Exception):
    """A command was refused; nothing was appended."""

    def __init__(self, errors: list[ErrorItem], title: str = "The request was rejected") -> None:
        super().__init__(f"{title}: {len(errors)} error(s)")
        self.title = title
        self._errors = errors

    def errors(self) -> list[ErrorItem]:
        return list(self._errors)

    @classmethod
    def version_out_of_range(cls, resource_id: str, version: int, current: int) -> Rejected:
        return cls(
            [
                error_item(
                    "version_out_of_range",
                    ("version",),
                    f"{resource_id} has no version {version}",
                    f"use a version from 1 to {current}",
                    current=current,
                )
            ]
        )

    @classmethod
    def from_core(cls, error: ValidationError, prefix: tuple[str | int, ...] = ()) -> Rejected:
        return cls([prefixed(item, prefix) for item in error.errors()])


def error_item(
    code: str,
    loc: tuple[str | int, ...],
    msg: str,
    hint: str | None = None,
    **ctx: Any,
) -> ErrorItem:
    return ErrorItem(code=code, loc=loc, msg=msg, hint=hint, ctx=dict(ctx))


def prefixed(item: Any, prefix: tuple[str | int, ...]) -> ErrorItem:
    return ErrorItem(
        code=item["code"],
        loc=(*prefix, *item["loc"]),
        msg=item["msg"],
        hint=item.get("hint"),
        ctx=dict(item.get("ctx") or {}),
    )


class NotFound(Exception):
    """The named resource does not exist."""

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"{kind} {ident!r} does not exist")
        self.kind = kind
        self.ident = ident


class VersionConflict(Exception):
    """The client's expected version is not the current one (or another write won)."""

    def __init__(self, resource_id: str, expected: int | None, current: int) -> None:
        super().__init__(
            f"{resource_id} is at version {current}"
            + (f", not {expected}" if expected is not None else "")
        )
        self.resource_id = resource_id
        self.expected = expected
        self.current = current


class ReadTimeout(Exception):
    """The read models did not reach the requested log position in time."""

    def __init__(self, position: int, reached: int | None) -> None:
        super().__init__(f"read models at {reached}, waiting for {position}")
        self.position = position
        self.reached = reached


class StoreUnavailable(Exception):
    """The event store cannot take writes (disk full, read-only, locked)."""


class PathForbidden(Exception):
    """A path the caller gave lies outside the allowed media roots; nothing was read.

    ``loc`` names the field that held it, as in :class:`ErrorItem`.
    """

    def __init__(self, path: str, loc: tuple[str | int, ...], roots: list[str]) -> None:
        super().__init__(f"{path!r} is outside the allowed media directories")
        self.path = path
        self.loc = loc
        self.roots = roots
