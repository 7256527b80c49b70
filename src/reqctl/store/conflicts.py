"""Leftover merge conflict markers in an item file.

A file git left half-merged must never be approved (its fingerprint would
cover the markers) nor pass ``check``.  Markers are the lines git writes:
``<<<<<<< ``, ``||||||| `` (diff3), ``=======`` and ``>>>>>>> `` at the start
of a line.  A bare ``=======`` in the Markdown body is also a setext heading
underline ("Summary" underlined with seven ``=``), so in the body it counts
only next to another marker; in the front matter any of them counts.
"""

from __future__ import annotations

import re

_OPEN_CLOSE = re.compile(r"^(?:<{7}|\|{7}|>{7})(?:[ \t].*)?$", re.MULTILINE)
_SEPARATOR = re.compile(r"^={7}[ \t]*$", re.MULTILINE)


def conflict_marker(text: str, *, body_only: bool = False) -> tuple[int, str] | None:
    """(1-based line, marker line) of the first conflict marker in ``text``, or None.

    ``text`` is a whole item file (front matter, then body), or only a body
    when ``body_only``.  Cheap when there is no marker: one substring test per
    marker kind before any regular expression runs.
    """
    if "<<<<<<<" not in text and ">>>>>>>" not in text and "|||||||" not in text and "=======" not in text:
        return None
    body_start = 0 if body_only else _body_offset(text)
    found = [match.start() for match in _OPEN_CLOSE.finditer(text)]
    separators = [match.start() for match in _SEPARATOR.finditer(text)]
    found += [pos for pos in separators if found or pos < body_start]
    if not found:
        return None
    first = min(found)
    line_end = text.find("\n", first)
    line = text[first : line_end if line_end >= 0 else len(text)]
    return text.count("\n", 0, first) + 1, line.rstrip("\r")


def _body_offset(text: str) -> int:
    """Where the body starts: after the closing ``---`` of the front matter (0 if there is none)."""
    if not text.lstrip("\ufeff").startswith("---"):
        return 0
    close = re.search(r"^---[ \t\r]*$", text[3:], re.MULTILINE)
    return len(text) if close is None else close.end() + 3
