"""The CLI's own words in the user's language: gettext catalogs, the language in force, lazy messages.

Catalogs are standard gettext files (``locale/<lang>/LC_MESSAGES/reqctl.mo``,
compiled from ``reqctl.po`` with Babel, see docs/TRANSLATING.md); at run time
only the standard library reads them.

The language is per invocation: ``cli/main.py`` sets it for one run of the
CLI (a context variable, so in-process runs never leak into each other).
Precedence, first that answers: ``--lang``, then the environment
(``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set, when
it names a language reqctl has; ``C``/``POSIX`` say nothing), then the
project's ``language`` in reqctl.yaml, then English.

Code below the CLI (rules, ops) does not know the language: it builds a
``Message`` — English text that keeps its template and parameters — and the
CLI translates it when it shows it (``render``).  Cached check results keep
the template, so a finding cached in one language shows in another.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

DOMAIN = "reqctl"
LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

# None: nobody chose yet (the project's language may still decide).
_chosen: ContextVar[str | None] = ContextVar("reqctl_language", default=None)


@functools.cache
def translator(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang`` (English is the source language: no catalog)."""
    if lang == DEFAULT_LANGUAGE or lang not in LANGUAGES:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[lang], fallback=True)


def environment_language(environ: Mapping[str, str]) -> str | None:
    """The language the locale variables ask for, if reqctl has it (``zh_CN.UTF-8`` → zh)."""
    for name in ENVIRONMENT:
        value = environ.get(name, "").strip()
        if not value:
            continue
        for part in value.split(":"):  # LANGUAGE may list several, best first
            code = part.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
            if code in LANGUAGES:
                return code
        return None  # the first variable set decides, as gettext does; C, POSIX or an unknown language
    return None


def chosen() -> str | None:
    """The language set for this run (``--lang`` or the environment), None when the project decides."""
    return _chosen.get()


def language() -> str:
    return _chosen.get() or DEFAULT_LANGUAGE


@contextlib.contextmanager
def using(lang: str | None) -> Iterator[None]:
    """Show messages in ``lang`` inside the block (None: not decided yet)."""
    token = _chosen.set(lang)
    try:
        yield
    finally:
        _chosen.reset(token)


def choose(lang: str) -> None:
    """``--lang``: this run's language, whatever the environment or the project say."""
    _chosen.set(lang)


def settle(project_language: str | None) -> None:
    """Use the project's language unless ``--lang`` or the environment already chose one."""
    if _chosen.get() is None and project_language is not None and project_language in LANGUAGES:
        _chosen.set(project_language)


def _(text: str) -> str:
    """``text`` in the language in force."""
    return translator(language()).gettext(text)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translator(language()).ngettext(singular, plural, count)


def pgettext(context: str, text: str) -> str:
    return translator(language()).pgettext(context, text)


def N_(text: str) -> str:
    """Mark ``text`` for the catalog without translating it here (tables translated later)."""
    return text


def NP_(context: str, text: str) -> str:
    """Mark ``text`` for the catalog under ``context`` without translating it here."""
    return text


class Message(str):
    """English text that remembers its catalog template and parameters.

    It is a ``str`` (the English text), so code and tests that read it as one
    keep working; ``render`` shows it in the language in force.  Parameters
    may be Messages themselves (a translated clause inside a sentence).
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Message:
        self = super().__new__(cls, template.format(**params) if params else template)
        self.template = template
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.template, self.params))

    def translated(self, lang: str) -> str:
        text = translator(lang).gettext(self.template)
        if not self.params:
            return text
        values = {key: translate(value, lang) for key, value in self.params.items()}
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):  # a broken translation must not hide the message
            return str(self)


class Word(Message):
    """A data word inside a message (a status, a kind), shown through render/i18n.py's word table."""

    def __new__(cls, value: object) -> Word:
        self = str.__new__(cls, "" if value is None else str(value))
        self.template = str(self)
        self.params = {}
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Word, (str(self),))

    def translated(self, lang: str) -> str:
        """English messages keep the value as stored (``in-progress``), as they always have."""
        if lang == DEFAULT_LANGUAGE:
            return str(self)
        from reqctl.render.i18n import word

        return word(str(self), lang)


def joined(parts: list[Any]) -> Message:
    """Messages joined with "; " (；in Chinese), each still translated when shown.

    The joint template (``{p0}{sep}{p1}``) needs no catalog entry: gettext returns it as it is.
    """
    names = [f"p{index}" for index in range(len(parts))]
    template = "{sep}".join("{" + name + "}" for name in names)
    return Message(template, sep=lazy("; "), **dict(zip(names, parts, strict=True)))


def word_list(values: list[str]) -> Message:
    """Data words (roles, statuses) joined with ", ", each shown through the word table (客户, 项目经理).

    The joint template (``{p0}, {p1}``) needs no catalog entry: gettext returns it as it is.
    """
    names = [f"p{index}" for index in range(len(values))]
    template = ", ".join("{" + name + "}" for name in names)
    return Message(template, **{name: Word(value) for name, value in zip(names, values, strict=True)})


# The operating system's most common reasons (Linux's strerror texts), in the catalog so that
# "No such file or directory" reads 文件或文件夹不存在 in Chinese; other reasons stay as the system says.
_OS_REASONS = frozenset({
    N_("No such file or directory"), N_("Permission denied"), N_("Is a directory"), N_("Not a directory"),
    N_("File exists"), N_("No space left on device"), N_("Read-only file system"),
    N_("Too many levels of symbolic links"), N_("File name too long"), N_("Operation not permitted"),
    N_("Directory not empty"), N_("Disk quota exceeded"),
})


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, as a message shown in the run's language where known."""
    reason = exc.strerror or str(exc)
    return lazy(reason) if reason in _OS_REASONS else reason


def data_word(value: object) -> str:
    """A data word (``approved``, ``customer``) as shown now: 已批准, 客户 in Chinese."""
    return Word(value).translated(language())


def _rebuild(template: str, params: dict[str, Any]) -> Message:
    return Message(template, **params)


def lazy(template: str, **params: Any) -> Message:
    """A message built where the language is not known (rules, ops, errors): ``lazy("no {id}", id=x)``."""
    return Message(template, **params)


def translate(value: object, lang: str) -> object:
    if isinstance(value, Message):
        return value.translated(lang)
    return value


def render(value: object) -> str:
    """``value`` as shown to the user now: a Message translated, anything else as ``str``."""
    if isinstance(value, Message):
        return value.translated(language())
    return str(value)


def encode(value: object) -> object:
    """A JSON-able form of a (possibly lazy) text, for the check cache."""
    if isinstance(value, Word):
        return {"w": str(value)}
    if isinstance(value, Message):
        return {"t": value.template, "p": {key: encode(item) for key, item in value.params.items()}}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # a path, a date: what the message showed


def decode(value: object) -> Any:
    if isinstance(value, dict) and "w" in value:
        return Word(value["w"])
    if isinstance(value, dict) and "t" in value:
        params = value.get("p") or {}
        return Message(str(value["t"]), **{key: decode(item) for key, item in params.items()})
    return value
