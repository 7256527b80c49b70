"""ReqIF rich text (an XHTML fragment) as Markdown.

A small converter for the tags ReqIF tools write (div, p, br, b/strong,
i/em, u, ul/ol/li, a, h1-h6, pre/code, table, object/img, span): Python's
own ``html.parser`` is lenient with broken markup and never resolves
entities beyond the HTML ones, so untrusted input stays inert.  Tags not
listed keep their text; nothing is dropped.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = frozenset({"div", "p", "table", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
_SPACE = re.compile(r"[ \t\r\n]+")


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1].lower()


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [is_ordered, counter]
        self.href: list[str | None] = []
        self.pre = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.rows_done = 0

    def _emit(self, text: str) -> None:
        (self.cell if self.cell is not None else self.out).append(text)

    def _newline(self, count: int = 2) -> None:
        if self.cell is not None:
            self.cell.append(" ")
            return
        joined = "".join(self.out[-3:])
        existing = len(joined) - len(joined.rstrip("\n"))
        if self.out and existing < count:
            self.out.append("\n" * (count - existing))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = _local(tag)
        values = dict(attrs)
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._newline()
            self._emit("#" * int(name[1]) + " ")
        elif name in ("ul", "ol"):
            self._newline(1 if self.lists else 2)
            self.lists.append([name == "ol", 0])
        elif name in _BLOCK and name not in ("tr", "table"):
            self._newline(1 if self.lists else 2)
            if name == "pre":
                self.pre += 1
                self._emit("```\n")
        elif name == "br":
            self._emit("  \n" if self.cell is None else " ")
        elif name in ("b", "strong"):
            self._emit("**")
        elif name in ("i", "em"):
            self._emit("*")
        elif name == "code" and not self.pre:
            self._emit("`")
        elif name == "li":
            self._newline(1)
            indent = "  " * max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0]:
                self.lists[-1][1] += 1
                self._emit(f"{indent}{self.lists[-1][1]}. ")
            else:
                self._emit(f"{indent}- ")
        elif name == "a":
            self.href.append(values.get("href"))
            self._emit("[")
        elif name in ("img", "object"):
            target = values.get("src") or values.get("data") or ""
            label = values.get("alt") or values.get("name") or target.rsplit("/", 1)[-1]
            self._emit(f"![{label}]({target})")
        elif name == "table":
            self._newline()
            self.rows_done = 0
        elif name == "tr":
            self.row = []
        elif name in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        name = _local(tag)
        if name in ("b", "strong"):
            self._emit("**")
        elif name in ("i", "em"):
            self._emit("*")
        elif name == "code" and not self.pre:
            self._emit("`")
        elif name == "pre":
            self.pre = max(self.pre - 1, 0)
            self._newline(1)
            self._emit("```")
            self._newline()
        elif name in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline(1 if self.lists else 2)
        elif name == "a":
            href = self.href.pop() if self.href else None
            self._emit(f"]({href})" if href else "]")
        elif name in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()).replace("|", "\\|"))
            self.cell = None
        elif name == "tr" and self.row is not None:
            self.out.append("| " + " | ".join(self.row) + " |\n")
            if self.rows_done == 0:
                self.out.append("|" + "---|" * len(self.row) + "\n")
            self.rows_done += 1
            self.row = None
        elif name in _BLOCK:
            self._newline(1 if self.lists else 2)

    def handle_data(self, data: str) -> None:
        if self.pre:
            self._emit(data)
            return
        text = _SPACE.sub(" ", data)
        if not text.strip() and (not self.out or self.out[-1].endswith(("\n", " "))):
            return
        self._emit(text)


# One paragraph of text with bold and italics and nothing else (no attributes, entities or other
# tags): most requirements' text.  ``_one_paragraph`` converts it as the parser would, ~10 times faster.
_ONE_PARAGRAPH = re.compile(
    r"[ \t\r\n]*<(?:xhtml:)?(div|p)>((?:[^<&]|</?(?:xhtml:)?(?:b|strong|i|em)>)*)</(?:xhtml:)?\1>[ \t\r\n]*"
)
_INLINE = re.compile(r"</?(?:xhtml:)?(b|strong|i|em)>")


def _one_paragraph(fragment: str) -> str | None:
    match = _ONE_PARAGRAPH.fullmatch(fragment)
    if match is None:
        return None
    out: list[str] = []
    for index, part in enumerate(_INLINE.split(match.group(2))):
        if index % 2:
            out.append("**" if part in ("b", "strong") else "*")
            continue
        text = _SPACE.sub(" ", part)
        if not text or (not text.strip() and (not out or out[-1].endswith(("\n", " ")))):
            continue
        out.append(text)
    return _finish("".join(out))


def xhtml_to_markdown(fragment: str) -> str:
    """Markdown for an XHTML fragment; plain text passes through with its spacing normalised."""
    if "<" not in fragment:
        return "\n".join(line.strip() for line in html.unescape(fragment).strip().splitlines())
    simple = _one_paragraph(fragment)
    if simple is not None:
        return simple
    converter = _Converter()
    converter.feed(fragment)
    converter.close()
    return _finish("".join(converter.out))


def _finish(text: str) -> str:
    lines = [line.rstrip() if not line.endswith("  ") else line for line in text.split("\n")]
    text = "\n".join(line.lstrip(" ") if not line.lstrip(" ").startswith(("- ", "1")) else line for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
