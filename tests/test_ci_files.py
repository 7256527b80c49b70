"""What reqctl ships for CI: its own imports, the jobs and hooks ``init`` writes, run by their real consumers.

The CI files are fed to check-jsonschema with its vendored SchemaStore
schemas (what GitHub's and GitLab's editors validate with), and the hook this
repository ships is run by pre-commit itself.
"""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import reqctl
from conftest import git, run_reqctl, write_item
from test_init import snapshot

SRC = Path(reqctl.__file__).resolve().parent


def test_every_module_imports_with_the_declared_dependencies() -> None:
    """A module importing a package that only happens to be installed fails here (and in deptry)."""
    names = [info.name for info in pkgutil.walk_packages([str(SRC)], prefix="reqctl.")]
    assert "reqctl.cli.main" in names
    for name in names:
        if name.endswith("__main__"):
            continue
        importlib.import_module(name)


def test_no_module_imports_click() -> None:
    """Typer >= 0.26 vendors click and no longer installs it: ``import click`` breaks a fresh install."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            offenders += [f"{path.relative_to(SRC)}:{node.lineno}" for m in modules if m.split(".")[0] == "click"]
    assert offenders == []


# ------------------------------------------------------------ the files init writes

REPO = Path(__file__).resolve().parents[1]
VERSION = reqctl.__version__


def consumer(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a real consumer (check-jsonschema, pre-commit) from this environment."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
        check=False,
    )


def schema_check(schema: str, *files: Path) -> None:
    proc = consumer("check_jsonschema", "--builtin-schema", schema, *map(str, files))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def monorepo(tmp_path: Path, *folders: str, extra: tuple[str, ...] = ()) -> Path:
    repo = tmp_path / "mono"
    repo.mkdir()
    git(repo, "init", "-q")
    for folder in folders:
        result = run_reqctl(repo, "init", folder, *extra)
        assert result.code == 0, result.err
    return repo


def validate_all(repo: Path) -> None:
    """Every CI file under ``repo``, through the schemas and validators their tools use."""
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    assert workflows
    schema_check("vendor.github-workflows", *workflows)
    schema_check("custom.github-workflows-require-timeout", *workflows)
    schema_check("vendor.gitlab-ci", repo / ".gitlab-ci.yml")
    proc = consumer("pre_commit", "validate-config", ".pre-commit-config.yaml", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def gitlab_jobs(repo: Path) -> dict[str, Any]:
    data = yaml.safe_load((repo / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    return {name: job for name, job in data.items() if name.startswith("reqctl-check")}


def pre_commit_hooks(repo: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [hook for entry in data["repos"] for hook in entry["hooks"] if hook["id"] == "reqctl-check"]


def test_root_project_ci_files_pass_the_schemas_and_pin_this_version(tmp_path: Path) -> None:
    root = tmp_path / "p"
    assert run_reqctl(tmp_path, "init", "p").code == 0
    validate_all(root)
    install = f"pip install reqctl=={VERSION}"
    workflow = yaml.safe_load((root / ".github/workflows/reqctl.yml").read_text(encoding="utf-8"))
    assert workflow["name"] == "reqctl"
    push, pull = workflow["jobs"]["check"], workflow["jobs"]["pull-request"]
    assert "push" in push["if"] and "pull_request" in pull["if"]
    for job in (push, pull):
        steps = job["steps"]
        assert steps[0]["with"]["fetch-depth"] == 0  # a shallow clone cannot verify approvals
        runs = [step.get("run", "") for step in steps]
        assert install in runs
    assert [r for r in (s.get("run", "") for s in push["steps"]) if "reqctl check" in r] == [
        "reqctl check --verify-approvals --format github"
    ]
    pr_check = next(s for s in pull["steps"] if "reqctl check" in s.get("run", ""))
    assert pr_check["run"] == 'reqctl check --verify-approvals --format github --base "origin/$BASE_REF"'
    assert pr_check["env"]["BASE_REF"] == "${{ github.base_ref }}"

    (job,) = gitlab_jobs(root).values()
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert install in job["before_script"]
    conditions = [(rule["if"], rule.get("when")) for rule in job["rules"]]
    assert conditions == [  # GitLab's documented way to avoid duplicate pipelines
        ('$CI_PIPELINE_SOURCE == "merge_request_event"', None),
        ("$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", "never"),
        ("$CI_COMMIT_BRANCH", None),
    ]
    script = job["script"][0]
    assert 'git fetch -q origin "+refs/heads/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME:' in script
    assert (
        'reqctl check --verify-approvals --format junit --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"'
        " > reqctl-check.xml" in script
    )
    assert "reqctl check --verify-approvals --format junit > reqctl-check.xml" in script
    assert job["artifacts"] == {"when": "always", "reports": {"junit": "reqctl-check.xml"}}

    config = yaml.safe_load((root / "reqctl.yaml").read_text(encoding="utf-8"))
    assert config["ci"] == {"install": install}
    data = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert data["repos"][0]["rev"] == f"v{VERSION}"
    assert "args" not in data["repos"][0]["hooks"][0]


def test_two_subfolder_projects_get_their_own_jobs_hooks_and_workflow_names(tmp_path: Path) -> None:
    repo = monorepo(tmp_path, "docs/reqs", "services/billing")
    validate_all(repo)
    workflows = {
        path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((repo / ".github" / "workflows").glob("*.yml"))
    }
    assert set(workflows) == {"reqctl-docs-reqs.yml", "reqctl-services-billing.yml"}
    assert sorted(w["name"] for w in workflows.values()) == ["reqctl docs/reqs", "reqctl services/billing"]
    assert "reqctl -C services/billing check --verify-approvals --format github" in str(
        workflows["reqctl-services-billing.yml"]
    )
    jobs = gitlab_jobs(repo)
    assert set(jobs) == {"reqctl-check-docs-reqs", "reqctl-check-services-billing"}
    billing = jobs["reqctl-check-services-billing"]
    assert "reqctl -C services/billing check --verify-approvals --format junit" in billing["script"][0]
    assert billing["artifacts"]["reports"]["junit"] == "reqctl-check-services-billing.xml"
    assert billing["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    hooks = pre_commit_hooks(repo)
    assert [(h["name"], h["args"]) for h in hooks] == [
        ("reqctl check (docs/reqs)", ["-C", "docs/reqs"]),
        ("reqctl check (services/billing)", ["-C", "services/billing"]),
    ]
    assert re.match(hooks[1]["files"], "services/billing/requirements/REQ-001.md")
    assert not re.match(hooks[1]["files"], "docs/reqs/requirements/REQ-001.md")
    # Running init again, in either project, changes nothing.
    before = snapshot(repo)
    for folder in ("docs/reqs", "services/billing"):
        again = run_reqctl(repo / folder, "init")
        assert again.code == 0, again.err
        assert "created" not in again.out
    assert snapshot(repo) == before


def test_one_subfolder_project_passes_the_schemas(tmp_path: Path) -> None:
    repo = monorepo(tmp_path, "reqs")
    validate_all(repo)
    assert list(gitlab_jobs(repo)) == ["reqctl-check-reqs"]


def test_custom_install_line_round_trips_through_reqctl_yaml(tmp_path: Path) -> None:
    install = "pip install 'reqctl==0.1.0' --index-url https://pypi.example.com/simple # internal mirror"
    repo = monorepo(tmp_path, "a", extra=("--ci-install", install))
    config = yaml.safe_load((repo / "a" / "reqctl.yaml").read_text(encoding="utf-8"))
    assert config["ci"]["install"] == install
    assert run_reqctl(repo / "a", "check").code == 0  # the config model accepts the section
    # A second project in the same repository takes its line from its own reqctl.yaml: here the default.
    assert run_reqctl(repo, "init", "b").code == 0
    # init reads the line back from reqctl.yaml: regenerated CI files carry it without the option.
    for rel in (".gitlab-ci.yml", ".github/workflows/reqctl-a.yml", ".github/workflows/reqctl-b.yml"):
        (repo / rel).unlink()
    assert run_reqctl(repo / "a", "init").code == 0
    validate_all(repo)
    jobs = gitlab_jobs(repo)
    assert install in jobs["reqctl-check-a"]["before_script"]
    workflow = yaml.safe_load((repo / ".github/workflows/reqctl-a.yml").read_text(encoding="utf-8"))
    assert install in [step.get("run") for step in workflow["jobs"]["check"]["steps"]]
    assert run_reqctl(repo / "b", "init").code == 0
    jobs = gitlab_jobs(repo)
    assert f"pip install reqctl=={VERSION}" in jobs["reqctl-check-b"]["before_script"]


def test_ci_install_for_an_existing_project(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    git(root, "init", "-q")
    (root / "reqctl.yaml").write_text("name: P  # keep me\n", encoding="utf-8")
    result = run_reqctl(root, "init", "--ci-install", "pipx install reqctl==9.9.9")
    assert result.code == 0, result.err
    assert "created  reqctl.yaml (added ci.install)" in result.out
    text = (root / "reqctl.yaml").read_text(encoding="utf-8")
    assert text.startswith("name: P  # keep me\n")
    assert yaml.safe_load(text)["ci"] == {"install": "pipx install reqctl==9.9.9"}
    assert "pipx install reqctl==9.9.9" in gitlab_jobs(root)["reqctl-check"]["before_script"]
    # The same option again changes nothing; a different one is refused and changes nothing.
    before = snapshot(root)
    assert run_reqctl(root, "init", "--ci-install", "pipx install reqctl==9.9.9").code == 0
    assert snapshot(root) == before
    refused = run_reqctl(root, "init", "--ci-install", "pip install reqctl")
    assert refused.code == 2
    assert refused.err.strip().splitlines() == [
        "error: reqctl.yaml already sets ci.install to 'pipx install reqctl==9.9.9': "
        "change it there (and in the CI files)"
    ]
    assert snapshot(root) == before


@pytest.mark.parametrize("line", ["", "   ", "pip install reqctl\nrm -rf /"])
def test_bad_install_line_is_refused_before_writing(tmp_path: Path, line: str) -> None:
    result = run_reqctl(tmp_path, "init", "p", "--ci-install", line)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1 and "--ci-install" in result.err
    assert not (tmp_path / "p").exists()


def test_existing_gitlab_pipeline_of_the_team_is_left_alone(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    own = "stages: [build]\nbuild:\n  stage: build\n  script: [make]\n"
    (tmp_path / ".gitlab-ci.yml").write_text(own, encoding="utf-8")
    result = run_reqctl(tmp_path, "init")
    assert result.code == 0, result.err
    assert "kept     .gitlab-ci.yml (already there: add the reqctl-check job by hand, see README)" in result.out
    assert (tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8") == own


# ------------------------------------------------------------ the hook, run by pre-commit


def test_hook_finds_the_projects_of_the_files_it_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reqctl.cli import hook

    repo = monorepo(tmp_path, "docs/reqs", "other")
    write_item(repo / "docs" / "reqs", "requirements", "REQ-001", "title: Broken\nstatus: nonsense")
    monkeypatch.chdir(repo)
    assert hook.main(["other/reqctl.yaml"]) == 0
    assert hook.main(["docs/reqs/requirements/REQ-001.md", "other/reqctl.yaml"]) == 1
    assert hook.main(["-C", "other", "docs/reqs/requirements/REQ-001.md"]) == 0
    assert hook.main(["README.md"]) == 0  # no project: nothing to check


def hook_repository(tmp_path: Path) -> Path:
    """This repository's working state (hook manifest, package) as a committed git repository."""
    target = tmp_path / "reqctl-hooks"
    target.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copyfile(REPO / name, target / name)
    shutil.copytree(REPO / "src", target / "src", ignore=shutil.ignore_patterns("__pycache__", ".reqctl", "*.pyc"))
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "hooks")
    return target


def pre_commit_run(repo: Path, config: str, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "pre-commit-config.yaml"
    path.write_text(config, encoding="utf-8")
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}  # one install for every run below
    proc = consumer("pre_commit", "run", "--config", str(path), cwd=repo, env=env)
    return proc.returncode, proc.stdout + proc.stderr


def as_local_hooks(config: str) -> str:
    """A config's entries for reqctl's hook repository as ``repo: local`` hooks running this checkout.

    Each hook is the manifest's definition with the config's overrides on
    top — what pre-commit makes of a hook repository — minus the install.
    """
    (manifest,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    data = yaml.safe_load(config)
    for index, entry in enumerate(data["repos"]):
        if entry["repo"] != "https://github.com/reqctl/reqctl":
            continue
        hooks = [
            {**manifest, **hook, "language": "system", "entry": f"{shlex.quote(sys.executable)} -m reqctl.cli.hook"}
            for hook in entry["hooks"]
        ]
        data["repos"][index] = {"repo": "local", "hooks": hooks}
    return yaml.safe_dump(data, sort_keys=False)


INSTALL_FROM_REPOSITORY = os.environ.get("REQCTL_TEST_PRE_COMMIT_INSTALL") == "1"


@pytest.mark.parametrize(
    "install",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.skipif(
                not INSTALL_FROM_REPOSITORY,
                reason="pre-commit installing the hook repository takes ~1 min: .ci/run sets "
                "REQCTL_TEST_PRE_COMMIT_INSTALL=1",
            ),
        ),
    ],
    ids=["local-hook", "hook-repository"],
)
def test_pre_commit_runs_the_hook_on_projects_in_subfolders(tmp_path: Path, install: bool) -> None:
    """pre-commit runs this repository's hook on a repository with two subfolder projects.

    ``hook-repository`` is what ``pre-commit try-repo`` does (a config naming
    the repository at a commit; pre-commit installs it) with a store kept
    across the runs, as try-repo installs afresh on every call.
    ``local-hook`` runs the manifest's hook as a ``repo: local`` hook on this
    checkout: the same definition and overrides, without the install.
    """
    upstream = "https://github.com/reqctl/reqctl"
    default = f"repos:\n- repo: {upstream}\n  rev: v{VERSION}\n  hooks:\n  - id: reqctl-check\n"
    if install:
        hooks = hook_repository(tmp_path)
        sha = git(hooks, "rev-parse", "HEAD").strip()

        def adapt(config: str) -> str:
            return config.replace(upstream, str(hooks)).replace(f"rev: v{VERSION}", f"rev: {sha}")
    else:
        adapt = as_local_hooks
    repo = monorepo(tmp_path, "docs/reqs", "services/billing")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "projects")
    write_item(repo / "docs" / "reqs", "requirements", "REQ-001", "title: Broken\nstatus: nonsense")
    git(repo, "add", "-A")

    # The hook as the manifest defines it (no args): finds the project from the staged file.
    code, output = pre_commit_run(repo, adapt(default), tmp_path)
    assert code == 1, output
    assert re.search(r"reqctl check\.+Failed", output), output
    assert "REQ-001" in output

    # The config init wrote: one entry per project.
    written = (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert f"repo: {upstream}" in written and f"rev: v{VERSION}" in written
    code, output = pre_commit_run(repo, adapt(written), tmp_path)
    assert code == 1, output
    assert re.search(r"reqctl check \(docs/reqs\)\.+Failed", output), output
    assert re.search(r"reqctl check \(services/billing\)\.+\(no files to check\)Skipped", output), output

    write_item(repo / "docs" / "reqs", "requirements", "REQ-001", "title: Fixed\nstatus: draft\npriority: must")
    git(repo, "add", "-A")
    for config in (default, written):
        code, output = pre_commit_run(repo, adapt(config), tmp_path)
        assert code == 0, output
        assert re.search(r"reqctl check( \(docs/reqs\))?\.+Passed", output), output


def test_a_job_an_older_init_wrote_for_the_project_is_not_added_twice(tmp_path: Path) -> None:
    repo = monorepo(tmp_path, "docs/reqs")
    path = repo / ".gitlab-ci.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("reqctl-check-docs-reqs:", "reqctl-check:"), "utf-8")
    before = snapshot(repo)
    again = run_reqctl(repo / "docs" / "reqs", "init")
    assert again.code == 0, again.err
    assert "kept     ../../.gitlab-ci.yml (already there)" in again.out
    assert snapshot(repo) == before


def test_folders_with_the_same_slug_get_their_own_workflows_and_jobs(tmp_path: Path) -> None:
    repo = monorepo(tmp_path, "docs/a-b", "docs-a/b")
    names = sorted(path.name for path in (repo / ".github" / "workflows").glob("*.yml"))
    assert names == ["reqctl-docs-a-b-2.yml", "reqctl-docs-a-b.yml"]
    assert "reqctl -C docs-a/b check" in (repo / ".github/workflows/reqctl-docs-a-b-2.yml").read_text("utf-8")
    assert sorted(gitlab_jobs(repo)) == ["reqctl-check-docs-a-b", "reqctl-check-docs-a-b-2"]
    assert "reqctl -C docs-a/b check" in str(gitlab_jobs(repo)["reqctl-check-docs-a-b-2"])
    validate_all(repo)
    before = snapshot(repo)
    assert run_reqctl(repo / "docs-a" / "b", "init").code == 0
    assert snapshot(repo) == before
