"""Read the cell values of an XLSX workbook fast: the standard library's expat parser over the sheet XML.

openpyxl (which writes reqctl's exports) builds an object per cell when it
reads: 10,000 rows took 3 to 8 s of the 10 s an import of that size may take.
Values are all an import needs, so this reader streams each sheet's XML with
``xml.etree.ElementTree.iterparse`` and keeps only the values, ~10 times
faster.  openpyxl stays the authority on what a number format means
(``is_date_format``, its built-in format table, ``from_excel`` with the
workbook's 1900/1904 epoch), so dates read exactly as openpyxl reads them.

XML entities are not expanded by expat beyond the predefined ones, and the
shared-strings and sheet parts are read through ``zipfile`` with a size cap,
so a crafted workbook cannot blow up memory.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any
from xml.etree import ElementTree

from reqctl.messages import lazy

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_PART_BYTES = 500_000_000  # uncompressed size of one part
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


class XlsxError(ValueError):
    """The file is not a workbook this reader understands."""


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1


class Workbook:
    """Sheet names and rows of values (str, int, float, bool, datetime, None)."""

    def __init__(self, stream: IO[bytes]):
        try:
            self._zip = zipfile.ZipFile(stream)
            self._sheets = self._sheet_paths()
            self._strings = self._shared_strings()
            self._date_styles, self._epoch = self._styles()
        except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
            raise XlsxError(str(exc) or type(exc).__name__) from None

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    def _open(self, name: str) -> IO[bytes]:
        info = self._zip.getinfo(name)
        if info.file_size > MAX_PART_BYTES:
            raise XlsxError(lazy("{name} is larger than {size} bytes", name=name, size=f"{MAX_PART_BYTES:,}"))
        return self._zip.open(info)

    def _sheet_paths(self) -> dict[str, str]:
        rels: dict[str, str] = {}
        with self._open("xl/_rels/workbook.xml.rels") as stream:
            for rel in ElementTree.parse(stream).getroot().iter(f"{PKG_REL}Relationship"):
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                rels[rel.get("Id", "")] = path
        sheets: dict[str, str] = {}
        with self._open("xl/workbook.xml") as stream:
            root = ElementTree.parse(stream).getroot()
        self._date1904 = any(
            pr.get("date1904") in ("1", "true") for pr in root.iter(f"{MAIN}workbookPr")
        )
        for sheet in root.iter(f"{MAIN}sheet"):
            rid = sheet.get(f"{REL}id", "")
            if rid in rels:
                sheets[sheet.get("name", "")] = rels[rid]
        if not sheets:
            raise XlsxError(lazy("the workbook has no worksheet"))
        return sheets

    def _shared_strings(self) -> list[str]:
        try:
            stream = self._open("xl/sharedStrings.xml")
        except KeyError:
            return []
        strings: list[str] = []
        with stream:
            for _event, element in ElementTree.iterparse(stream):
                if element.tag == f"{MAIN}si":
                    strings.append(_text_of(element))
                    element.clear()
        return strings

    def _styles(self) -> tuple[set[int], Any]:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        epoch = CALENDAR_MAC_1904 if self._date1904 else CALENDAR_WINDOWS_1900
        try:
            stream = self._open("xl/styles.xml")
        except KeyError:
            return set(), epoch
        with stream:
            root = ElementTree.parse(stream).getroot()
        formats: dict[int, str] = dict(BUILTIN_FORMATS)
        for fmt in root.iter(f"{MAIN}numFmt"):
            formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        dates: set[int] = set()
        cell_xfs = root.find(f"{MAIN}cellXfs")
        for index, xf in enumerate(cell_xfs if cell_xfs is not None else ()):
            code = formats.get(int(xf.get("numFmtId", "0")), "")
            if code and is_date_format(code):
                dates.add(index)
        return dates, epoch

    def rows(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values by column) for each row that has a cell, in order."""
        from openpyxl.utils.datetime import from_excel

        try:
            stream = self._open(self._sheets[sheet])
        except KeyError:
            raise XlsxError(lazy("sheet {name} has no part in the file", name=repr(sheet))) from None
        strings = self._strings
        with stream:
            try:
                for _event, element in ElementTree.iterparse(stream):
                    if element.tag != f"{MAIN}row":
                        continue
                    number = int(element.get("r", "0"))
                    values: list[Any] = []
                    for cell in element.iter(f"{MAIN}c"):
                        ref = _CELL_REF.match(cell.get("r", ""))
                        column = _column_index(ref.group(1)) if ref else len(values)
                        if column >= len(values):
                            values.extend([None] * (column + 1 - len(values)))
                        values[column] = self._value(cell, strings, from_excel)
                    element.clear()
                    yield number, values
            except ElementTree.ParseError as exc:
                raise XlsxError(str(exc)) from None

    def _value(self, cell: ElementTree.Element, strings: list[str], from_excel: Any) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(f"{MAIN}is")
            return _text_of(inline) if inline is not None else None
        raw = cell.findtext(f"{MAIN}v")
        if raw is None:
            return None
        if kind == "s":
            try:
                return strings[int(raw)]
            except (ValueError, IndexError):
                raise XlsxError(lazy("cell {cell}: no shared string {index}", cell=cell.get("r"), index=raw)) from None
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind in ("str", "e"):
            return raw
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(raw)  # type: ignore[no-untyped-call]
        try:
            number: int | float = int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            raise XlsxError(lazy("cell {cell}: '{value}' is not a number", cell=cell.get("r"), value=raw)) from None
        style = cell.get("s")
        if style is not None and int(style) in self._date_styles:
            return from_excel(number, self._epoch)
        return number

    def close(self) -> None:
        self._zip.close()


def _text_of(element: ElementTree.Element) -> str:
    """The text of a string item: its ``t`` runs, without phonetic (``rPh``) runs."""
    direct = element.find(f"{MAIN}t")
    if direct is not None and len(element) == 1:
        return direct.text or ""
    parts = []
    for run in element:
        if run.tag == f"{MAIN}t":
            parts.append(run.text or "")
        elif run.tag == f"{MAIN}r":
            parts.extend(t.text or "" for t in run.iter(f"{MAIN}t"))
    return "".join(parts)
