"""The one place a Jinja environment is built.

Templates come from the project's ``templates/`` folder first (a team's
override, matched by file name) and then from the package data shipped in
``reqctl/templates`` (the repository's top-level ``templates/``). Every template runs in Jinja's sandbox with
``StrictUndefined``; HTML templates are autoescaped. Any failure while loading
or rendering becomes one ``TemplateError`` line naming the template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from reqctl.bundled import bundled
from reqctl.errors import TemplateError
from reqctl.render import filters, markdown
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


def builtin_text(name: str) -> str | None:
    entry = bundled("templates").joinpath(name)
    if not name.endswith(TEMPLATE_SUFFIX) or "/" in name or not entry.is_file():
        return None
    return entry.read_text(encoding="utf-8")


def project_names(root: Path | None) -> list[str]:
    if root is None:
        return []
    folder = root / PROJECT_TEMPLATES
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMPLATE_SUFFIX) and p.is_file())


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
            path = self.root / PROJECT_TEMPLATES / template
            if path.is_file():
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise TemplateError(f"cannot read template: {exc}", path=path) from None
                mtime = path.stat().st_mtime
                return text, f"{PROJECT_TEMPLATES}/{template}", lambda: path.stat().st_mtime == mtime
        builtin = builtin_text(template)
        if builtin is None:
            raise jinja2.TemplateNotFound(template)
        return builtin, f"reqctl/templates/{template}", lambda: True

    def list_templates(self) -> list[str]:
        return sorted(set(builtin_names()) | set(project_names(self.root)))


def _autoescape(name: str | None) -> bool:
    return bool(name) and ".html" in str(name)


def build_environment(root: Path | None, lang: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
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
    try:
        template = env.get_template(name)
        return template.render(dict(context))
    except TemplateError:
        raise
    except jinja2.TemplateNotFound as exc:
        missing = exc.name or name
        raise TemplateError(f"no template named '{missing}' (see 'reqctl templates list')") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", path=exc.filename or where,
                            line=exc.lineno) from None
    except SecurityError as exc:
        raise TemplateError(f"blocked by the template sandbox: {exc}", path=where,
                            line=_template_line(exc)) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template error: {exc.message}", path=where,
                            line=_template_line(exc)) from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateError(f"template error: {type(exc).__name__}: {exc}", path=where,
                            line=_template_line(exc)) from None


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
