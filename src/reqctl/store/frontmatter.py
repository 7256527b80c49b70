"""Split an item file into YAML front matter and Markdown body, and parse it fast.

Reading uses PyYAML's C loader (the fast path); writing goes through
``store/roundtrip.py``.  Hand-written files are untrusted input, so parsing
guards against huge files and alias bombs ("billion laughs").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from reqctl.errors import FileFormatError
from reqctl.messages import N_, lazy

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 20_000
MAX_DEPTH = 50

_FENCE = "---"
_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)\s*:")

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class SplitFile:
    """An item file cut in two; ``body_line`` is the 1-based line where the body starts."""

    front: str
    body: str
    body_line: int


@dataclass(frozen=True, slots=True)
class ParsedFile:
    data: dict[str, Any]
    body: str
    key_lines: dict[str, int]


def decode(raw: bytes, path: str) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise FileFormatError(
            lazy("file is {size} bytes, larger than the {limit}-byte limit", size=f"{len(raw):,}",
                 limit=f"{MAX_FILE_BYTES:,}"), path=path
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileFormatError(lazy("file is not valid UTF-8 text"), path=path, line=line) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def split(text: str, path: str) -> SplitFile:
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        raise FileFormatError(lazy("no YAML front matter: the file must start with a '---' line"), path=path, line=1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() == _FENCE:
            front = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1 :])
            return SplitFile(front=front, body=body, body_line=index + 2)
    raise FileFormatError(lazy("front matter is not closed: add a '---' line after it"), path=path, line=1)


def key_lines(front: str) -> dict[str, int]:
    """Line of each top-level key, counted in the file (front matter starts at line 2)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(front.split("\n"), start=2):
        if line[:1].isalpha() or line[:1] == "_":
            match = _TOP_KEY.match(line)
            if match is not None:
                lines.setdefault(match.group(1), number)
    return lines


# PyYAML's most common complaints, in the catalog so that a Chinese run reads them in Chinese;
# any other problem is shown as PyYAML wrote it.
_YAML_PROBLEMS = frozenset({
    N_("did not find expected node content"), N_("mapping values are not allowed in this context"),
    N_("mapping values are not allowed here"), N_("could not find expected ':'"), N_("did not find expected key"),
    N_("did not find expected '-' indicator"), N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"), N_("found character that cannot start any token"),
    N_("found unexpected end of stream"), N_("found undefined alias"), N_("found unknown escape character"),
    N_("found a tab character that violates indentation"), N_("invalid YAML"),
})


def _known_problem(problem: str) -> str:
    return lazy(problem) if problem in _YAML_PROBLEMS else problem


def load_yaml(front: str, path: str, *, first_line: int = 2) -> Any:
    try:
        if len(front) > _DEPTH_SCAN_ABOVE:
            _check_depth(front, path, first_line)
        data = yaml.load(front, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else None
        problem = _known_problem(exc.problem or exc.context or "invalid YAML")
        raise FileFormatError(lazy("YAML error: {problem}", problem=problem), path=path, line=line) from None
    except yaml.reader.ReaderError as exc:
        line = front.count("\n", 0, max(exc.position, 0)) + first_line
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        problem = lazy("control character U+{code} is not allowed in YAML", code=f"{code:04X}")
        raise FileFormatError(lazy("YAML error: {problem}", problem=problem), path=path, line=line) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise FileFormatError(lazy("YAML error: {problem}", problem=problem), path=path, line=first_line) from None
    except RecursionError:
        raise FileFormatError(lazy("YAML is nested too deeply"), path=path, line=first_line) from None
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        # A scalar that resolves to a type PyYAML cannot build: 2026-02-30, !!int abc, !!timestamp x.
        line = _unbuildable_scalar_line(front, first_line)
        raise FileFormatError(lazy("YAML error: cannot read a value: {problem}", problem=str(exc)), path=path,
                              line=line) from None
    if "&" in front:  # only anchors and aliases can make a small text expand
        _check_size(data, path, first_line)
    return data


# libyaml's composer recurses once per nesting level and crashes the process (a segfault,
# not an exception) somewhere above 20,000 levels; text shorter than this cannot nest that deep.
_DEPTH_SCAN_ABOVE = 4_000
_OPENERS = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken, yaml.BlockSequenceStartToken,
            yaml.BlockMappingStartToken)
_CLOSERS = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


def _check_depth(front: str, path: str, first_line: int) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` using the scanner, which does not recurse."""
    depth = 0
    for token in yaml.scan(front, Loader=_Loader):
        if isinstance(token, _OPENERS):
            depth += 1
            if depth > MAX_DEPTH:
                raise FileFormatError(
                    lazy("YAML is nested more than {depth} levels deep", depth=MAX_DEPTH), path=path,
                    line=int(token.start_mark.line) + first_line,
                )
        elif isinstance(token, _CLOSERS):
            depth -= 1


def _unbuildable_scalar_line(front: str, first_line: int) -> int:
    """The line of the first scalar PyYAML fails to construct (``first_line`` if none is found)."""
    try:
        root = yaml.compose(front, Loader=_Loader)
    except Exception:  # only a hint for the message; the caller reports the error
        return first_line
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node)
            except Exception:  # any failure marks the culprit
                return int(node.start_mark.line) + first_line
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in reversed(node.value) for part in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return first_line


def _check_size(data: Any, path: str, line: int) -> None:
    """Refuse structures that expand beyond reason (alias bombs, recursive aliases)."""
    budget = MAX_NODES
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0 or depth > MAX_DEPTH:
            raise FileFormatError(
                lazy("YAML expands to too many values (aliases or deep nesting); write the values out"),
                path=path,
                line=line,
            )
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
            stack.extend((key, depth + 1) for key in node)
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def yaml_load_plain(text: str) -> Any:
    """Parse trusted YAML text shipped with reqctl (no size checks)."""
    return yaml.load(text, Loader=_Loader)


def parse(raw: bytes, path: str) -> ParsedFile:
    """Decode, split and parse one item file; raise ``FileFormatError`` with file:line."""
    parts = split(decode(raw, path), path)
    data = load_yaml(parts.front, path)
    if not isinstance(data, dict):
        raise FileFormatError(lazy("front matter must be a mapping of 'key: value' lines"), path=path, line=2)
    bad = [key for key in data if not isinstance(key, str)]
    if bad:
        raise FileFormatError(f"front matter key {bad[0]!r} is not text", path=path, line=2)
    return ParsedFile(data=data, body=parts.body, key_lines=key_lines(parts.front))
