"""Release notes: a ``ProjectDiff`` as Markdown prose (``reqctl diff REV --format md``).

Every value that comes from an item file or a revision name is user text and is
escaped, so a title renders as the words it holds wherever the notes are pasted
(GitHub, GitLab, a wiki): never as a link, an image, raw HTML or a new block.
Changes read as sentences ("Priority: should → must", "Acceptance criteria:
added “Works offline”") rather than as dumps of the changed fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reqctl.history.diff import FieldChange, ItemChange, ProjectDiff

# Inline Markdown in a value: emphasis, code spans, links, images, HTML tags and
# entities, strikethrough, math, and (when followed by a character) the ':' and
# '.' of bare URLs, e-mail domains and emoji shortcodes. CommonMark lets a
# backslash escape any ASCII punctuation. Values never start a line (newlines
# are collapsed), so block markers such as '-', '#' or '1.' need no escape.
_INLINE = re.compile(r"([\\`*_\[\]()<>&!~|$]|[.:](?=\S))")
_WORD_JOINER = "\u2060"  # after '@': GitHub links e-mail addresses and @mentions even when escaped

LABELS: dict[str, str] = {
    "acceptance": "Acceptance criteria",
    "depends_on": "Depends on",
    "relates": "Related items",
    "review_by": "Review by",
    "requested_by": "Requested by",
    "from": "From",
    "kind": "Kind",
}
# Free text: quoted even when it is one word, so "Title: “Login” → “Sign in”" reads as text.
_TEXT_FIELDS = frozenset({"title", "acceptance", "summary", "reason", "mitigation", "contingency", "what", "source"})
# Sub-fields that identify rather than describe (hashes, per-item fingerprints).
_HIDDEN_KEYS = frozenset({"fingerprint", "items"})


def escape(text: str) -> str:
    """``text`` as inline Markdown that renders literally, on one line."""
    one_line = " ".join(str(text).split())
    return _INLINE.sub(r"\\\1", one_line).replace("@", "@" + _WORD_JOINER)


def label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " ").capitalize())


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def value_text(value: Any, *, quote: bool = False) -> str:
    """A value in a sentence: words in quotes, single tokens (a status, an ID, a date) bare."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return _mapping_text(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(value_text(v) for v in value) or "none"
    text = str(value)
    quote = quote or any(ch.isspace() for ch in text.strip())
    return f"“{escape(text)}”" if quote else escape(text)


def _mapping_text(value: Mapping[str, Any]) -> str:
    parts = [
        f"{label(key).lower()} {value_text(item)}"
        for key, item in value.items()
        if key not in _HIDDEN_KEYS and not _empty(item)
    ]
    return "(" + ", ".join(parts) + ")" if parts else "(empty)"


def _list_change(old: Sequence[Any], new: Sequence[Any], *, quote: bool = False) -> str:
    added = [v for v in new if v not in old]
    removed = [v for v in old if v not in new]
    parts = []
    if added:
        parts.append("added " + "; ".join(value_text(v, quote=quote) for v in added))
    if removed:
        parts.append("removed " + "; ".join(value_text(v, quote=quote) for v in removed))
    return "; ".join(parts) if parts else "reordered"


def _mapping_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    keys = [*old, *(k for k in new if k not in old)]
    parts = [
        f"{label(key).lower()} {_scalar_change(old.get(key), new.get(key), quote=key in _TEXT_FIELDS)}"
        for key in keys
        if key not in _HIDDEN_KEYS and old.get(key) != new.get(key)
    ]
    return "; ".join(parts) if parts else "renewed"


def _scalar_change(old: Any, new: Any, *, quote: bool = False) -> str:
    if _empty(old):
        return f"set to {value_text(new, quote=quote)}"
    if _empty(new):
        return f"removed (was {value_text(old, quote=quote)})"
    return f"{value_text(old, quote=quote)} → {value_text(new, quote=quote)}"


def change_sentence(change: FieldChange) -> str:
    """One field's change as prose: ``Priority: should → must``."""
    old, new = change.old, change.new
    if any(isinstance(v, list) for v in (old, new)) and all(v is None or isinstance(v, list) for v in (old, new)):
        text = _list_change(old or [], new or [], quote=change.field in _TEXT_FIELDS)
    elif isinstance(old, Mapping) and isinstance(new, Mapping):
        text = _mapping_change(old, new)
    else:
        text = _scalar_change(old, new, quote=change.field in _TEXT_FIELDS)
    return f"{label(change.field)}: {text}"


def _added_summary(item: ItemChange) -> str:
    facts = [
        f"{name} {value_text(change.new)}"
        for name in ("status", "priority")
        if (change := item.field(name)) is not None and not _empty(change.new)
    ]
    return f" ({', '.join(facts)})" if facts else ""


def _item_lines(item: ItemChange) -> list[str]:
    head = f"- **{escape(item.id)}** {escape(item.title)}"
    if item.change == "added":
        return [head + _added_summary(item)]
    if item.change == "removed":
        return [head]
    lines = [head]
    lines += [f"  - {change_sentence(change)}" for change in item.fields]
    if item.body_changed:
        lines.append("  - Description: changed")
    return lines


def _rev(rev: str | None) -> str:
    return "the working tree" if rev is None else escape(rev)


def release_notes(diff: ProjectDiff) -> str:
    """The Markdown release notes of ``diff``: Added, Removed and Changed sections."""
    lines = [f"# Changes from {_rev(diff.old_rev)} to {_rev(diff.new_rev)}", ""]
    lines.append(f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed.")
    for title, group in (("Added", diff.added), ("Removed", diff.removed), ("Changed", diff.changed)):
        if group:
            lines += ["", f"## {title}", ""]
            for item in group:
                lines += _item_lines(item)
    return "\n".join(lines)
