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

from reqctl.messages import DEFAULT_LANGUAGE, _, language, pgettext, render

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


# Fields whose values are data words (a status, a priority): shown in the run's language.
_WORD_FIELDS = frozenset({"status", "priority", "severity", "kind", "channel", "role"})


def _english() -> bool:
    return language() == DEFAULT_LANGUAGE


def label(field: str) -> str:
    if not _english():
        from reqctl.render.i18n import field as field_name

        return field_name(field, language())
    return LABELS.get(field, field.replace("_", " ").capitalize())


def _word(field: str, value: Any) -> Any:
    """A status or priority in the run's language (English keeps the stored key)."""
    if field in _WORD_FIELDS and isinstance(value, str) and not _english():
        from reqctl.render.i18n import word

        return word(value, language())
    return value


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def value_text(value: Any, *, quote: bool = False) -> str:
    """A value in a sentence: words in quotes, single tokens (a status, an ID, a date) bare."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Mapping):
        return _mapping_text(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(value_text(v) for v in value) or _("none")
    text = str(value)
    quote = quote or any(ch.isspace() for ch in text.strip())
    return f"“{escape(text)}”" if quote else escape(text)


def _mapping_text(value: Mapping[str, Any]) -> str:
    parts = [
        _("{field} {value}").format(field=label(key).lower(), value=value_text(_word(key, item)))
        for key, item in value.items()
        if key not in _HIDDEN_KEYS and not _empty(item)
    ]
    return _("({facts})").format(facts=", ".join(parts)) if parts else _("(empty)")


def _list_change(old: Sequence[Any], new: Sequence[Any], *, quote: bool = False) -> str:
    added = [v for v in new if v not in old]
    removed = [v for v in old if v not in new]
    parts = []
    if added:
        parts.append(_("added {values}").format(values="; ".join(value_text(v, quote=quote) for v in added)))
    if removed:
        parts.append(_("removed {values}").format(values="; ".join(value_text(v, quote=quote) for v in removed)))
    return "; ".join(parts) if parts else _("reordered")


def _mapping_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    keys = [*old, *(k for k in new if k not in old)]
    parts = [
        _("{field} {value}").format(field=label(key).lower(), value=_scalar_change(
            _word(key, old.get(key)), _word(key, new.get(key)), quote=key in _TEXT_FIELDS))
        for key in keys
        if key not in _HIDDEN_KEYS and old.get(key) != new.get(key)
    ]
    return "; ".join(parts) if parts else _("renewed")


def _scalar_change(old: Any, new: Any, *, quote: bool = False) -> str:
    if _empty(old):
        return _("set to {value}").format(value=value_text(new, quote=quote))
    if _empty(new):
        return _("removed (was {value})").format(value=value_text(old, quote=quote))
    return f"{value_text(old, quote=quote)} → {value_text(new, quote=quote)}"


def change_sentence(change: FieldChange) -> str:
    """One field's change as prose: ``Priority: should → must``."""
    old, new = change.old, change.new
    if any(isinstance(v, list) for v in (old, new)) and all(v is None or isinstance(v, list) for v in (old, new)):
        text = _list_change(old or [], new or [], quote=change.field in _TEXT_FIELDS)
    elif isinstance(old, Mapping) and isinstance(new, Mapping):
        text = _mapping_change(old, new)
    else:
        text = _scalar_change(_word(change.field, old), _word(change.field, new), quote=change.field in _TEXT_FIELDS)
    return _("{field}: {text}").format(field=label(change.field), text=text)


def _added_summary(item: ItemChange) -> str:
    facts = [
        _("{field} {value}").format(field=name if _english() else label(name),
                                    value=value_text(_word(name, change.new)))
        for name in ("status", "priority")
        if (change := item.field(name)) is not None and not _empty(change.new)
    ]
    return _(" ({facts})").format(facts=", ".join(facts)) if facts else ""


def _item_lines(item: ItemChange) -> list[str]:
    head = f"- **{escape(item.id)}** {escape(item.title)}"
    if item.change == "added":
        return [head + _added_summary(item)]
    if item.change == "removed":
        return [head]
    lines = [head]
    lines += [f"  - {change_sentence(change)}" for change in item.fields]
    if item.body_changed:
        lines.append("  - " + _("Description: changed"))
    return lines


def _rev(rev: str | None) -> str:
    return _("the working tree") if rev is None else escape(render(rev))


def release_notes(diff: ProjectDiff) -> str:
    """The Markdown release notes of ``diff``: Added, Removed and Changed sections."""
    lines = ["# " + _("Changes from {old} to {new}").format(old=_rev(diff.old_rev), new=_rev(diff.new_rev)), ""]
    lines.append(_("{added} added, {removed} removed, {changed} changed.").format(
        added=len(diff.added), removed=len(diff.removed), changed=len(diff.changed)))
    titles = (pgettext("release notes", "Added"), pgettext("release notes", "Removed"),
              pgettext("release notes", "Changed"))
    for title, group in zip(titles, (diff.added, diff.removed, diff.changed), strict=True):
        if group:
            lines += ["", f"## {title}", ""]
            for item in group:
                lines += _item_lines(item)
    return "\n".join(lines)
