"""The one place a Jinja environment is built.

Templates come from the project's ``templates/`` folder first (a team's
override, matched by file name) and then from the package data shipped in
``reqctl/templates`` (the repository's top-level ``templates/``). Every
template runs in Jinja's sandbox with ``StrictUndefined`` and the time, size and
memory limits of ``render.limits``; HTML templates are autoescaped. A project
template that is a symbolic link (or sits in a symlinked ``templates/``) is
refused, never followed: the pull request that adds it must not be able to
pull an outside file into a report. Any failure while loading or rendering
becomes one ``TemplateError`` line naming the template.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from reqctl.bundled import bundled
from reqctl.errors import TemplateError
from reqctl.messages import lazy, os_reason
from reqctl.render import filters, limits, markdown
from reqctl.render import graphics as charts_glue

TEMPLATE_SUFFIX = ".j2"
PROJECT_TEMPLATES = "templates"


@dataclass(frozen=True)
class TemplateSource:
    """Where a template named ``name`` comes from: ``project`` or ``built-in``."""

    name: str
    origin: str
    path: str


def builtin_names() -> list[str]:
    folder = bundled("templates")
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name.endswith(TEMPLATE_SUFFIX) and entry.is_file()
    )


_UNDEFINED = re.compile(r"'([^']*)' is undefined")


def _undefined(problem: str) -> str:
    """Jinja's "'x' is undefined", the usual template typo, in the run's language."""
    match = _UNDEFINED.fullmatch(problem)
    return lazy("'{name}' is undefined", name=match.group(1)) if match else problem


def builtin_text(name: str) -> str | None:
    entry = bundled("templates").joinpath(name)
    if not name.endswith(TEMPLATE_SUFFIX) or "/" in name or not entry.is_file():
        return None
    return entry.read_text(encoding="utf-8")


def _refuse_link(path: Path, rel: str) -> None:
    raise TemplateError(lazy("is a symbolic link; reqctl does not follow links in templates/ "
                             "(put the template file itself there)"), path=rel)


def project_folder(root: Path) -> Path | None:
    """The project's ``templates/`` folder if there is one; a symlinked folder is an error."""
    folder = root / PROJECT_TEMPLATES
    try:
        mode = folder.lstat().st_mode
    except OSError:
        return None
    if stat.S_ISLNK(mode):
        _refuse_link(folder, PROJECT_TEMPLATES)
    return folder if stat.S_ISDIR(mode) else None


def project_names(root: Path | None) -> list[str]:
    """Names of the project's templates (symlinked ones included, so using them reports the link)."""
    folder = project_folder(root) if root is not None else None
    if folder is None:
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMPLATE_SUFFIX)
                  and (p.is_symlink() or p.is_file()))


def read_project_template(root: Path, name: str) -> str | None:
    """The text of ``templates/NAME`` without following a symlink; None when there is no such file.

    ``O_NOFOLLOW`` makes the open itself refuse a link (no window between a
    check and the read); the folder was checked by ``project_folder``.
    """
    folder = project_folder(root)
    if folder is None:
        return None
    rel = f"{PROJECT_TEMPLATES}/{name}"
    path = folder / name
    if path.is_symlink():  # also where the platform has no O_NOFOLLOW
        _refuse_link(path, rel)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            _refuse_link(path, rel)
        raise TemplateError(lazy("cannot read template: {reason}", reason=os_reason(exc)), path=rel) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a folder, a FIFO (reading it would wait forever), a device
        os.close(fd)
        raise TemplateError(lazy("is not a regular file"), path=rel)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limits.MAX_TEMPLATE_CHARS * 4 + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(lazy("cannot read template: {reason}", reason=str(exc)), path=rel) from None
    if len(text) > limits.MAX_TEMPLATE_CHARS:
        raise TemplateError(lazy("template is larger than {limit} characters", limit=f"{limits.MAX_TEMPLATE_CHARS:,}"),
                            path=rel)
    return text


def locate(root: Path | None, name: str) -> TemplateSource | None:
    if root is not None and name in project_names(root):
        return TemplateSource(name, "project", f"{PROJECT_TEMPLATES}/{name}")
    if builtin_text(name) is not None:
        return TemplateSource(name, "built-in", f"reqctl/templates/{name}")
    return None


class _Loader(jinja2.BaseLoader):
    """Project ``templates/NAME`` first, then the built-in ``NAME``; flat names only."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if "/" in template or "\\" in template or template.startswith("."):
            raise jinja2.TemplateNotFound(template)
        if self.root is not None:
            text = read_project_template(self.root, template)
            if text is not None:  # auto_reload is off: the text is read once per environment
                return text, f"{PROJECT_TEMPLATES}/{template}", lambda: True
        builtin = builtin_text(template)
        if builtin is None:
            raise jinja2.TemplateNotFound(template)
        return builtin, f"reqctl/templates/{template}", lambda: True

    def list_templates(self) -> list[str]:
        return sorted(set(builtin_names()) | set(project_names(self.root)))


def _autoescape(name: str | None) -> bool:
    return bool(name) and ".html" in str(name)


def build_environment(root: Path | None, lang: str) -> SandboxedEnvironment:
    env = limits.LimitedSandbox(
        loader=_Loader(root),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(filters.for_language(lang))
    env.filters["markdown"] = markdown.to_html
    env.globals.update(charts_glue.for_language(lang))
    env.globals["lang"] = lang
    return env


def render(root: Path | None, name: str, lang: str, context: Mapping[str, Any]) -> str:
    """Render template ``name`` with ``context``; every failure is one TemplateError line."""
    return render_with(build_environment(root, lang), root, name, context)


def render_with(env: SandboxedEnvironment, root: Path | None, name: str, context: Mapping[str, Any]) -> str:
    """Like ``render`` with an environment built once (publishing renders thousands of pages)."""
    origin = locate(root, name)
    where = origin.path if origin else name
    # Only a project's own templates are hostile input; the built-in ones alone render without a budget
    # (a 100k-requirement SRS may legitimately run long and large). Any project template, even one that
    # only overrides an included file such as _macros.html.j2, puts the whole render on the budget.
    limited = env if isinstance(env, limits.LimitedSandbox) and project_names(root) else None
    try:
        with limits.memory_cap() if limited is not None else contextlib.nullcontext():
            if limited is not None:
                limited.budget = limits.Budget.start()
            template = env.get_template(name)
            return template.render(dict(context))
    except TemplateError:
        raise
    except limits.RenderLimitError as exc:
        raise TemplateError(lazy("template stopped: {problem}", problem=exc.args[0] if exc.args else str(exc)),
                            path=where,
                            line=_template_line(exc)) from None
    except RecursionError:
        raise TemplateError(lazy("template stopped: it includes, extends or calls itself without end"),
                            path=where) from None
    except MemoryError:
        raise TemplateError(lazy("template stopped: it needs more than {mb} MB of memory",
                                 mb=limits.MEMORY_HEADROOM >> 20), path=where) from None
    except jinja2.TemplateNotFound as exc:
        missing = exc.name or name
        raise TemplateError(lazy("no template named '{name}' (see 'reqctl templates list')", name=missing)) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(lazy("template syntax error: {problem}", problem=exc.message or ""),
                            path=exc.filename or where, line=exc.lineno) from None
    except SecurityError as exc:
        raise TemplateError(lazy("blocked by the template sandbox: {problem}", problem=str(exc)), path=where,
                            line=_template_line(exc)) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(lazy("template error: {problem}", problem=_undefined(exc.message or "")), path=where,
                            line=_template_line(exc)) from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateError(lazy("template error: {problem}", problem=f"{type(exc).__name__}: {exc}"), path=where,
                            line=_template_line(exc)) from None
    finally:
        if limited is not None:
            limited.budget = None


def _template_line(exc: BaseException) -> int | None:
    """The template line an exception was raised on.

    Jinja rewrites tracebacks so that template frames carry the template's
    file name and line; the innermost such frame is where it failed.
    """
    tb = exc.__traceback__
    line: int | None = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(TEMPLATE_SUFFIX):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
