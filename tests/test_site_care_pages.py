"""The published site lists training sessions, support tickets and follow-up visits like every other kind,
with item pages and people shown by name (issue 10: site pages for the after-delivery kinds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CUSTOMER, PM, git, run_reqctl, write_item

PEOPLE = (
    "people:\n"
    f"  {PM}: {{name: 王芳, organisation: Vendor}}\n"
    f"  {CUSTOMER}: {{name: Zhang Wei, organisation: Customer}}\n"
)


@pytest.fixture
def cared(project: Path) -> Path:
    config = project / "reqctl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + PEOPLE, encoding="utf-8")
    write_item(project, "requirements", "REQ-001", "title: Login\nstatus: draft")
    write_item(project, "trainings", "TRN-001",
               f"title: Key-user training\ndate: 2026-11-18\ntrainer: {PM}\naudience: [finance]\n"
               "attendance: 12\nscore: 4\nrelates: [REQ-001]", "Two hours on posting.\n")
    write_item(project, "support", "SUP-001",
               f"title: Cannot log in\nreported: 2026-11-20\nfrom: {CUSTOMER}\nseverity: high\nstatus: open",
               "Since the update.\n")
    write_item(project, "followups", "FUP-001",
               f"title: Quarterly visit\ndate: 2026-11-25\ncontact: {CUSTOMER}\nchannel: visit\nsatisfaction: 5\n"
               "next_visit: 2027-02-25")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "after delivery")
    return project


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", {"trainings.html": ("Training sessions", "王芳, 12 attended · 4/5"),
            "support.html": ("Support tickets", "Zhang Wei"),
            "followups.html": ("Follow-up visits", "Zhang Wei · visit · 5/5 · next 25 Feb 2027")}),
    ("zh", {"trainings.html": ("培训记录", "王芳，出席 12 人 · 4/5"),
            "support.html": ("支持工单", "高 · Zhang Wei"),
            "followups.html": ("回访记录", "Zhang Wei · 上门拜访 · 5/5 · 下次回访 2027年2月25日")}),
])
def test_site_lists_and_item_pages_for_care_kinds(
    cared: Path, tmp_path: Path, lang: str, expected: dict[str, tuple[str, str]]
) -> None:
    site = tmp_path / "site"
    result = run_reqctl(cared, "publish", str(site), "--lang", lang)
    assert result.code == 0, result.err
    index = (site / "index.html").read_text(encoding="utf-8")
    for page, (heading, detail) in expected.items():
        html = (site / page).read_text(encoding="utf-8")
        assert f"<h1>{heading}</h1>" in html and detail in html, (page, html)
        assert f'href="{page}"' in index
    training = (site / "items" / "TRN-001.html").read_text(encoding="utf-8")
    assert "王芳" in training and PM not in training and "Two hours on posting." in training
    assert 'href="../items/REQ-001.html"' in training
    ticket = (site / "items" / "SUP-001.html").read_text(encoding="utf-8")
    assert "Zhang Wei" in ticket and CUSTOMER not in ticket
    visit = (site / "items" / "FUP-001.html").read_text(encoding="utf-8")
    assert "Zhang Wei" in visit
    requirement = (site / "items" / "REQ-001.html").read_text(encoding="utf-8")
    assert "TRN-001" in requirement  # referenced by the training session
