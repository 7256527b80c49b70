"""`reqctl approve`: who may approve, what is recorded, and when an approval goes stale."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from conftest import CUSTOMER, PM, Result, git, run_reqctl, write_item

TODAY = dt.date.today().isoformat()


def front(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def one_line_error(result: Result, code: int = 2) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    return lines[0]


@pytest.fixture
def req(project: Path) -> Path:
    return write_item(
        project,
        "requirements",
        "REQ-001",
        "title: Export invoices as PDF\n"
        "status: proposed\n"
        "priority: must\n"
        "acceptance:\n  - Export finishes within 3 s\n  - File name has the number\n",
        "Finance staff send invoices to auditors.\n",
    )


def fingerprint_now(project: Path, item_id: str) -> str:
    """The fingerprint reqctl computes for the item's current content."""
    return str(show_json(project, item_id)["fingerprint"])


def show_json(project: Path, item_id: str = "REQ-001") -> dict[str, object]:
    result = run_reqctl(project, "req", "show", item_id, "--json")
    assert result.code == 0, result.err
    return dict(json.loads(result.out))


def test_approve_with_by_records_who_when_and_what(project: Path, req: Path) -> None:
    expected_fp = show_json(project)["fingerprint"]
    result = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert result.code == 0, result.err
    assert result.out.startswith(f"REQ-001 approved by {CUSTOMER}")
    assert "status proposed → approved" in result.out
    data = front(req)
    assert data["status"] == "approved"
    assert "approval" not in data
    approvals = data["approvals"]
    assert isinstance(approvals, list) and len(approvals) == 1
    approval = approvals[0]
    assert approval["by"] == CUSTOMER
    assert approval["role"] == "customer"
    assert str(approval["at"]) == TODAY
    assert approval["fingerprint"] == expected_fp
    assert str(expected_fp).startswith("sha256:") and len(str(expected_fp)) == 7 + 64
    assert show_json(project)["approval_state"] == "approved"
    shown = run_reqctl(project, "req", "show", "REQ-001")
    assert "approval: approved" in shown.out
    assert f"customer: {CUSTOMER} on {TODAY}" in shown.out
    assert run_reqctl(project, "check").code == 0


def test_approve_uses_git_user_email(project: Path, req: Path) -> None:
    git(project, "config", "user.email", CUSTOMER)
    result = run_reqctl(project, "approve", "req-1")
    assert result.code == 0, result.err
    assert front(req)["approvals"][0]["by"] == CUSTOMER  # type: ignore[index]


def test_approver_email_is_case_insensitive(project: Path, req: Path) -> None:
    result = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER.upper())
    assert result.code == 0, result.err
    assert run_reqctl(project, "check").code == 0


@pytest.mark.parametrize("person", [PM, "stranger@example.com"])
def test_non_approver_is_refused_and_file_unchanged(project: Path, req: Path, person: str) -> None:
    before = req.read_bytes()
    line = one_line_error(run_reqctl(project, "approve", "REQ-001", "--by", person))
    assert person in line
    assert "may not approve" in line
    assert req.read_bytes() == before


def test_git_user_who_is_not_an_approver_is_refused(project: Path, req: Path) -> None:
    before = req.read_bytes()
    line = one_line_error(run_reqctl(project, "approve", "REQ-001"))  # git user is the PM
    assert PM in line
    assert req.read_bytes() == before


def test_approve_without_acceptance_is_refused(project: Path) -> None:
    path = write_item(project, "requirements", "REQ-001", "title: Vague\nstatus: proposed\n")
    before = path.read_bytes()
    line = one_line_error(run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER))
    assert "acceptance" in line
    assert path.read_bytes() == before


def test_approve_rejected_or_other_kinds_is_refused(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: Not wanted\nstatus: rejected\nacceptance: [x]\n")
    assert "rejected" in one_line_error(run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER))
    write_item(project, "risks", "RISK-001", "title: R\nprobability: 1\nimpact: 1\n")
    assert "risk" in one_line_error(run_reqctl(project, "approve", "RISK-001", "--by", CUSTOMER))
    assert "REQ-404" in one_line_error(run_reqctl(project, "approve", "REQ-404", "--by", CUSTOMER))


def test_approving_twice_is_a_no_op(project: Path, req: Path) -> None:
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    before = req.read_bytes()
    again = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert again.code == 0
    assert "already approved" in again.out
    assert req.read_bytes() == before


EDITS = {
    "title": ("title: Export invoices as PDF", "title: Export invoices as Word"),
    "body": ("Finance staff send", "Finance staff email"),
    "acceptance": ("Export finishes within 3 s", "Export finishes within 30 s"),
    "acceptance order": (
        "  - Export finishes within 3 s\n  - File name has the number\n",
        "  - File name has the number\n  - Export finishes within 3 s\n",
    ),
    "priority": ("priority: must", "priority: should"),
}


@pytest.mark.parametrize("what", list(EDITS))
def test_edit_after_approval_makes_check_fail_until_reapproved(project: Path, req: Path, what: str) -> None:
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    old, new = EDITS[what]
    text = req.read_text(encoding="utf-8")
    assert old in text
    req.write_text(text.replace(old, new), encoding="utf-8")

    check = run_reqctl(project, "check")
    assert check.code == 1, check.out
    lines = [line for line in check.out.splitlines() if "R011" in line]
    assert len(lines) == 1, check.out
    assert lines[0].startswith("requirements/REQ-001.md:")
    assert f"changed since approved by {CUSTOMER} on {TODAY}" in lines[0]
    assert lines[0].rstrip().endswith("— approve again")
    assert show_json(project)["approval_state"] == "suspect"
    listed = run_reqctl(project, "req", "list")
    assert "suspect" in listed.out

    again = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert again.code == 0, again.err
    assert run_reqctl(project, "check").code == 0
    assert show_json(project)["approval_state"] == "approved"


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("auditors.\n", "auditors.   \n"),
        lambda t: t + "\n\n\n",
        lambda t: t.replace("---\nFinance", "---\n\n\nFinance"),
        lambda t: t.replace("priority: must", "priority: must   # customer insists"),
        lambda t: t.replace("title: Export invoices as PDF", "title: 'Export invoices as PDF'"),
    ],
    ids=["trailing-spaces", "trailing-blank-lines", "leading-blank-lines", "comment", "quoting"],
)
def test_invisible_edits_keep_the_approval(project: Path, req: Path, edit: object) -> None:
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    req.write_text(edit(req.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    check = run_reqctl(project, "check")
    assert check.code == 0, check.out


def test_status_change_after_approval_keeps_it_valid(project: Path, req: Path) -> None:
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    assert run_reqctl(project, "req", "status", "REQ-001", "implemented").code == 0
    assert run_reqctl(project, "req", "status", "REQ-001", "verified").code == 0
    assert run_reqctl(project, "check").code == 0
    assert front(req)["status"] == "verified"


def two_roles(project: Path, *, pm_is_customer: bool = False) -> None:
    config = project / "reqctl.yaml"
    text = config.read_text(encoding="utf-8").replace("requirement: [customer]", "requirement: [customer, pm]")
    if pm_is_customer:
        text = text.replace(f"customer: [{CUSTOMER}]", f"customer: [{CUSTOMER}, {PM}]")
    config.write_text(text, encoding="utf-8")


def listed_approval(project: Path) -> str:
    listed = run_reqctl(project, "req", "list")
    assert listed.code == 0, listed.err
    [row] = [line for line in listed.out.splitlines() if "REQ-001" in line]
    return row


def test_two_roles_each_approve_and_keep_their_record(project: Path, req: Path) -> None:
    two_roles(project)
    first = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert first.code == 0, first.err
    assert "as customer" in first.out and "still awaiting pm" in first.out and "→" not in first.out
    assert front(req)["status"] == "proposed"
    shown = show_json(project)
    assert shown["approval_state"] == "partial" and shown["awaiting_roles"] == ["pm"]
    assert "partial (awaiting pm)" in listed_approval(project)
    report = json.loads(run_reqctl(project, "report", "status", "--format", "json").out)
    [pending] = [row for row in report["pending_approvals"] if row["id"] == "REQ-001"]
    assert pending["roles"] == ["pm"]
    refused = run_reqctl(project, "req", "status", "REQ-001", "approved")
    assert "not approved by pm yet" in one_line_error(refused)

    second = run_reqctl(project, "approve", "REQ-001", "--by", PM)
    assert second.code == 0, second.err
    assert "as pm" in second.out and "status proposed → approved" in second.out
    records = front(req)["approvals"]
    assert isinstance(records, list)
    assert [(r["by"], r["role"]) for r in records] == [(CUSTOMER, "customer"), (PM, "pm")]
    assert show_json(project)["awaiting_roles"] == []
    assert listed_approval(project).replace("│", " ").split()[-1] == "approved"
    assert run_reqctl(project, "check").code == 0


def test_two_roles_edit_makes_both_stale(project: Path, req: Path) -> None:
    two_roles(project)
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    assert run_reqctl(project, "approve", "REQ-001", "--by", PM).code == 0
    req.write_text(req.read_text(encoding="utf-8").replace("as PDF", "as Word"), encoding="utf-8")
    check = run_reqctl(project, "check")
    assert check.code == 1
    stale = [line for line in check.out.splitlines() if "R011" in line]
    assert len(stale) == 2 and any(CUSTOMER in s for s in stale) and any(PM in s for s in stale), check.out
    shown = show_json(project)
    assert shown["approval_state"] == "suspect" and shown["awaiting_roles"] == ["customer", "pm"]
    # Re-approval by one role leaves the other stale, the status is kept and check still fails.
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    assert show_json(project)["awaiting_roles"] == ["pm"]
    again = run_reqctl(project, "check")
    [line] = [line for line in again.out.splitlines() if "R011" in line]
    assert again.code == 1 and PM in line


def test_approved_status_with_one_role_missing_fails_r010(project: Path, req: Path) -> None:
    two_roles(project)
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    req.write_text(req.read_text(encoding="utf-8").replace("status: proposed", "status: approved"), encoding="utf-8")
    check = run_reqctl(project, "check")
    [line] = [line for line in check.out.splitlines() if "R010" in line]
    assert "approval by pm is missing" in line


def test_person_holding_two_awaited_roles_must_say_which(project: Path, req: Path) -> None:
    two_roles(project, pm_is_customer=True)
    before = req.read_bytes()
    line = one_line_error(run_reqctl(project, "approve", "REQ-001", "--by", PM))
    assert "--role" in line and "customer, pm" in line
    assert req.read_bytes() == before
    assert run_reqctl(project, "approve", "REQ-001", "--by", PM, "--role", "pm").code == 0
    # Only customer is awaited now: the default picks it.
    done = run_reqctl(project, "approve", "REQ-001", "--by", PM)
    assert done.code == 0 and "as customer" in done.out and "→ approved" in done.out
    assert "PM" not in one_line_error(run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER, "--role", "pm"))


def test_reapproval_replaces_only_that_persons_record(project: Path, req: Path) -> None:
    two_roles(project)
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    assert run_reqctl(project, "approve", "REQ-001", "--by", PM).code == 0
    req.write_text(req.read_text(encoding="utf-8").replace("as PDF", "as Word"), encoding="utf-8")
    assert run_reqctl(project, "approve", "REQ-001", "--by", PM).code == 0
    records = front(req)["approvals"]
    assert isinstance(records, list)
    assert [(r["by"], r["role"]) for r in records] == [(CUSTOMER, "customer"), (PM, "pm")]
    assert records[0]["fingerprint"] != records[1]["fingerprint"]


def test_legacy_single_record_checks_clean_and_migrates(project: Path, req: Path) -> None:
    legacy = (
        f"approval:\n  by: {CUSTOMER}\n  at: 2026-11-01\n  fingerprint: {fingerprint_now(project, 'REQ-001')}\n"
    )
    text = req.read_text(encoding="utf-8").replace("status: proposed", "status: approved")
    req.write_text(text.replace("\n---\n", "\n" + legacy + "---\n", 1), encoding="utf-8")
    assert run_reqctl(project, "check").code == 0
    assert show_json(project)["approval_state"] == "approved"
    two_roles(project)
    assert "R010" in run_reqctl(project, "check").out  # pm's approval is now missing
    assert run_reqctl(project, "approve", "REQ-001", "--by", PM).code == 0
    data = front(req)
    assert "approval" not in data
    records = data["approvals"]
    assert isinstance(records, list)
    assert [(r["by"], r["role"], str(r["at"])) for r in records] == [
        (CUSTOMER, "customer", "2026-11-01"), (PM, "pm", TODAY)
    ]
    assert run_reqctl(project, "check").code == 0
