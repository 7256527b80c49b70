"""New item files for the importers, written fast: 10,000 of them in well under a second.

``render_new`` writes the layout ``store.roundtrip.render_new`` (ruamel.yaml)
writes, ~30 times faster, and ``create_file`` creates a file without the
temporary file, rename and fsync ``write_atomic`` makes per file.  Both are
for imports only: they hold the project lock, sync once at the end
(``os.sync``) and, on a failure, remove every file they created.  Shared by
the tabular import (``tabular.py``) and every other importer (``plan.py``).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from reqctl.errors import ReqctlError
from reqctl.messages import lazy


def create_file(path: Path, data: bytes) -> None:
    """Create a new item file; an existing file is never overwritten (``O_EXCL``).

    Unlike ``write_atomic`` there is no temporary file, rename and fsync per
    file: the import holds the project lock, the caller syncs once at the end
    and, on any failure, ``restored_on_failure`` removes every file created.
    """
    try:
        with path.open("xb") as handle:
            handle.write(data)
    except FileExistsError:
        raise ReqctlError(lazy("file already exists; not overwriting it"), path=path) from None
    except OSError as exc:
        raise ReqctlError(lazy("cannot write file: {error}", error=exc.strerror), path=path) from None


def create_then_edit(new_files: Sequence[tuple[Path, Callable[[], str]]], edits: Sequence[Callable[[], None]]) -> None:
    """Create every new file (never overwriting one), sync once, then run the edits; on failure remove what was created.

    Each new file's text is rendered here, in the calling thread, while one
    writer thread creates the files already rendered: rendering is Python
    work that holds the GIL, creating a file is mostly system calls that
    release it, so the two overlap instead of adding up (10,000 files).  The
    edits (files the import changes) run after every new file is written;
    the caller's ``restored_on_failure`` puts those back.
    """
    created: list[Path] = []
    failures: list[BaseException] = []

    def write(path: Path, data: bytes) -> None:
        if failures:
            return
        try:
            create_file(path, data)
            created.append(path)
        except BaseException as exc:  # handed to the calling thread below
            failures.append(exc)

    try:
        for folder in {path.parent for path, _render in new_files}:
            try:
                folder.mkdir(exist_ok=True)
            except OSError as exc:
                raise ReqctlError(lazy("cannot create folder: {error}", error=exc.strerror), path=folder) from None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reqctl-writer") as writer:
            for path, render in new_files:
                if failures:
                    break
                writer.submit(write, path, render().encode("utf-8"))
        if failures:
            raise failures[0]
        if created:
            os.sync()  # one flush for every new file instead of one fsync each (10,000 fsyncs take ~40 s)
        for edit in edits:
            edit()
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise


class _Flow(list[Any]):
    """A list written ``[A, B]`` on one line, as ``roundtrip.render_new`` writes ID lists and tags."""


@functools.cache
def _dumper() -> Any:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[valid-type,misc]
        pass

    def flow(dumper: Any, value: _Flow) -> Any:
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)

    Dumper.add_representer(_Flow, flow)
    return Dumper


_FLOW_SAFE = re.compile(r"[^\W_][\w.@+-]*")
_FLOW_KEYS = frozenset({"depends_on", "affects", "relates", "supersedes", "tags", "deciders"})


def _indent_sequences(front: str) -> str:
    """Indent block lists under their key (``  - a``) as ``roundtrip.render_new`` does; PyYAML writes ``- a``.

    Every line inside a list moves two columns right per enclosing list.  The
    only lines that can be moved by mistake are continuation lines of a
    quoted or long plain scalar, whose leading spaces YAML ignores.
    """
    out = []
    open_lists: list[int] = []  # the original indentation of each enclosing list
    for line in front.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        content = line[indent:]
        is_item = content.startswith("- ") or content == "-"
        while open_lists and (indent < open_lists[-1] or (indent == open_lists[-1] and not is_item)):
            open_lists.pop()
        if is_item and (not open_lists or open_lists[-1] != indent):
            open_lists.append(indent)
        out.append(" " * (2 * len(open_lists)) + line if line else line)
    return "\n".join(out)


def render_new(data: Mapping[str, Any], body: str) -> str:
    """The text of a new item file, as ``roundtrip.render_new`` writes it, ~30 times faster.

    ruamel.yaml takes ~3 ms per file, 30 s for a 10,000-row sheet; PyYAML's
    C emitter writes the same layout (block lists at the key's indentation,
    ID lists and tags in flow style, YAML 1.1 look-alike strings quoted), and
    reqctl reads files with PyYAML, so what is written reads back as planned.
    """
    front = _emit_simple(data)
    if front is None:
        front = _emit_pyyaml(data)
    body = body.strip("\n")
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"


_YAML11_WORDS = frozenset(
    w for word in ("yes", "no", "true", "false", "on", "off", "null") for w in (word, word.title(), word.upper())
)


def _plain(text: str) -> bool:
    """True when ``text`` can be written unquoted and PyYAML reads it back as this very string.

    Starting with a letter rules out numbers, dates, and every YAML indicator;
    the rest rules out comments, keys, YAML 1.1 booleans/nulls and characters
    an emitter would escape.  Anything else goes through PyYAML.
    """
    return (
        0 < len(text) < 1000
        and text[0].isalpha()
        and text.isprintable()
        and text == text.rstrip()
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and text not in _YAML11_WORDS
    )


# Keys repeat in every file of an import (id, title, x-reqif, type...): their check is cached.
_plain_key = functools.lru_cache(maxsize=4096)(_plain)


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and _plain(value):
        return value
    return None


def literal_ok(value: str) -> bool:
    """True when ``value`` is multi-line text a ``|`` block keeps exactly (what ``plan.py`` writes as one)."""
    return (
        "\n" in value.strip("\n") and not value.startswith((" ", "\n")) and not value.endswith("\n\n")
        and all(line == line.rstrip() and (line.isprintable() or not line) for line in value.split("\n"))
    )


def _literal(value: Any, indent: str) -> str | None:
    """``|-`` (or ``|`` when it ends with one line break) and the lines indented, or None."""
    if not isinstance(value, str) or not literal_ok(value):
        return None
    header = "|" if value.endswith("\n") else "|-"
    lines = value.removesuffix("\n").split("\n")
    return header + "".join(f"\n{indent}{line}" if line else "\n" for line in lines)


def _emit_simple(data: Mapping[str, Any]) -> str | None:
    """The front matter PyYAML would write, for plain keys, scalars, lists of scalars and one level of mapping.

    ~5 times faster than PyYAML's (pure Python) representer; None for anything
    else, which then goes through PyYAML.  The tests compare both.  A
    multi-line text (a mapping's value, not a list item) is written as a
    literal ``|`` block where that is lossless, as ``roundtrip.render_new``
    writes the ``LiteralScalarString`` ``plan.py`` gives it; PyYAML would
    quote it on one line full of ``\n``.
    """
    lines: list[str] = []
    for key, value in data.items():
        if not _plain_key(key):
            return None
        if isinstance(value, list):
            if not value:
                return None
            items = [_scalar(v) for v in value]
            if any(item is None for item in items):
                return None
            if key in _FLOW_KEYS and all(isinstance(v, str) and _FLOW_SAFE.fullmatch(v) for v in value):
                lines.append(f"{key}: [{', '.join(value)}]")
            else:
                lines.append(f"{key}:")
                lines.extend(f"  - {item}" for item in items)
        elif isinstance(value, Mapping):
            if not value:
                return None
            lines.append(f"{key}:")
            for sub_key, sub_value in value.items():
                text = _scalar(sub_value)
                block = _literal(sub_value, "    ") if text is None else None
                if not isinstance(sub_key, str) or not _plain_key(sub_key) or (text is None and block is None):
                    return None
                lines.append(f"  {sub_key}: {text}" if block is None else f"  {sub_key}: {block}")
        else:
            text = _scalar(value)
            block = _literal(value, "  ") if text is None else None
            if text is None and block is None:
                return None
            lines.append(f"{key}: {text}" if block is None else f"{key}: {block}")
    return "\n".join(lines) + "\n"


def _emit_pyyaml(data: Mapping[str, Any]) -> str:
    import yaml

    shaped = {
        key: _Flow(value) if key in _FLOW_KEYS and isinstance(value, list)
        and all(isinstance(v, str) and _FLOW_SAFE.fullmatch(v) for v in value) else value
        for key, value in data.items()
    }
    front = yaml.dump(shaped, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=4096,
                      default_flow_style=False)
    return _indent_sequences(front) if "- " in front else front
