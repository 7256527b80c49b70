"""``req show`` says only what is true: ✓ marks verified criteria; a wrong kind names the right command."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_reqctl, write_item

REQ = "title: Sign in\npriority: must\nacceptance:\n  - Sign-in takes less than 2 s\n"


def test_unverified_acceptance_criteria_are_plain_bullets(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "status: draft\n" + REQ)
    result = run_reqctl(project, "req", "show", "REQ-001")
    assert result.code == 0, result.err
    assert "- Sign-in takes less than 2 s" in result.out
    assert "✓" not in result.out


def test_verified_requirement_ticks_its_criteria(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "status: verified\n" + REQ)
    result = run_reqctl(project, "req", "show", "REQ-001")
    assert "✓ Sign-in takes less than 2 s" in result.out


def test_show_of_another_kind_names_the_command(project: Path) -> None:
    write_item(project, "risks", "RISK-001", "title: Late contract\nstatus: open\nprobability: 2\nimpact: 3")
    result = run_reqctl(project, "req", "show", "RISK-001")
    assert result.code == 2
    assert result.err.strip() == "error: RISK-001 is a risk; use 'reqctl risk show RISK-001'"
    write_item(project, "requirements", "REQ-001", "status: draft\n" + REQ)
    result = run_reqctl(project, "risk", "show", "REQ-001")
    assert result.err.strip() == "error: REQ-001 is a requirement; use 'reqctl req show REQ-001'"
