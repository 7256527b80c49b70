"""``reqctl init``: create a project without ever overwriting a file."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from reqctl.bundled import bundled
from reqctl.errors import ReqctlError, UsageError
from reqctl.gitio import repo as gitio
from reqctl.messages import lazy, os_reason
from reqctl.model.config import CONFIG_FILE
from reqctl.model.ids import Kind
from reqctl.ops import ci_files
from reqctl.ops.ci_files import CiProject
from reqctl.store.atomic import write_atomic
from reqctl.store.frontmatter import yaml_load_plain
from reqctl.store.roundtrip import append_to_list
from reqctl.store.statedir import LEGACY_DIR as CACHE_DIR

EXAMPLES = {"en": "acme-portal", "zh": "zh-erp"}


@dataclass
class InitResult:
    root: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    git_initialized: bool = False
    approver: str | None = None
    config_written: bool = False  # reqctl.yaml made from the scaffold (not kept, not the example's)
    ci_install: str = ""  # the line the CI jobs install reqctl with (``ci.install`` in reqctl.yaml)


def _scaffold(name: str) -> str:
    return resources.files("reqctl").joinpath("scaffold", name).read_text(encoding="utf-8")


def example_root(lang: str) -> Path:
    """The bundled example project for a language (the repository's ``examples/``, shipped in the wheel)."""
    path = Path(str(bundled("examples"))) / EXAMPLES[lang]
    if not path.is_dir():
        raise ReqctlError(lazy("the bundled example '{name}' is missing from this installation", name=EXAMPLES[lang]))
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
    result.created.append(".gitignore" if not existing else lazy("{file} (added {entry})", file=".gitignore",
                                                                   entry=entry))


def _ensure_pre_commit(top: Path, project: CiProject, result: InitResult) -> None:
    """This project's hook entry, in a new file or added to the team's (comments kept)."""
    rel = ".pre-commit-config.yaml"
    path = top / rel
    if not path.exists():
        _write_new(top, rel, ci_files.pre_commit_config(project), result)
        return
    try:
        data = yaml_load_plain(path.read_text(encoding="utf-8"))
    except Exception:
        data = None
    repos = data.get("repos") if isinstance(data, dict) else None
    if not isinstance(repos, list):
        result.kept.append(lazy("{file} (no 'repos' list: add the reqctl-check hook by hand)", file=rel))
        return
    hooks = [hook for repo in repos if isinstance(repo, dict) for hook in repo.get("hooks") or []]
    if any(ci_files.hook_folder(hook) == project.folder for hook in hooks):
        result.kept.append(rel)
        return
    if append_to_list(path, rel, "repos", ci_files.pre_commit_repo(project)):
        result.created.append(lazy("{file} (added the reqctl-check hook)", file=rel))
    else:
        result.kept.append(lazy("{file} (no 'repos' list: add the reqctl-check hook by hand)", file=rel))


def _ensure_gitlab_job(top: Path, project: CiProject, result: InitResult) -> None:
    """This project's job, in a new ``.gitlab-ci.yml`` or next to another reqctl project's job.

    A team's own pipeline file without a reqctl job is left alone: its
    ``stages``, images and rules are the team's to combine with ours.
    """
    rel = ".gitlab-ci.yml"
    path = top / rel
    if not path.exists():
        _write_new(top, rel, ci_files.gitlab_ci(project), result)
        return
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml_load_plain(text)
    except Exception:
        data = None
    jobs = {key: job for key, job in data.items() if isinstance(key, str)} if isinstance(data, dict) else {}
    ours = {key: job for key, job in jobs.items() if key.startswith(ci_files.HOOK_ID)}
    command = f"{project.reqctl} check"  # also finds a job an older init wrote under another name
    if project.gitlab_job in jobs or any(command in str(job) for job in ours.values()):
        result.kept.append(rel)
    elif ours:
        prefix = text if text.endswith("\n") else text + "\n"
        write_atomic(path, f"{prefix}\n{ci_files.gitlab_job(project)}".encode())
        result.created.append(lazy("{file} (added the {job} job)", file=rel, job=project.gitlab_job))
    else:
        result.kept.append(lazy("{file} (already there: add the {job} job by hand, see README)", file=rel,
                                job=project.gitlab_job))


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


def _configured_install(root: Path) -> str | None:
    """``ci.install`` of an existing reqctl.yaml (read plainly: init must not fail on a config error)."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return None
    try:
        data = yaml_load_plain(path.read_text(encoding="utf-8"))
    except Exception:
        return None
    ci = data.get("ci") if isinstance(data, dict) else None
    install = ci.get("install") if isinstance(ci, dict) else None
    return install if isinstance(install, str) else None


def _add_ci_section(root: Path, install: str, result: InitResult) -> None:
    """Keep a ``--ci-install`` given for an existing reqctl.yaml that has no ``ci`` section."""
    path = root / CONFIG_FILE
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml_load_plain(text)
    except Exception:
        data = None
    if not isinstance(data, dict) or "ci" in data:
        raise UsageError(lazy("cannot add 'ci: install:' to {file}: add it by hand", file=CONFIG_FILE), path=path)
    prefix = text if not text or text.endswith("\n") else text + "\n"
    section = f"ci:\n  install: {ci_files.yaml_scalar(install)}\n"
    write_atomic(path, (prefix + section).encode("utf-8"))
    result.created.append(lazy("{file} (added ci.install)", file=CONFIG_FILE))


def init_project(
    path: Path,
    *,
    lang: str = "en",
    example: bool = False,
    today: dt.date | None = None,
    ci_install: str | None = None,
) -> InitResult:
    """Create the project; ``ci_install`` is the CI jobs' install line (default: pin this version)."""
    if lang not in EXAMPLES:
        raise UsageError(lazy("unknown language '{lang}' (use en or zh)", lang=lang))
    if ci_install is not None:
        problem = ci_files.check_install_line(ci_install)
        if problem:
            raise UsageError(lazy("--ci-install: {problem}", problem=problem))
    root = path.resolve()
    if root.exists() and not root.is_dir():
        raise UsageError(lazy("{folder} exists and is not a folder", folder=path))
    configured = _configured_install(root)
    if ci_install is not None and configured is not None and configured != ci_install:
        raise UsageError(lazy("{file} already sets ci.install to '{install}': change it there (and in the CI files)",
                              file=CONFIG_FILE, install=configured))
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReqctlError(lazy("cannot create folder: {reason}", reason=os_reason(exc)), path=path) from None
    result = InitResult(root=root)
    if gitio.open_repo(root) is None:
        gitio.init_repo(root)
        result.git_initialized = True
    result.approver = gitio.user_email(root)
    if example:
        _copy_example(root, lang, result)
    today = today or dt.date.today()
    install = configured or ci_install or ci_files.default_install()
    config = _scaffold(f"reqctl.{lang}.yaml").format(
        name=_yaml_scalar(root.name),
        email=result.approver or "",
        m1_date=(today + dt.timedelta(days=90)).isoformat(),
        ci_install=ci_files.yaml_scalar(install),
    )
    before = len(result.created)
    _write_new(root, CONFIG_FILE, config, result)
    result.config_written = len(result.created) > before
    if not result.config_written and configured is None and ci_install is not None:
        _add_ci_section(root, ci_install, result)
    result.ci_install = install
    for kind in Kind:
        folder = root / kind.folder
        if not folder.exists():
            folder.mkdir()
            (folder / ".gitkeep").touch()
            result.created.append(f"{kind.folder}/")
    _ensure_gitignore(root, result)
    _write_ci_files(root, install, result)
    return result


def _write_ci_files(root: Path, install: str, result: InitResult) -> None:
    """CI jobs and the pre-commit hook live at the top of the git work tree.

    For a project in a subfolder of a larger repository they run
    ``reqctl -C <subfolder>``, and the workflow file, the GitLab job and the
    hook entry are the project's own, so several projects share one repository.
    """
    repo = gitio.open_repo(root)
    top = repo.top if repo is not None else root
    project = CiProject(folder=repo.project_prefix.rstrip("/") if repo is not None else "", install=install)
    created, kept = len(result.created), len(result.kept)
    project = _numbered(top, project)
    _write_new(top, project.workflow_path, ci_files.github_workflow(project), result)
    _ensure_gitlab_job(top, project, result)
    _ensure_pre_commit(top, project, result)
    if project.folder:  # name the files from the project folder, where the user ran init
        up = "../" * (project.folder.count("/") + 1)
        result.created[created:] = [up + rel for rel in result.created[created:]]
        result.kept[kept:] = [up + rel for rel in result.kept[kept:]]


def _numbered(top: Path, project: CiProject) -> CiProject:
    """The project, numbered when its workflow file or GitLab job name belongs to another folder's project."""
    if not project.folder:
        return project
    command = f"{project.reqctl} check"
    try:
        gitlab = yaml_load_plain((top / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    except Exception:
        gitlab = None
    jobs = gitlab if isinstance(gitlab, dict) else {}
    while True:
        workflow = top / project.workflow_path
        taken = workflow.is_file() and command not in workflow.read_text(encoding="utf-8", errors="replace")
        job = jobs.get(project.gitlab_job)
        if not taken and (job is None or command in str(job)):
            return project
        project = replace(project, number=project.number + 1)


def _yaml_scalar(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
