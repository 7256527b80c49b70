"""Attacks on the read path and the gate's policy, in real repositories.

An upstream repository holds the protected main line; a contributor with no
role clones it and pushes a branch; CI checks a fresh clone of that branch.
Every byte of the branch is the attacker's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import CUSTOMER, PM, git, run_reqctl, write_config, write_item
from reqctl.store.statedir import state_dir

ATTACKER = "mallory@contractor.example"


def commit_all(root: Path, message: str, email: str = PM) -> None:
    git(root, "add", "-A", "-f")
    name = email.split("@", maxsplit=1)[0]
    env = {
        "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_NAME": name, "GIT_COMMITTER_NAME": name,
    }
    git(root, "commit", "-q", "-m", message, env=env)


@pytest.fixture
def upstream(project: Path) -> Path:
    """A protected main line with one requirement the customer approved."""
    front = "title: Login\nstatus: proposed\npriority: must\nacceptance: [works]"
    write_item(project, "requirements", "REQ-001", front)
    commit_all(project, "requirement")
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    commit_all(project, "approved", CUSTOMER)
    return project


def contributor_clone(upstream: Path, tmp_path: Path, name: str = "contrib") -> Path:
    clone = tmp_path / name
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    git(clone, "switch", "-q", "-c", "feature")
    return clone


def ci_clone(branch_repo: Path, tmp_path: Path) -> Path:
    """CI's fresh clone of the contributor's branch, with the base as origin/main."""
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--no-checkout", str(branch_repo), str(ci))
    git(ci, "checkout", "-q", "feature")
    return ci


# ----------------------------------------------------------------- caches ----


def test_a_planted_pickle_cache_is_never_loaded(upstream: Path, tmp_path: Path) -> None:
    clone = contributor_clone(upstream, tmp_path)
    marker = tmp_path / "pwned"
    payload = (
        b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."  # pickle protocol 0: os.system(...)
    )
    legacy = clone / ".reqctl"
    legacy.mkdir()
    for name in ("parse-cache.pickle", "check-result.pickle", "blob-cache.pickle"):
        (legacy / name).write_bytes(payload)
    write_item(clone, "requirements", "REQ-002", "title: Broken\nstatus: weird")
    commit_all(clone, "innocent", ATTACKER)
    ci = ci_clone(clone, tmp_path)
    result = run_reqctl(ci, "check")
    assert result.code == 1  # the broken item is found: a planted result cannot say "no problems"
    assert "R002" in result.out
    assert "warning: .reqctl/ is tracked by git; ignored" in result.err
    for args in (("req", "list"), ("report", "weekly"), ("diff", "HEAD~1")):
        run_reqctl(ci, *args)
    assert not marker.exists()


def test_the_cache_lives_in_gits_directory_and_a_symlinked_reqctl_is_ignored(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".reqctl").symlink_to(outside)
    write_item(project, "requirements", "REQ-001", "title: Login\nstatus: proposed\nacceptance: [works]")
    result = run_reqctl(project, "check")
    assert result.code == 0
    assert "warning: .reqctl is a symbolic link in the working tree; ignored" in result.err
    assert run_reqctl(project, "req", "add", "Export", "--acceptance", "fast").code == 0
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    assert list(outside.iterdir()) == []
    assert state_dir(project).is_relative_to(project / ".git")
    assert (state_dir(project) / "cache.sqlite").is_file()


# --------------------------------------------------------------- symlinks ----


def test_a_symlinked_item_file_is_an_error_and_never_read(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\nid: REQ-002\ntitle: TOPSECRET-TOKEN\n---\nTOPSECRET-BODY\n", encoding="utf-8")
    (project / "requirements" / "REQ-002.md").symlink_to(secret)
    write_item(project, "requirements", "REQ-001", "title: Login\nacceptance: [works]")
    result = run_reqctl(project, "check")
    assert result.code == 1
    assert "requirements/REQ-002.md: error R001 is a symbolic link" in result.out
    for args in (("req", "list", "--json"), ("req", "show", "REQ-002"), ("doc", "srs"), ("report", "status")):
        shown = run_reqctl(project, *args)
        assert "TOPSECRET" not in shown.out + shown.err
    assert "symbolic link" in run_reqctl(project, "req", "show", "REQ-002").err


def test_a_symlinked_kind_folder_is_an_error_and_never_read(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "RISK-001.md").write_text("---\nid: RISK-001\ntitle: LEAKED\nprobability: 1\nimpact: 1\n---\n")
    (project / "risks").rmdir() if (project / "risks").exists() else None
    (project / "risks").symlink_to(elsewhere)
    result = run_reqctl(project, "check", "--format", "json")
    assert result.code == 1
    findings = json.loads(result.out)["findings"]
    assert [(f["code"], f["path"]) for f in findings] == [("R001", "risks")]
    assert "LEAKED" not in run_reqctl(project, "risk", "list").out


def test_a_symlinked_config_is_refused(project: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text((project / "reqctl.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (project / "reqctl.yaml").unlink()
    (project / "reqctl.yaml").symlink_to(real)
    result = run_reqctl(project, "check")
    assert result.code == 2
    assert result.err == "error: reqctl.yaml: is a symbolic link; reqctl.yaml must be a regular file (not followed)\n"


# ------------------------------------------------------ policy from base ----


def test_a_branch_cannot_make_its_author_an_approver(upstream: Path, tmp_path: Path) -> None:
    clone = contributor_clone(upstream, tmp_path)
    config = (clone / "reqctl.yaml").read_text(encoding="utf-8")
    (clone / "reqctl.yaml").write_text(config.replace(f"customer: [{CUSTOMER}]", f"customer: [{CUSTOMER}, {ATTACKER}]"))
    path = clone / "requirements" / "REQ-001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Login", "Login without a password"), encoding="utf-8")
    assert run_reqctl(clone, "approve", "REQ-001", "--by", ATTACKER).code == 0  # the branch's own policy allows it
    commit_all(clone, "self-approved", ATTACKER)
    ci = ci_clone(clone, tmp_path)
    assert run_reqctl(ci, "check").code == 0  # without --base the branch judges itself
    gated = run_reqctl(ci, "check", "--base", "origin/main")
    assert gated.code == 1
    assert f"approval by {ATTACKER} as 'customer': they do not hold that role" in gated.out  # the base's roles
    assert "G004" in gated.out and "changes the approval policy (roles)" in gated.out


def test_a_branch_cannot_switch_rules_off(upstream: Path, tmp_path: Path) -> None:
    clone = contributor_clone(upstream, tmp_path)
    write_config(clone, "check:\n  severity:\n    R002: off\n")
    write_item(clone, "requirements", "REQ-002", "title: Sneaky\nstatus: weird")
    commit_all(clone, "switch a rule off", ATTACKER)
    ci = ci_clone(clone, tmp_path)
    assert run_reqctl(ci, "check").code == 0
    gated = run_reqctl(ci, "check", "--base", "origin/main", "--format", "json")
    assert gated.code == 1
    codes = {f["code"] for f in json.loads(gated.out)["findings"]}
    assert {"R002", "G004"} <= codes


def test_a_policy_change_under_an_approved_change_request_passes(upstream: Path, tmp_path: Path) -> None:
    newcomer = "new.pm@example.com"
    assert run_reqctl(upstream, "change", "propose", "Add a second project manager", "--affects", "REQ-001").code == 0
    config = (upstream / "reqctl.yaml").read_text(encoding="utf-8")
    (upstream / "reqctl.yaml").write_text(config.replace(f"pm: [{PM}]", f"pm: [{PM}, {newcomer}]"))
    commit_all(upstream, "widen pm")
    assert run_reqctl(upstream, "check", "--base", "main").code == 1  # not approved yet: G004
    assert run_reqctl(upstream, "change", "assess", "CR-001", "--schedule-days", "0", "--risk", "low").code == 0
    for person in (CUSTOMER, PM):
        approved = run_reqctl(upstream, "change", "approve", "CR-001", "--by", person)
        assert approved.code == 0, approved.err
        commit_all(upstream, f"approval {person}", person) if git(upstream, "status", "--porcelain") else None
    cr = (upstream / "changes" / "CR-001.md").read_text(encoding="utf-8")
    assert "reqctl.yaml: sha256:" in cr  # the approval names the exact policy it approved
    result = run_reqctl(upstream, "check", "--base", "main")
    assert result.code == 0, result.out


# ------------------------------------------------------------ incremental ----


def test_incremental_check_matches_a_full_check_after_every_edit(project: Path) -> None:
    for n in range(1, 8):
        deps = f"\ndepends_on: [REQ-00{n - 1}]" if n > 1 else ""
        write_item(project, "requirements", f"REQ-00{n}", f"title: R{n}\npriority: must{deps}\nacceptance: [ok]")
    write_item(project, "risks", "RISK-001", "title: Risk\nprobability: 2\nimpact: 3\nrelates: [REQ-001]")
    edits = [
        ("requirements/REQ-003.md", "title: R3", "title: R3 reworded"),  # body-only kind of edit
        ("requirements/REQ-004.md", "priority: must", "priority: mist"),  # single-file finding
        ("requirements/REQ-004.md", "priority: mist", "priority: must"),
        ("requirements/REQ-005.md", "depends_on: [REQ-004]", "depends_on: [REQ-099]"),  # a reference
        ("requirements/REQ-001.md", "id: REQ-001", "id: REQ-002"),  # an ID: duplicates
        ("requirements/REQ-001.md", "id: REQ-002", "id: REQ-001"),
        ("risks/RISK-001.md", "probability: 2", "probability: 9"),
        ("requirements/REQ-002.md", "---\nid", "---\nnote: x\nid"),  # shifts key lines
    ]
    assert run_reqctl(project, "check").code in (0, 1)
    for rel, old, new in edits:
        path = project / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        cached = run_reqctl(project, "check", "--format", "json")
        fresh = run_reqctl(project, "--no-cache", "check", "--format", "json")
        assert (cached.code, cached.out) == (fresh.code, fresh.out), rel


def test_parsing_on_every_core_gives_what_one_core_gives(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reqctl.store import reader
    from reqctl.store.store import Store

    for n in range(1, 9):
        write_item(project, "requirements", f"REQ-00{n}", f"title: R{n}\nacceptance: [ok]\ndue: 2026-12-0{n}")
    (project / "requirements" / "REQ-009.md").write_text("---\nid: [broken\n---\n", encoding="utf-8")
    (project / "risks" / "RISK-001.md").write_text("---\nid: RISK-001\n1: integer key\n---\n", encoding="utf-8")
    serial = Store.open(project, use_cache=False).read_all()
    monkeypatch.setattr(reader, "_PARALLEL_MIN_FILES", 1)
    parallel = Store.open(project).read_all()  # workers encode the rows; the integer-key file is sent as is
    assert [(f.path, f.data, f.body, f.key_lines, f.blob, str(f.error)) for f in parallel] == [
        (f.path, f.data, f.body, f.key_lines, f.blob, str(f.error)) for f in serial
    ]
    cached = Store.open(project).read_all()  # and read back from the cache
    assert [(f.path, f.data, str(f.error)) for f in cached] == [(f.path, f.data, str(f.error)) for f in serial]
