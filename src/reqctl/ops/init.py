"""``reqctl init``: create a project without ever overwriting a file."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from reqctl.bundled import bundled
from reqctl.errors import ReqctlError, UsageError
from reqctl.gitio import repo as gitio
from reqctl.model.config import CONFIG_FILE
from reqctl.model.ids import Kind
from reqctl.store.atomic import write_atomic
from reqctl.store.cache import CACHE_DIR
from reqctl.store.frontmatter import yaml_load_plain
from reqctl.store.roundtrip import append_to_list

EXAMPLES = {"en": "acme-portal", "zh": "zh-erp"}


@dataclass
class InitResult:
    root: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    git_initialized: bool = False
    approver: str | None = None
    config_written: bool = False  # reqctl.yaml made from the scaffold (not kept, not the example's)


def _scaffold(name: str) -> str:
    return resources.files("reqctl").joinpath("scaffold", name).read_text(encoding="utf-8")


def example_root(lang: str) -> Path:
    """The bundled example project for a language (the repository's ``examples/``, shipped in the wheel)."""
    path = Path(str(bundled("examples"))) / EXAMPLES[lang]
    if not path.is_dir():
        raise ReqctlError(f"the bundled example '{EXAMPLES[lang]}' is missing from this installation")
    return path


def _write_new(root: Path, rel: str, text: str, result: InitResult) -> None:
    path = root / rel
    if path.exists():
        result.kept.append(rel)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"), exclusive=True)
    result.created.append(rel)


def _ensure_gitignore(root: Path, result: InitResult) -> None:
    path = root / ".gitignore"
    entry = f"{CACHE_DIR}/"
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if any(line.strip() in (entry, CACHE_DIR, f"/{entry}") for line in existing.splitlines()):
        result.kept.append(".gitignore")
        return
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    write_atomic(path, f"{prefix}# reqctl's cache (safe to delete)\n{entry}\n".encode())
    result.created.append(".gitignore" if not existing else ".gitignore (added .reqctl/)")


def _ensure_pre_commit(root: Path, result: InitResult, adapt: Callable[[str], str]) -> None:
    path = root / ".pre-commit-config.yaml"
    snippet = adapt(_scaffold("pre-commit-config.yaml"))
    if not path.exists():
        _write_new(root, ".pre-commit-config.yaml", snippet, result)
        return
    if "reqctl-check" in path.read_text(encoding="utf-8"):
        result.kept.append(".pre-commit-config.yaml")
        return
    hook = yaml_load_plain(snippet)["repos"][0]
    if append_to_list(path, ".pre-commit-config.yaml", "repos", hook):
        result.created.append(".pre-commit-config.yaml (added the reqctl-check hook)")
    else:
        result.kept.append(".pre-commit-config.yaml (no 'repos' list: add the reqctl-check hook by hand)")


def _copy_example(root: Path, lang: str, result: InitResult) -> None:
    source = example_root(lang)
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source).as_posix()
        if path.is_dir() or rel.startswith(CACHE_DIR):
            continue
        target = root / rel
        if target.exists():
            result.kept.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        result.created.append(rel)


def init_project(path: Path, *, lang: str = "en", example: bool = False, today: dt.date | None = None) -> InitResult:
    if lang not in EXAMPLES:
        raise UsageError(f"unknown language '{lang}' (use en or zh)")
    root = path.resolve()
    if root.exists() and not root.is_dir():
        raise UsageError(f"{path} exists and is not a folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReqctlError(f"cannot create folder: {exc.strerror}", path=path) from None
    result = InitResult(root=root)
    if gitio.open_repo(root) is None:
        gitio.init_repo(root)
        result.git_initialized = True
    result.approver = gitio.user_email(root)
    if example:
        _copy_example(root, lang, result)
    today = today or dt.date.today()
    config = _scaffold(f"reqctl.{lang}.yaml").format(
        name=_yaml_scalar(root.name),
        email=result.approver or "",
        m1_date=(today + dt.timedelta(days=90)).isoformat(),
    )
    before = len(result.created)
    _write_new(root, CONFIG_FILE, config, result)
    result.config_written = len(result.created) > before
    for kind in Kind:
        folder = root / kind.folder
        if not folder.exists():
            folder.mkdir()
            (folder / ".gitkeep").touch()
            result.created.append(f"{kind.folder}/")
    _ensure_gitignore(root, result)
    _write_ci_files(root, result)
    return result


def _write_ci_files(root: Path, result: InitResult) -> None:
    """CI jobs and the pre-commit hook live at the top of the git work tree.

    For a project in a subfolder of a larger repository they run
    ``reqctl -C <subfolder>`` and the workflow file is named after the folder,
    so several projects can share one repository.
    """
    repo = gitio.open_repo(root)
    top = repo.top if repo is not None else root
    sub = repo.project_prefix.rstrip("/") if repo is not None else ""

    def adapt(text: str) -> str:
        if not sub:
            return text
        text = text.replace("reqctl check", f"reqctl -C {sub} check")
        return text.replace("files: ^(", f"files: ^{re.escape(sub)}/(")

    slug = re.sub(r"[^A-Za-z0-9]+", "-", sub).strip("-").lower()
    workflow = f".github/workflows/reqctl-{slug}.yml" if sub else ".github/workflows/reqctl.yml"
    created, kept = len(result.created), len(result.kept)
    _write_new(top, workflow, adapt(_scaffold("github-workflow.yml")), result)
    _write_new(top, ".gitlab-ci.yml", adapt(_scaffold("gitlab-ci.yml")), result)
    _ensure_pre_commit(top, result, adapt)
    if sub:  # name the files from the project folder, where the user ran init
        up = "../" * (sub.count("/") + 1)
        result.created[created:] = [up + rel for rel in result.created[created:]]
        result.kept[kept:] = [up + rel for rel in result.kept[kept:]]


def _yaml_scalar(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
