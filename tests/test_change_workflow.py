"""Change requests end to end through the real ``reqctl`` command, in real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CUSTOMER, PM, git, run_reqctl
from test_gitio import commit_all, person, requirement

BRANCH = "change/CR-001-add-single-sign-on"


def head(root: Path, ref: str = "HEAD") -> str:
    return git(root, "rev-parse", ref).strip()


def branch_of(root: Path) -> str:
    return git(root, "branch", "--show-current").strip()


def as_customer(root: Path, *args: str) -> object:
    return run_reqctl(root, *args, "--by", CUSTOMER, env=person(CUSTOMER))


@pytest.fixture
def approved(project: Path) -> Path:
    """REQ-001 approved by the customer (committed by them); REQ-002 a draft."""
    requirement(project, "REQ-001", "Login", "Users log in with a password.\n")
    requirement(project, "REQ-002", "Logout")
    commit_all(project, "requirements", when="2026-10-01T09:00:00+00:00")
    result = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert result.code == 0, result.err
    commit_all(project, "approve REQ-001", CUSTOMER, "2026-10-02T09:00:00+00:00")
    return project


def propose(root: Path, *extra: str) -> None:
    result = run_reqctl(
        root,
        "change",
        "propose",
        "Add single sign-on",
        "--affects",
        "REQ-001",
        "--requested-by",
        CUSTOMER,
        *extra,
    )
    assert result.code == 0, result.err


def edit_login(root: Path, body: str = "Users log in with SSO.\n") -> None:
    """Edit REQ-001's title and body the way a person does, keeping its approval record."""
    path = root / "requirements" / "REQ-001.md"
    front, _, _old_body = path.read_text(encoding="utf-8").rpartition("---\n")
    path.write_text(front.replace("title: Login\n", "title: Login with SSO\n") + "---\n" + body, encoding="utf-8")
    commit_all(root, "SSO wording", PM, "2026-10-05T09:00:00+00:00")


def assess_and_approve(root: Path) -> None:
    result = run_reqctl(
        root,
        "change",
        "assess",
        "CR-001",
        "--schedule-days",
        "5",
        "--cost",
        "12000",
        "--risk",
        "medium",
        "--summary",
        "IdP integration",
    )
    assert result.code == 0, result.err
    result = run_reqctl(root, "change", "approve", "CR-001")
    assert result.code == 0, result.err
    assert "still needed: customer" in result.out
    result = run_reqctl(root, "change", "approve", "CR-001", "--by", CUSTOMER, env=person(CUSTOMER))
    assert result.code == 0, result.err
    assert "ready to merge" in result.out


def test_full_workflow(approved: Path) -> None:
    root = approved
    main_before = head(root, "main")
    propose(root)
    assert branch_of(root) == BRANCH
    assert head(root, "main") == main_before
    assert git(root, "log", "-1", "--format=%(trailers:key=Change-Request,valueonly)").strip() == "CR-001"
    text = (root / "changes" / "CR-001.md").read_text(encoding="utf-8")
    assert "status: proposed" in text and f"branch: {BRANCH}" in text

    edit_login(root)
    requirement(root, "REQ-003", "SSO admin page")
    commit_all(root, "new requirement")
    diff = run_reqctl(root, "change", "diff", "CR-001", "--json")
    assert diff.code == 0, diff.err
    data = json.loads(diff.out)
    by_id = {item["id"]: item for item in data["items"]}
    assert by_id["REQ-003"]["change"] == "added"
    assert [f["field"] for f in by_id["REQ-001"]["fields"]] == ["title"]
    assert "+Users log in with SSO." in by_id["REQ-001"]["body_diff"]
    text_diff = run_reqctl(root, "change", "diff", "CR-001").out
    assert "title: Login → Login with SSO" in text_diff

    assert run_reqctl(root, "check").code == 1  # REQ-001 changed since approved
    gate = run_reqctl(root, "check", "--base", "main")
    assert gate.code == 1 and "G001" in gate.out and "REQ-001" in gate.out

    assess_and_approve(root)
    assert run_reqctl(root, "check").code == 0
    assert run_reqctl(root, "check", "--base", "main").code == 0
    verify = run_reqctl(root, "check", "--verify-approvals")
    assert verify.code == 0, verify.out

    listed = json.loads(run_reqctl(root, "change", "list", "--json").out)
    assert [(c["id"], c["status"], c["branch"], c["behind"]) for c in listed] == [("CR-001", "approved", BRANCH, 0)]
    assert {a["role"]: a["state"] for a in listed[0]["roles"]} == {"customer": "approved", "pm": "approved"}

    merged = run_reqctl(root, "change", "merge", "CR-001")
    assert merged.code == 0, merged.err
    assert branch_of(root) == "main"
    assert len(git(root, "log", "-1", "--format=%P").split()) == 2
    assert "Change-Request: CR-001" in git(root, "log", "-1", "--format=%B")
    req = (root / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    assert "change: CR-001" in req and f"by: {CUSTOMER}" in req
    assert "status: baselined" in (root / "changes" / "CR-001.md").read_text(encoding="utf-8")
    assert run_reqctl(root, "check").code == 0
    verify = run_reqctl(root, "check", "--verify-approvals")
    assert verify.code == 0, verify.out
    assert git(root, "status", "--porcelain") == ""

    history = run_reqctl(root, "req", "history", "REQ-001", "--json")
    commits = json.loads(history.out)["commits"]
    assert commits[-1]["change"] == "added"
    assert any("title" in c["fields"] for c in commits)
    assert any(c["author"]["email"] == CUSTOMER and "approvals" in c["fields"] for c in commits)


def test_edit_after_approval_blocks_merge_and_gate(approved: Path) -> None:
    root = approved
    propose(root)
    edit_login(root)
    assess_and_approve(root)
    edit_login(root, "Users log in with SSO or a password.\n")
    before = (head(root, "main"), head(root, BRANCH))
    assert run_reqctl(root, "check").code == 1
    gate = run_reqctl(root, "check", "--base", "main")
    assert gate.code == 1
    assert "G001" in gate.out and "G002" in gate.out and "changed after the approval" in gate.out
    merged = run_reqctl(root, "change", "merge", "CR-001")
    assert merged.code == 2
    assert "REQ-001 changed after the approval" in merged.err
    assert (head(root, "main"), head(root, BRANCH)) == before
    assert branch_of(root) == BRANCH
    assert "Traceback" not in merged.err


def test_refusals_leave_everything_as_it_was(approved: Path) -> None:
    root = approved
    (root / "requirements" / "REQ-002.md").write_text("changed by hand\n", encoding="utf-8")
    refused = run_reqctl(root, "change", "propose", "X", "--affects", "REQ-001")
    assert refused.code == 2 and "uncommitted changes in requirements/REQ-002.md" in refused.err
    assert branch_of(root) == "main" and "change/" not in git(root, "branch")
    git(root, "checkout", "-q", "--", "requirements/REQ-002.md")

    missing = run_reqctl(root, "change", "propose", "X", "--affects", "REQ-099")
    assert missing.code == 2 and "REQ-099" in missing.err
    assert branch_of(root) == "main" and "change/" not in git(root, "branch")
    assert not (root / "changes" / "CR-001.md").exists()

    propose(root)
    stranger = run_reqctl(root, "change", "approve", "CR-001", "--by", "eve@example.com")
    assert stranger.code == 2
    not_assessed = run_reqctl(root, "change", "approve", "CR-001")
    assert not_assessed.code == 2 and "assess" in not_assessed.err
    assess = run_reqctl(root, "change", "assess", "CR-001", "--risk", "low")
    assert assess.code == 0
    before = (root / "changes" / "CR-001.md").read_bytes()
    stranger = run_reqctl(root, "change", "approve", "CR-001", "--by", "eve@example.com")
    assert stranger.code == 2 and "may not approve" in stranger.err
    assert (root / "changes" / "CR-001.md").read_bytes() == before
    not_ready = run_reqctl(root, "change", "merge", "CR-001")
    assert not_ready.code == 2 and "customer: approval missing" in not_ready.err

    git(root, "switch", "-q", "main")
    wrong_branch = run_reqctl(root, "change", "list")
    assert wrong_branch.code == 0 and "CR-001" in wrong_branch.out
    git(root, "switch", "-q", "--detach", "main")
    detached = run_reqctl(root, "change", "propose", "Y", "--affects", "REQ-001", "--no-branch")
    assert detached.code == 2 and "detached" in detached.err
    unknown = run_reqctl(root, "change", "diff", "CR-042")
    assert unknown.code == 2 and "CR-042" in unknown.err


def test_approve_must_run_on_the_branch(approved: Path) -> None:
    propose(approved)
    run_reqctl(approved, "change", "assess", "CR-001", "--risk", "low")
    git(approved, "switch", "-q", "main")
    git(approved, "merge", "-q", "--ff-only", BRANCH)  # CR file now on main too
    result = run_reqctl(approved, "change", "approve", "CR-001")
    assert result.code == 2 and f"git switch {BRANCH}" in result.err


def test_no_branch_workflow(approved: Path) -> None:
    root = approved
    propose(root, "--no-branch")
    assert branch_of(root) == "main"
    assert "branch:" not in (root / "changes" / "CR-001.md").read_text(encoding="utf-8")
    edit_login(root)
    assess_and_approve(root)
    assert run_reqctl(root, "check").code == 0
    done = run_reqctl(root, "change", "merge", "CR-001")
    assert done.code == 0, done.err
    assert "completed on main" in done.out
    assert "change: CR-001" in (root / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    assert run_reqctl(root, "check", "--verify-approvals").code == 0
    assert git(root, "status", "--porcelain") == ""


def test_reject(approved: Path) -> None:
    propose(approved)
    no_reason = run_reqctl(approved, "change", "reject", "CR-001")
    assert no_reason.code == 2 and "--reason" in no_reason.err
    result = run_reqctl(approved, "change", "reject", "CR-001", "--reason", "Out of budget")
    assert result.code == 0, result.err
    text = (approved / "changes" / "CR-001.md").read_text(encoding="utf-8")
    assert "status: rejected" in text and "reason: Out of budget" in text
    merge = run_reqctl(approved, "change", "merge", "CR-001")
    assert merge.code == 2 and "rejected" in merge.err


def test_merge_conflict_is_left_to_git_then_finished(approved: Path) -> None:
    root = approved
    propose(root)
    requirement(root, "REQ-002", "Logout", "Logout after 10 minutes.\n")
    edit_login(root)
    assess_and_approve(root)
    git(root, "switch", "-q", "main")
    requirement(root, "REQ-002", "Logout", "Logout after 30 minutes.\n")
    commit_all(root, "main edits the draft")
    git(root, "switch", "-q", BRANCH)

    conflict = run_reqctl(root, "change", "merge", "CR-001")
    assert conflict.code == 2
    assert "merge conflict in requirements/REQ-002.md" in conflict.err
    assert branch_of(root) == "main"
    assert "<<<<<<<" in (root / "requirements" / "REQ-002.md").read_text(encoding="utf-8")
    again = run_reqctl(root, "change", "merge", "CR-001")
    assert again.code == 2 and "unresolved conflicts" in again.err

    git(root, "checkout", "--theirs", "--", "requirements/REQ-002.md")
    git(root, "add", "requirements/REQ-002.md")
    done = run_reqctl(root, "change", "merge", "CR-001")
    assert done.code == 0, done.err
    assert len(git(root, "log", "-1", "--format=%P").split()) == 2
    assert run_reqctl(root, "check").code == 0


def test_list_sees_remote_branches_and_works_in_a_worktree(approved: Path, tmp_path: Path) -> None:
    root = approved
    propose(root)
    edit_login(root)
    git(root, "switch", "-q", "main")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(root), str(clone))
    listed = json.loads(run_reqctl(clone, "change", "list", "--json").out)
    assert [(c["id"], c["ref"], c["ahead"]) for c in listed] == [("CR-001", f"origin/{BRANCH}", 2)]

    worktree = tmp_path / "wt"
    git(root, "worktree", "add", "-q", str(worktree), BRANCH)
    gate = run_reqctl(worktree, "check", "--base", "main")
    assert gate.code == 1 and "G001" in gate.out
    assert run_reqctl(worktree, "change", "list").code == 0
    assessed = run_reqctl(worktree, "change", "assess", "CR-001", "--risk", "low")
    assert assessed.code == 0, assessed.err


def test_gate_passes_for_drafts_and_status_only_changes(approved: Path) -> None:
    git(approved, "switch", "-q", "-c", "feature")
    requirement(approved, "REQ-002", "Logout", "Rewritten draft.\n")
    requirement(approved, "REQ-004", "New draft")
    text = (approved / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    (approved / "requirements" / "REQ-001.md").write_text(
        text.replace("status: approved", "status: implemented"), encoding="utf-8"
    )
    commit_all(approved, "drafts")
    result = run_reqctl(approved, "check", "--base", "main", "--format", "json")
    assert result.code == 0, result.out
    assert run_reqctl(approved, "check", "--base", "nonexistent").code == 2


def test_verify_approvals_names_the_forging_commit(approved: Path) -> None:
    requirement(approved, "REQ-002", "Logout", "Changed.\n")
    assert run_reqctl(approved, "approve", "REQ-002", "--by", CUSTOMER).code == 0
    forged = commit_all(approved, "approve on behalf of the customer", PM)
    assert run_reqctl(approved, "check").code == 0
    result = run_reqctl(approved, "check", "--verify-approvals")
    assert result.code == 1
    assert "G003" in result.out and forged[:10] in result.out and PM in result.out
    assert "REQ-001" not in result.out  # approved by the customer's own commit


def test_gate_rules_follow_configured_severity(approved: Path) -> None:
    requirement(approved, "REQ-002", "Logout", "Changed.\n")
    assert run_reqctl(approved, "approve", "REQ-002", "--by", CUSTOMER).code == 0
    commit_all(approved, "approve on behalf of the customer", PM)
    config = approved / "reqctl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "check:\n  severity: {G003: warning}\n", encoding="utf-8")
    warned = run_reqctl(approved, "check", "--verify-approvals")
    assert warned.code == 0, warned.out
    assert "warning G003" in warned.out
    config.write_text(config.read_text(encoding="utf-8").replace("G003: warning", "G003: off"), encoding="utf-8")
    silenced = run_reqctl(approved, "check", "--verify-approvals")
    assert silenced.code == 0 and "G003" not in silenced.out


def test_change_show_and_list_json_share_the_item_shape(approved: Path) -> None:
    root = approved
    propose(root)
    assessed = run_reqctl(root, "change", "assess", "CR-001", "--schedule-days", "3", "--cost", "12000",
                          "--risk", "low", "--summary", "IdP setup")
    assert assessed.code == 0, assessed.err
    assert run_reqctl(root, "change", "approve", "CR-001").code == 0

    shown = run_reqctl(root, "change", "show", "cr-1")
    assert shown.code == 0, shown.err
    assert "CR-001  Add single sign-on" in shown.out
    assert f"branch: {BRANCH}" in shown.out
    assert "schedule_days: 3 " in shown.out  # not 3.0
    assert "cost: 12000" in shown.out and "risk: low" in shown.out
    assert "pm: approved by" in shown.out and "customer: approval missing" in shown.out

    as_json = json.loads(run_reqctl(root, "change", "show", "CR-001", "--json").out)
    listed = json.loads(run_reqctl(root, "change", "list", "--json").out)
    assert listed == [as_json]
    assert as_json["impact"] == {"schedule_days": 3, "cost": 12000, "risk": "low", "summary": "IdP setup"}
    assert isinstance(as_json["impact"]["schedule_days"], int)
    assert as_json["kind"] == "change" and as_json["path"] == "changes/CR-001.md"
    assert as_json["branch"] == BRANCH and as_json["requested_by"] == CUSTOMER
    assert as_json["affects"] == ["REQ-001"] and as_json["body"] is not None
    assert [r["role"] for r in as_json["approvals"]] == ["pm"]  # the file's records, under the file's key
    assert {r["role"]: r["state"] for r in as_json["roles"]} == {"customer": "missing", "pm": "approved"}
    req = json.loads(run_reqctl(root, "req", "show", "REQ-001", "--json").out)
    assert {"kind", "id", "title", "body", "path"} <= set(req) & set(as_json)


def test_change_show_unknown_and_invalid(approved: Path) -> None:
    unknown = run_reqctl(approved, "change", "show", "CR-009")
    assert unknown.code == 2 and unknown.err.strip() == "error: no change request CR-009 on any branch"
    (approved / "changes" / "CR-002.md").write_text(
        "---\nid: CR-002\ntitle: Broken\nstatus: maybe\n---\n", encoding="utf-8")
    broken = run_reqctl(approved, "change", "show", "CR-002")
    assert broken.code == 2
    assert broken.err.startswith("error: changes/CR-002.md:4: status: "), broken.err
    listed = run_reqctl(approved, "change", "list", "--json")
    assert listed.code == 0 and json.loads(listed.out) == []
    assert listed.err.startswith("warning: changes/CR-002.md:4: skipped: status: "), listed.err


def test_change_list_filters_and_csv(approved: Path) -> None:
    propose(approved, "--no-branch")
    second = run_reqctl(approved, "change", "propose", "导出发票为 PDF", "--affects", "REQ-002", "--no-branch")
    assert second.code == 0, second.err
    assert run_reqctl(approved, "change", "reject", "CR-002", "--reason", "Out of budget").code == 0

    rejected = json.loads(run_reqctl(approved, "change", "list", "--status", "rejected", "--json").out)
    assert [row["id"] for row in rejected] == ["CR-002"]
    by_text = run_reqctl(approved, "change", "list", "--text", "pdf", "--format", "json")
    assert [row["id"] for row in json.loads(by_text.out)] == ["CR-002"]
    both = run_reqctl(approved, "change", "list", "--status", "proposed", "--text", "pdf", "--json")
    assert json.loads(both.out) == []

    csv_out = run_reqctl(approved, "change", "list", "--format", "csv", "--bom")
    lines = csv_out.out.lstrip("\ufeff").splitlines()
    assert csv_out.out.startswith("\ufeff")
    assert lines[0] == "id,title,status,approvals,branch,ahead/behind,effort_days,schedule_days,cost"
    assert [line.split(",")[0] for line in lines[1:]] == ["CR-001", "CR-002"]
    assert "导出发票为 PDF" in lines[2]

    wrong = run_reqctl(approved, "change", "list", "--status", "flying")
    assert wrong.code == 2 and wrong.err.startswith("error: --status flying: a change status is one of")
    assert run_reqctl(approved, "change", "list", "--bom").code == 2  # --bom only with csv
