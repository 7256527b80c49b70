"""The CI jobs and the pre-commit hook that ``reqctl init`` writes, one set per project.

Generated in code rather than copied from templates because each file
carries values that must be quoted for YAML and for the shell (the install
line, the project's folder) and because several projects can share one
repository: each gets its own workflow (with its own ``name:``), its own
GitLab job and its own pre-commit hook entry.

What the jobs run: on pushes plain ``check``, on pull/merge requests
``check --base <target branch>`` (approved content changes only under an
approved change request); both with ``--verify-approvals``, which reads the
whole history — so the clones are full (``fetch-depth: 0``, ``GIT_DEPTH: "0"``).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

import yaml

from reqctl import __version__
from reqctl.messages import lazy
from reqctl.model.ids import Kind

HOOK_REPO = "https://github.com/reqctl/reqctl"
HOOK_ID = "reqctl-check"
# The files a project's check depends on, relative to the project folder.
ITEM_FILES = r"(reqctl\.yaml|(" + "|".join(kind.folder for kind in Kind) + r")/.*\.md)"


def default_install() -> str:
    """The install line of the CI jobs: exactly the version that ran ``init``."""
    return f"pip install reqctl=={__version__}"


def check_install_line(line: str) -> str | None:
    """Why ``line`` cannot be a CI install command, or None when it can."""
    if not line.strip():
        return lazy("the install command is empty")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in line):
        return lazy("the install command must be one line without control characters")
    return None


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when YAML reads it back unchanged, else single-quoted."""
    try:
        if text == text.strip() and yaml.safe_load(f"- {text}") == [text]:
            return text
    except yaml.YAMLError:
        pass
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class CiProject:
    """One reqctl project in a repository: its folder from the top ('' at the top) and install line."""

    folder: str
    install: str
    number: int = 1  # >1 when another folder's name differs only in punctuation ('a-b' and 'a/b')

    @property
    def slug(self) -> str:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.folder).strip("-").lower()
        return slug if self.number == 1 else f"{slug}-{self.number}"

    @property
    def reqctl(self) -> str:
        """The command line prefix that runs reqctl on this project from the repository top."""
        return f"reqctl -C {shlex.quote(self.folder)}" if self.folder else "reqctl"

    @property
    def workflow_path(self) -> str:
        return f".github/workflows/reqctl-{self.slug}.yml" if self.folder else ".github/workflows/reqctl.yml"

    @property
    def workflow_name(self) -> str:
        return f"reqctl {self.folder}" if self.folder else "reqctl"

    @property
    def gitlab_job(self) -> str:
        return f"{HOOK_ID}-{self.slug}" if self.folder else HOOK_ID

    @property
    def junit_file(self) -> str:
        return f"{self.gitlab_job}.xml"

    @property
    def files_pattern(self) -> str:
        prefix = re.escape(f"{self.folder}/") if self.folder else ""
        return f"^{prefix}{ITEM_FILES}$"


def github_workflow(project: CiProject) -> str:
    install = yaml_scalar(project.install)
    check = f"{project.reqctl} check --verify-approvals --format github"
    header = (
        "# Runs `reqctl check` on pushes and pull requests (written by `reqctl init`).\n"
        "# --verify-approvals reads the whole history: a shallow clone cannot verify (fetch-depth: 0).\n"
    )
    if project.folder:
        header += f"# Project folder: {project.folder}\n"
    setup = f"""    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install reqctl
        run: {install}
"""
    return f"""{header}name: {yaml_scalar(project.workflow_name)}
on:
  push:
  pull_request:
permissions:
  contents: read
jobs:
  check:
    if: github.event_name == 'push'
{setup}      - name: reqctl check
        run: {yaml_scalar(check)}
  pull-request:
    if: github.event_name == 'pull_request'
{setup}      - name: reqctl check --base (approved content changes only under an approved change request)
        env:
          BASE_REF: ${{{{ github.base_ref }}}}
        run: {yaml_scalar(check + ' --base "origin/$BASE_REF"')}
"""


def gitlab_job(project: CiProject) -> str:
    """One job for ``.gitlab-ci.yml``: in merge-request pipelines and branch pipelines, never both.

    The rules are GitLab's documented pattern: run in merge-request
    pipelines, skip the branch pipeline of a branch that has an open merge
    request, run in every other branch pipeline.
    """
    target = "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    check = f"{project.reqctl} check --verify-approvals --format junit"
    return f"""{project.gitlab_job}:
  image: python:3.12-slim
  variables:
    GIT_DEPTH: "0"  # --verify-approvals reads the whole history: a shallow clone cannot verify
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS
      when: never
    - if: $CI_COMMIT_BRANCH
  before_script:
    - apt-get update -qq && apt-get install -y -qq git > /dev/null
    - {yaml_scalar(project.install)}
  script:
    - |
      if [ "$CI_PIPELINE_SOURCE" = "merge_request_event" ]; then
        git fetch -q origin "+refs/heads/{target}:refs/remotes/origin/{target}"
        {check} --base "origin/{target}" > {project.junit_file}
      else
        {check} > {project.junit_file}
      fi
  artifacts:
    when: always
    reports:
      junit: {project.junit_file}
"""


def gitlab_ci(project: CiProject) -> str:
    return (
        "# reqctl: `reqctl check` in merge-request and branch pipelines (written by `reqctl init`).\n"
        + gitlab_job(project)
    )


def pre_commit_repo(project: CiProject) -> dict[str, Any]:
    """The hook repository entry: this project's reqctl-check hook, pinned to the version that ran init."""
    hook: dict[str, Any] = {"id": HOOK_ID}
    if project.folder:
        hook["name"] = f"reqctl check ({project.folder})"
        hook["args"] = ["-C", project.folder]
    hook["files"] = project.files_pattern
    return {"repo": HOOK_REPO, "rev": f"v{__version__}", "hooks": [hook]}


def pre_commit_config(project: CiProject) -> str:
    body = yaml.safe_dump({"repos": [pre_commit_repo(project)]}, sort_keys=False, allow_unicode=True, width=1000)
    return "# pre-commit hooks (https://pre-commit.com); `reqctl init` added reqctl-check.\n" + body


def hook_folder(hook: Any) -> str | None:
    """The project folder a reqctl-check hook entry checks ('' for the top), None if it is not one."""
    if not isinstance(hook, dict) or hook.get("id") != HOOK_ID:
        return None
    words: list[str] = []
    entry = hook.get("entry")
    if isinstance(entry, str):
        try:
            words += shlex.split(entry)
        except ValueError:
            words += entry.split()
    args = hook.get("args")
    if isinstance(args, list):
        words += [str(arg) for arg in args]
    for index, word in enumerate(words):
        if word == "-C" and index + 1 < len(words):
            return normalize_folder(words[index + 1])
        if word.startswith("-C") and len(word) > 2:
            return normalize_folder(word[2:])
    return ""


def normalize_folder(folder: str) -> str:
    parts = [part for part in folder.replace("\\", "/").split("/") if part not in ("", ".")]
    return "/".join(parts)
