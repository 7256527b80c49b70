"""``reqctl templates``: list the templates, show one, copy a built-in one into the project."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reqctl.errors import NotFoundError, UsageError
from reqctl.messages import lazy
from reqctl.render import env
from reqctl.store.atomic import write_atomic


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    origin: str  # "built-in", "project" (overrides a built-in) or "project-only"
    path: str


def list_templates(root: Path) -> list[TemplateInfo]:
    builtin = set(env.builtin_names())
    own = set(env.project_names(root))
    rows = []
    for name in sorted(builtin | own):
        if name in own:
            origin = "project" if name in builtin else "project-only"
            rows.append(TemplateInfo(name, origin, f"{env.PROJECT_TEMPLATES}/{name}"))
        else:
            rows.append(TemplateInfo(name, "built-in", f"reqctl/templates/{name}"))
    return rows


def _normalize(name: str) -> str:
    if "/" in name or "\\" in name or name.startswith("."):
        raise UsageError(lazy("{name}: give a template file name such as weekly.en.md.j2", name=name))
    return name if name.endswith(env.TEMPLATE_SUFFIX) else name + env.TEMPLATE_SUFFIX


def show_template(root: Path, name: str, *, builtin: bool = False) -> tuple[TemplateInfo, str]:
    wanted = _normalize(name)
    if not builtin:
        text = env.read_project_template(root, wanted)  # refuses a symlink instead of following it
        if text is not None:
            return TemplateInfo(wanted, "project", f"{env.PROJECT_TEMPLATES}/{wanted}"), text
    text = env.builtin_text(wanted)
    if text is None:
        raise NotFoundError(lazy("no template named '{name}' (see 'reqctl templates list')", name=wanted))
    return TemplateInfo(wanted, "built-in", f"reqctl/templates/{wanted}"), text


def copy_template(root: Path, name: str, *, force: bool = False) -> Path:
    """Copy the built-in template into ``templates/`` so the team can edit it."""
    info, text = show_template(root, name, builtin=True)
    folder = env.project_folder(root) or root / env.PROJECT_TEMPLATES  # a symlinked folder is refused
    target = folder / info.name
    if os.path.lexists(target) and not force:  # with --force a symlink is replaced, never written through
        raise UsageError(lazy("{path} already exists; pass --force to overwrite it",
                              path=f"{env.PROJECT_TEMPLATES}/{info.name}"))
    folder.mkdir(exist_ok=True)
    write_atomic(target, text.encode("utf-8"))
    return target
