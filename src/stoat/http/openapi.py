"""The OpenAPI document, with the Rust core's edit schema embedded.

Litestar describes ``edits`` as a list of objects; the Rust core publishes the exact
schema of one edit. This module splices it in, moving its ``$defs`` into
``components/schemas`` so every reference resolves inside the document.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, get

from stoat import _core

PREFIX = "Edit_"


def openapi_document(request: Request[Any, Any, Any], transitions: list[str]) -> dict[str, Any]:
    document: dict[str, Any] = request.app.openapi_schema.to_schema()
    edit = _core.edit_schema(transitions)
    definitions = edit.pop("$defs", {})
    for key in ("$id", "$schema"):
        edit.pop(key, None)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in definitions.items():
        schemas[PREFIX + name] = _relocate(schema)
    schemas["Edit"] = _relocate(edit)
    batch = schemas.get("EditBatch", {}).get("properties", {}).get("edits")
    if batch is not None:
        batch["items"] = {"$ref": "#/components/schemas/Edit"}
    return document


def _relocate(schema: Any) -> Any:
    text = json.dumps(schema).replace('"#/$defs/', f'"#/components/schemas/{PREFIX}')
    return json.loads(text)


@get("/schema/openapi.json", include_in_schema=False, opt={"public": True}, sync_to_thread=False)
def openapi_json(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The OpenAPI document (open, no key needed)."""
    services = request.app.state["services"]
    return openapi_document(request, services.transitions)


ROUTES = [openapi_json]
