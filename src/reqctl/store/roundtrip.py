"""The careful write path: ruamel.yaml round-trip edits and new files.

This is the only module that imports ruamel.yaml.  Edits keep the person's
comments, key order and quoting; every write is an atomic replace.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from reqctl.errors import FileFormatError
from reqctl.messages import lazy, os_reason
from reqctl.store import frontmatter
from reqctl.store.atomic import write_atomic

_INDENTED_DASH = re.compile(r"^ +- ", re.MULTILINE)
_FLOW_LIST_KEYS = frozenset({"depends_on", "affects", "relates", "supersedes", "tags", "deciders"})
# Items written as `[A, B]` only when plainly safe there (IDs, words, e-mails); ruamel can emit
# invalid flow YAML for others (e.g. `[:0]`), so those lists are written as block lists.
_FLOW_SAFE = re.compile(r"[^\W_][\w.@+-]*")


def _yaml(front: str = "") -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    if front and not _INDENTED_DASH.search(front):
        yaml.indent(mapping=2, sequence=2, offset=0)
    else:
        yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def to_yaml_value(key: str, value: Any) -> Any:
    """Convert plain Python values to ruamel nodes with the style a person would write."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, Mapping):
        node = CommentedMap()
        for sub_key, sub_value in value.items():
            node[sub_key] = to_yaml_value(sub_key, sub_value)
        return node
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(to_yaml_value(key, v) for v in value)
        if key in _FLOW_LIST_KEYS and all(isinstance(v, str) and _FLOW_SAFE.fullmatch(v) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and _read_back_as_other_type(value):
        from ruamel.yaml.scalarstring import SingleQuotedScalarString

        return SingleQuotedScalarString(value)
    return value


def _read_back_as_other_type(text: str) -> bool:
    """True when the fast (YAML 1.1) reader would load this plain string as a non-string.

    ruamel writes YAML 1.2, where ``No``, ``on``, ``0o17`` or ``12:30`` are plain
    strings; PyYAML reads them as booleans or numbers.  Such strings are quoted.
    """
    import yaml

    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag != "tag:yaml.org,2002:str")


def _dump(yaml: Any, data: Any) -> str:
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def render_new(data: Mapping[str, Any], body: str) -> str:
    """Text of a new item file: front matter in the given key order, then the body."""
    front = _dump(_yaml(), to_yaml_value("", data))
    body = body.strip("\n")
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"


def edit_front_matter(
    path: Path,
    rel: str,
    updates: Mapping[str, Any],
    *,
    remove: Iterable[str] = (),
    body: str | None = None,
    rename: Mapping[str, str] | None = None,
) -> None:
    """Set (or add at the end) top-level keys, drop others, keep everything else as written.

    ``rename`` maps an old key to a key of ``updates`` that takes its place
    (position and line comment) when the new key is not in the file yet.
    """

    def change(data: Any) -> None:
        for key in remove:
            if key in data:
                del data[key]
        for old_key, new_key in (rename or {}).items():
            if old_key not in data or new_key not in updates:
                continue
            if new_key in data:
                del data[old_key]
                continue
            position = list(data.keys()).index(old_key)
            comment = data.ca.items.pop(old_key, None)
            del data[old_key]
            data.insert(position, new_key, to_yaml_value(new_key, updates[new_key]))
            if comment is not None:
                data.ca.items[new_key] = comment
        for key, value in updates.items():
            data[key] = to_yaml_value(key, value)

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(lazy("cannot read file: {reason}", reason=os_reason(exc)), path=rel) from None
    write_atomic(path, edited_text(raw, rel, change, body=body).encode("utf-8"))


def edited_text(raw: bytes, rel: str, change: Callable[[Any], None], *, body: str | None = None) -> str:
    """The file ``raw`` with its front matter changed in place by ``change(mapping)``; nothing is written.

    ``change`` gets ruamel's round-trip mapping, so comments, key order and
    quoting of everything it does not touch stay as written (nested lists
    such as a meeting's ``actions`` included).  Callers that validate before
    writing use this; BOM and CRLF line ends are kept.
    """
    text = frontmatter.decode(raw, rel)
    parts = frontmatter.split(text, rel)
    yaml = _yaml(parts.front)
    try:
        data = yaml.load(parts.front)
    except Exception as exc:
        raise FileFormatError(lazy("YAML error: {problem}", problem=str(exc).splitlines()[0] if str(exc) else ""),
                              path=rel, line=2) from None
    change(data)
    new_body = parts.body if body is None else body
    new_text = f"---\n{_dump(yaml, data)}---\n{new_body}"
    if raw.startswith(b"\xef\xbb\xbf"):
        new_text = "\ufeff" + new_text
    if b"\r\n" in raw:
        new_text = new_text.replace("\n", "\r\n")
    return new_text


def append_to_list(path: Path, rel: str, key: str, value: Any) -> bool:
    """Append ``value`` to the top-level list ``key`` of a YAML file; False if there is none."""
    text = frontmatter.decode(path.read_bytes(), rel)
    yaml = _yaml(text)
    try:
        data = yaml.load(text)
    except Exception:
        return False
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        return False
    data[key].append(to_yaml_value(key, value))
    write_atomic(path, _dump(yaml, data).encode("utf-8"))
    return True
