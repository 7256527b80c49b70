"""Links read backwards in ``show`` and on the site's item pages (issue 11, point 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_reqctl, write_item


@pytest.fixture
def linked(project: Path) -> Path:
    write_item(project, "requirements", "REQ-001", "title: Accounts\nstatus: draft")
    write_item(project, "requirements", "REQ-002", "title: Login\ndepends_on: [REQ-001]\nsource: MTG-001")
    write_item(project, "requirements", "REQ-003", "title: Audit\ndepends_on: REQ-001")
    write_item(project, "changes", "CR-001", "title: Add SSO\nstatus: proposed\naffects: [REQ-001]")
    write_item(project, "risks", "RISK-001", "title: IdP outage\nprobability: 2\nimpact: 4\nrelates: [REQ-001]")
    write_item(project, "decisions", "ADR-001", "title: Use OIDC\nrelates: [REQ-001, REQ-002]")
    write_item(project, "meetings", "MTG-001", "title: 需求研讨会\ndate: 2026-11-20\nrelates: [REQ-001]")
    write_item(project, "feedback", "FB-001", "title: Login is slow\nscore: 2\nrelates: [REQ-001]")
    return project


def test_show_json_lists_referenced_by(linked: Path) -> None:
    result = run_reqctl(linked, "req", "show", "REQ-001", "--json")
    assert result.code == 0, result.err
    links = json.loads(result.out)["referenced_by"]
    assert [(link["id"], link["kind"], link["field"]) for link in links] == [
        ("REQ-002", "requirement", "depends_on"),
        ("REQ-003", "requirement", "depends_on"),
        ("CR-001", "change", "affects"),
        ("RISK-001", "risk", "relates"),
        ("ADR-001", "decision", "relates"),
        ("MTG-001", "meeting", "relates"),
        ("FB-001", "feedback", "relates"),
    ]
    assert links[2] == {"id": "CR-001", "kind": "change", "title": "Add SSO", "field": "affects", "status": "proposed"}


def test_show_terminal_lists_referenced_by(linked: Path) -> None:
    result = run_reqctl(linked, "req", "show", "REQ-001")
    assert result.code == 0, result.err
    assert "referenced by:" in result.out
    assert "REQ-002 depends on it: Login" in result.out
    assert "CR-001 changes it: Add SSO" in result.out
    assert "MTG-001 relates to it: 需求研讨会" in result.out


def test_a_meeting_knows_the_requirements_that_cite_it(linked: Path) -> None:
    result = run_reqctl(linked, "meeting", "show", "MTG-001", "--json")
    assert json.loads(result.out)["referenced_by"] == [
        {"id": "REQ-002", "kind": "requirement", "title": "Login", "field": "source", "status": "draft"}
    ]
    assert "REQ-002 cites it as its source: Login" in run_reqctl(linked, "meeting", "show", "MTG-001").out


def test_nothing_points_here(linked: Path) -> None:
    result = run_reqctl(linked, "risk", "show", "RISK-001", "--json")
    assert json.loads(result.out)["referenced_by"] == []
    assert "referenced by" not in run_reqctl(linked, "risk", "show", "RISK-001").out


@pytest.mark.parametrize(("lang", "heading", "relation"), [("en", "Referenced by", "changes it"),
                                                          ("zh", "被引用", "变更本项")])
def test_site_item_page_lists_referenced_by(linked: Path, tmp_path: Path, lang: str, heading: str,
                                            relation: str) -> None:
    site = tmp_path / "site"
    result = run_reqctl(linked, "publish", str(site), "--lang", lang)
    assert result.code == 0, result.err
    page = (site / "items" / "REQ-001.html").read_text(encoding="utf-8")
    assert f"<h2>{heading}</h2>" in page
    assert '<a href="../items/CR-001.html">CR-001</a>' in page
    assert f"<td>{relation}</td>" in page
    assert '<a href="../items/FB-001.html">FB-001</a>' in page
    lonely = (site / "items" / "RISK-001.html").read_text(encoding="utf-8")
    assert heading not in lonely


def test_show_sees_links_added_after_the_cache_was_filled(linked: Path) -> None:
    assert run_reqctl(linked, "req", "show", "REQ-003", "--json").code == 0  # fills the parse cache
    path = write_item(linked, "risks", "RISK-002", "title: Audit storage full\nprobability: 1\nimpact: 2")
    assert json.loads(run_reqctl(linked, "req", "show", "REQ-003", "--json").out)["referenced_by"] == []
    path.write_text(path.read_text(encoding="utf-8").replace("impact: 2", "impact: 2\nrelates: [REQ-003]"), "utf-8")
    for args in ((), ("--no-cache",)):
        result = run_reqctl(linked, *args, "req", "show", "REQ-003", "--json")
        assert [link["id"] for link in json.loads(result.out)["referenced_by"]] == ["RISK-002"]
