"""The gettext catalog: every marked message has a Chinese translation, and the shipped .mo matches the .po.

The .mo is committed (an editable install and the wheel both read it as is),
so these tests are what keeps it honest: run ``pybabel extract``/``update``/
``compile`` as docs/TRANSLATING.md shows when one fails.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[1]
LOCALE = REPO / "src" / "reqctl" / "locale"
PO = LOCALE / "zh" / "LC_MESSAGES" / "reqctl.po"
MO = LOCALE / "zh" / "LC_MESSAGES" / "reqctl.mo"
# The same keywords docs/TRANSLATING.md gives pybabel extract (plus Babel's defaults).
KEYWORDS = {
    "_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "NP_": ((1, "c"), 2), "lazy": None,
    "rule": (3,), "RuleInfo": (3,),  # rule descriptions ('check --rules')
}
_FIELD = re.compile(r"\{([a-z_0-9]*)[^{}]*\}")


def _marked() -> set[tuple[str | None, str]]:
    found = set()
    for _name, _line, message, _comments, context in extract_from_dir(
        str(REPO / "src" / "reqctl"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def _catalog():  # type: ignore[no-untyped-def]
    with PO.open("rb") as handle:
        return read_po(handle)


def test_every_marked_message_has_a_chinese_translation() -> None:
    catalog = _catalog()
    untranslated = []
    for context, message in sorted(_marked(), key=str):
        entry = catalog.get(message, context=context)
        strings = [] if entry is None else (entry.string if isinstance(entry.string, tuple) else [entry.string])
        if entry is None or not all(strings) or entry.fuzzy:
            untranslated.append(f"{context or ''}|{message}")
    assert not untranslated, "not translated in reqctl.po (pybabel extract + update, then translate):\n" + "\n".join(
        untranslated
    )


def test_translations_keep_every_placeholder() -> None:
    wrong = []
    for entry in _catalog():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(_FIELD.findall(ids[-1]))
        for text in strings:
            if text and set(_FIELD.findall(text)) != wanted:
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


def test_the_compiled_catalog_is_not_stale() -> None:
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in _catalog():
        if not entry.id or entry.fuzzy:
            continue
        key = entry.id if isinstance(entry.id, str) else entry.id[0]
        if entry.context:
            key = f"{entry.context}\x04{key}"
        if isinstance(entry.string, tuple):
            for index, text in enumerate(entry.string):
                if text:
                    expected[(key, index)] = text
        elif entry.string:
            expected[key] = entry.string
    compiled = {k: v for k, v in compiled.items() if k != ""}
    assert compiled == expected, "reqctl.mo is stale: run 'pybabel compile -D reqctl -d src/reqctl/locale'"
