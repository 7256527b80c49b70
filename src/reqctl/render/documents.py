"""Turning a report context into text: template name resolution and JSON output."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reqctl.errors import UsageError
from reqctl.messages import lazy
from reqctl.render.env import render

FORMATS = ("md", "html", "json")


def template_name(document: str, lang: str, fmt: str) -> str:
    return f"{document}.{lang}.{fmt}.j2"


def to_json(context: Mapping[str, Any]) -> str:
    return json.dumps(context, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def render_document(
    root: Path | None, document: str, fmt: str, lang: str, context: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> str:
    """Render ``document`` (weekly, status, srs, ...) as md, html or json."""
    if fmt not in FORMATS:
        raise UsageError(lazy("--format {format}: use one of {formats}", format=fmt, formats=", ".join(FORMATS)))
    if fmt == "json":
        return to_json(context)
    return render(root, template_name(document, lang, fmt), lang, {**context, **(extra or {})})
