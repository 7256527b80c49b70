"""Findings quote what the user wrote: the offending value (R002), the closest known field (R003)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_reqctl, write_item


def test_r002_quotes_the_status_that_is_not_allowed(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: Sign in\nstatus: flying\npriority: must")
    result = run_reqctl(project, "check")
    assert result.code != 0
    assert ("requirements/REQ-001.md:4: error R002 status: 'flying' is not one of draft, proposed, approved, "
            "implemented, verified, rejected, deprecated") in result.out + result.err


def test_r003_suggests_the_closest_known_field(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: Sign in\nstatus: draft\nacceptence:\n  - works")
    result = run_reqctl(project, "check")
    assert "unknown field 'acceptence' for a requirement; did you mean 'acceptance'?" in result.out + result.err


def test_r003_without_a_close_name_suggests_nothing(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: Sign in\nstatus: draft\nzzqx: 1")
    result = run_reqctl(project, "check")
    output = result.out + result.err
    assert "unknown field 'zzqx' for a requirement" in output
    assert "did you mean" not in output
