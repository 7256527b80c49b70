"""The people directory: reports, documents, the site and the terminal show names; files keep e-mails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import CUSTOMER, PM, git, run_reqctl, write_config

PEOPLE = (
    "people:\n"
    f"  {CUSTOMER}: {{name: 王芳, organisation: 客户方, im: 'wechat:wangfang'}}\n"
    f"  {PM.upper()}: {{name: Zhang Wei, organisation: Vendor Ltd, phone: '+86 10 1234'}}\n"
)
UNKNOWN = "someone@elsewhere.example"


@pytest.fixture
def people(project: Path) -> Path:
    write_config(project, PEOPLE)
    assert run_reqctl(project, "req", "add", "Login", "-a", "works", "--owner", PM).code == 0
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    assert run_reqctl(project, "risk", "add", "Key user leaves", "--probability", "3", "--impact", "4",
                      "--owner", CUSTOMER, "--review-by", "2027-01-10").code == 0
    assert run_reqctl(project, "risk", "add", "Unknown owner", "--probability", "1", "--impact", "1",
                      "--owner", UNKNOWN).code == 0
    assert run_reqctl(project, "meeting", "add", "Kick-off", "--date", "2026-11-20", "--attendee", PM,
                      "--attendee", CUSTOMER, "--action", f"Send data|{CUSTOMER}|2027-01-05").code == 0
    assert run_reqctl(project, "feedback", "add", "Good start", "--score", "4", "--from", CUSTOMER,
                      "--date", "2026-11-21").code == 0
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "items")
    return project


def test_files_keep_emails_and_fingerprints(people: Path) -> None:
    text = (people / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    assert f"owner: {PM}" in text and f"by: {CUSTOMER}" in text
    assert "Zhang Wei" not in text
    checked = run_reqctl(people, "check")
    assert checked.code == 0, checked.out + checked.err
    shown = json.loads(run_reqctl(people, "req", "show", "REQ-001", "--json").out)
    assert shown["owner"] == PM and shown["approval_state"] == "approved"


def test_config_person_name_is_case_insensitive_and_falls_back(people: Path) -> None:
    from reqctl.store.store import Store

    config = Store.open(people).config()
    assert config.person_name(PM) == "Zhang Wei"
    assert config.person_name(f"  {CUSTOMER.upper()} ") == "王芳"
    assert config.person_name(UNKNOWN) == UNKNOWN
    assert config.person_name(None) == ""
    person = config.person(CUSTOMER)
    assert person is not None and person.organisation == "客户方" and person.im == "wechat:wangfang"


def test_terminal_shows_names(people: Path) -> None:
    listed = run_reqctl(people, "risk", "list")
    assert "王芳" in listed.out and UNKNOWN in listed.out and CUSTOMER not in listed.out
    shown = run_reqctl(people, "req", "show", "REQ-001")
    assert "owner: Zhang Wei" in shown.out
    assert "customer: 王芳 on" in shown.out
    meeting = run_reqctl(people, "meeting", "show", "MTG-001")
    assert "attendees: Zhang Wei, 王芳" in meeting.out
    assert "Send data — 王芳" in meeting.out
    status = run_reqctl(people, "report", "status", "--until", "2026-12-01")
    assert "王芳" in status.out and CUSTOMER not in status.out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reports_show_names(people: Path, lang: str) -> None:
    for report in ("status", "risks", "summary"):
        for fmt in ("md", "html"):
            result = run_reqctl(people, "report", report, "-f", fmt, "--lang", lang, "--until", "2026-12-01")
            assert result.code == 0, result.err
            assert CUSTOMER not in result.out and PM not in result.out, (report, fmt)
    risks = run_reqctl(people, "report", "risks", "--lang", lang).out
    assert "| 王芳 |" in risks and f"| {UNKNOWN} |" in risks
    summary = run_reqctl(people, "report", "summary", "--lang", lang).out
    assert "王芳" in summary  # the feedback's 'from'


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_srs_signature_lines_and_approvals_show_names(people: Path, lang: str) -> None:
    md = run_reqctl(people, "doc", "srs", "--lang", lang)
    assert md.code == 0, md.err
    assert "| 王芳 |" in md.out  # the approver (signature) line
    assert "王芳" in md.out.split("REQ-001 Login")[1]  # who approved the requirement
    assert CUSTOMER not in md.out
    html = run_reqctl(people, "doc", "srs", "-f", "html", "--lang", lang).out
    assert "王芳" in html and CUSTOMER not in html


def test_json_keeps_emails_and_carries_the_directory(people: Path) -> None:
    data = json.loads(run_reqctl(people, "report", "status", "-f", "json").out)
    assert data["people"][CUSTOMER] == "王芳"
    assert data["people"][PM] == "Zhang Wei"  # keys are lower-cased
    assert any(r["owner"] == CUSTOMER for r in data["top_risks"])


def test_site_pages_show_names(people: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = run_reqctl(people, "publish", str(site))
    assert result.code == 0, result.err
    req = (site / "items" / "REQ-001.html").read_text(encoding="utf-8")
    assert "Zhang Wei" in req and "王芳" in req and PM not in req and CUSTOMER not in req
    meeting = (site / "items" / "MTG-001.html").read_text(encoding="utf-8")
    assert "Zhang Wei, 王芳" in meeting


def test_a_person_without_a_name_is_refused(project: Path) -> None:
    write_config(project, f"people:\n  {PM}: {{organisation: Vendor}}\n")
    result = run_reqctl(project, "check")
    assert result.code == 2
    assert "reqctl.yaml" in result.err and "name" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_change_show_names_the_requester(people: Path) -> None:
    proposed = run_reqctl(people, "change", "propose", "Login by SSO", "--affects", "REQ-001",
                          "--requested-by", CUSTOMER)
    assert proposed.code == 0, proposed.err
    shown = run_reqctl(people, "change", "show", "CR-001")
    assert shown.code == 0, shown.err
    assert "requested_by: 王芳" in shown.out and CUSTOMER not in shown.out
    assert json.loads(run_reqctl(people, "change", "show", "CR-001", "--json").out)["requested_by"] == CUSTOMER
