"""``approve`` and ``change approve`` name people from the directory in reqctl.yaml (the e-mail otherwise)."""

from __future__ import annotations

from pathlib import Path

from conftest import CUSTOMER, run_reqctl
from test_change_workflow import approved, propose
from test_gitio import commit_all, person, requirement

__all__ = ["approved"]


def _people(root: Path, entries: str) -> None:
    config = root / "reqctl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "people:\n" + entries, encoding="utf-8")
    commit_all(root, "people directory")


def test_approve_prints_the_approvers_name(project: Path) -> None:
    _people(project, f"  {CUSTOMER}: {{name: 张伟, organisation: 客户}}\n")
    requirement(project, "REQ-001", "Login")
    commit_all(project, "REQ-001")
    result = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert result.code == 0, result.err
    assert result.out.startswith("REQ-001 approved by 张伟 as customer") and CUSTOMER not in result.out
    again = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert again.out.startswith("REQ-001 is already approved by 张伟 as customer")


def test_approve_without_a_directory_entry_prints_the_email(project: Path) -> None:
    requirement(project, "REQ-001", "Login")
    commit_all(project, "REQ-001")
    result = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert result.out.startswith(f"REQ-001 approved by {CUSTOMER} as customer")


def test_change_approve_prints_names(approved: Path) -> None:
    _people(approved, "  pm@example.com: {name: Wang Fang}\n")
    propose(approved)
    assert run_reqctl(approved, "change", "assess", "CR-001", "--risk", "low").code == 0
    first = run_reqctl(approved, "change", "approve", "CR-001")
    assert first.code == 0, first.err
    assert first.out.startswith("CR-001 approved by Wang Fang as pm (commit ")
    assert "still needed: customer: approval missing" in first.out and "pm@example.com" not in first.out
    second = run_reqctl(approved, "change", "approve", "CR-001", "--by", CUSTOMER, env=person(CUSTOMER))
    assert second.out.startswith(f"CR-001 approved by {CUSTOMER} as customer") and "ready to merge" in second.out
