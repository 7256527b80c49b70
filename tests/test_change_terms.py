"""Change requests in a PM's terms: person-days, schedule days, cost with currency, 'baselined', and the
requirement a merged CR sets back from delivered to approved (issue 10 point 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CUSTOMER, git, run_reqctl, write_item
from test_change_workflow import BRANCH, approved, edit_login, propose
from test_gitio import commit_all, person

__all__ = ["approved"]  # the fixture, imported for its side effect of being available here


def assess(root: Path, *extra: str) -> None:
    result = run_reqctl(root, "change", "assess", "CR-001", "--effort-days", "8", "--schedule-days", "5",
                        "--cost", "12000", "--currency", "CNY", "--risk", "medium", *extra)
    assert result.code == 0, result.err


def approve_both(root: Path) -> None:
    assert run_reqctl(root, "change", "approve", "CR-001").code == 0
    result = run_reqctl(root, "change", "approve", "CR-001", "--by", CUSTOMER, env=person(CUSTOMER))
    assert result.code == 0, result.err


def test_assess_writes_effort_schedule_and_cost_with_currency(approved: Path) -> None:
    propose(approved)
    assess(approved)
    text = (approved / "changes" / "CR-001.md").read_text(encoding="utf-8")
    assert "  schedule_days: 5\n  effort_days: 8\n  cost:\n    amount: 12000\n    currency: CNY\n" in text
    shown = run_reqctl(approved, "change", "show", "CR-001", env={"COLUMNS": "120"}).out
    assert "effort_days: 8" in shown and "schedule_days: 5" in shown and "cost: 12000 CNY" in shown
    csv = run_reqctl(approved, "change", "list", "--format", "csv").out.splitlines()
    assert csv[0].endswith(",effort_days,schedule_days,cost") and csv[1].endswith(",8,5,12000 CNY")
    table = run_reqctl(approved, "change", "list", env={"COLUMNS": "200"}).out
    assert "12000 CNY" in table and "effort_days" in table and "customer· pm·" in table
    zh = run_reqctl(approved, "--lang", "zh", "change", "list", env={"COLUMNS": "200"}).out
    assert "工作量（人天）" in zh and "工期影响（天）" in zh and "费用" in zh and "12000 CNY" in zh
    assert "客户· 项目经理·" in zh and "customer" not in zh and "effort_days" not in zh
    zh_csv = run_reqctl(approved, "--lang", "zh", "change", "list", "--format", "csv").out  # CSV keeps the keys
    assert zh_csv.splitlines()[0].endswith(",effort_days,schedule_days,cost") and "customer· pm·" in zh_csv
    data = json.loads(run_reqctl(approved, "change", "list", "--json").out)[0]
    assert data["impact"] == {"schedule_days": 5, "effort_days": 8, "cost": {"amount": 12000, "currency": "CNY"},
                              "risk": "medium"}
    # a later --cost without --currency keeps the CR's currency
    assert run_reqctl(approved, "change", "assess", "CR-001", "--cost", "15000").code == 0
    assert "    amount: 15000\n    currency: CNY\n" in (approved / "changes" / "CR-001.md").read_text(encoding="utf-8")


def test_cost_without_currency_takes_the_budget_currency(approved: Path) -> None:
    config = approved / "reqctl.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "budget: {currency: CNY, planned: 300000}\n",
                      encoding="utf-8")
    commit_all(approved, "budget")
    propose(approved)
    assert run_reqctl(approved, "change", "assess", "CR-001", "--cost", "800").code == 0
    assert "  cost:\n    amount: 800\n    currency: CNY\n" in (
        approved / "changes" / "CR-001.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (("--cost", "100", "--currency", "yuan"), "error: --currency yuan: use a three-letter ISO 4217 code"),
    (("--currency", "CNY"), "error: --currency goes with --cost AMOUNT"),
    (("--effort-days", "-1"), "error: --effort-days -1: person-days cannot be negative"),
])
def test_assess_refuses_bad_values_and_writes_nothing(approved: Path, args: tuple[str, ...], message: str) -> None:
    propose(approved)
    before = (approved / "changes" / "CR-001.md").read_bytes()
    head = git(approved, "rev-parse", "HEAD")
    result = run_reqctl(approved, "change", "assess", "CR-001", *args)
    assert result.code == 2 and result.err.startswith(message), result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert (approved / "changes" / "CR-001.md").read_bytes() == before
    assert git(approved, "rev-parse", "HEAD") == head


@pytest.mark.parametrize(("cost", "message"), [
    ("{amount: 5, currency: yuan}", "impact.cost: currency 'yuan' is not a three-letter ISO 4217 code"),
    ("{amount: 5, currency: CNY, rate: 7}", "impact.cost: unknown key 'rate'"),
    ("{amount: lots, currency: CNY}", "impact.cost: amount 'lots' is not a number"),
    ("12000 CNY", "impact.cost: '12000 CNY' is not a cost: write a number, or {amount: 12000, currency: CNY}"),
])
def test_check_names_file_line_and_what_is_wrong_with_a_cost(project: Path, cost: str, message: str) -> None:
    write_item(project, "requirements", "REQ-001", "title: Login")
    write_item(project, "changes", "CR-001",
               f"title: SSO\nstatus: assessed\naffects: [REQ-001]\nimpact:\n  schedule_days: 2\n  cost: {cost}")
    result = run_reqctl(project, "check")
    assert result.code == 1
    line = next(x for x in result.out.splitlines() if x.startswith("changes/CR-001.md:"))
    assert line.startswith("changes/CR-001.md:6: error R002 ") and message in line, result.out
    assert sum("CR-001" in x for x in result.out.splitlines()) == 1


def _deliver(root: Path) -> None:
    """REQ-001 (approved by the customer) is implemented on the main line, before this week."""
    path = root / "requirements" / "REQ-001.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: approved", "status: implemented"), encoding="utf-8")
    commit_all(root, "REQ-001 implemented", when="2026-10-03T09:00:00+00:00")


def test_merged_cr_returns_a_delivered_requirement_to_approved(approved: Path) -> None:
    root = approved
    _deliver(root)
    propose(root)
    edit_login(root)
    assess(root)
    approve_both(root)
    merged = run_reqctl(root, "change", "merge", "CR-001")
    assert merged.code == 0, merged.err
    assert "REQ-001 returned to approved (delivery no longer complete)" in merged.out
    req = (root / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    assert "status: approved" in req and "change: CR-001" in req
    assert "status: baselined" in (root / "changes" / "CR-001.md").read_text(encoding="utf-8")
    assert "REQ-001 returned to approved: delivery no longer complete" in git(root, "log", "-1", "--format=%B")
    assert git(root, "status", "--porcelain") == ""
    assert run_reqctl(root, "check").code == 0
    assert run_reqctl(root, "check", "--verify-approvals").code == 0

    weekly = run_reqctl(root, "report", "weekly").out
    assert "- **REQ-001** returned to approved by CR-001: delivery no longer complete (Login with SSO)" in weekly
    assert "- Change requests: 1 opened, 1 approved, 1 baselined." in weekly
    assert "8 person-days, CNY 12,000" in weekly
    data = json.loads(run_reqctl(root, "report", "weekly", "--format", "json").out)
    assert [r["id"] for r in data["returned_to_approved"]] == ["REQ-001"]
    assert data["returned_to_approved"][0]["by_change"] == "CR-001"
    assert "REQ-001" not in [r["id"] for r in data["activity"]["requirements"]["approved"]]  # not progress
    zh = run_reqctl(root, "report", "weekly", "--lang", "zh").out
    assert "- **REQ-001** 因 CR-001 退回“已批准”：交付不再完整（Login with SSO）" in zh
    assert "纳入基线 1 项" in zh and "工作量 8 人天" in zh and "1.2 万元" in zh
    html = run_reqctl(root, "report", "weekly", "--format", "html").out
    assert "returned to approved by" in html and "delivery no longer complete" in html
    zh_html = run_reqctl(root, "report", "weekly", "--format", "html", "--lang", "zh").out
    assert "退回“已批准”——交付不再完整" in zh_html


def test_unchanged_delivered_requirement_keeps_its_status(approved: Path) -> None:
    """A CR that lists a requirement but does not change it leaves its delivery alone."""
    root = approved
    _deliver(root)
    propose(root, "--no-branch")
    assess(root)
    approve_both(root)
    done = run_reqctl(root, "change", "merge", "CR-001")
    assert done.code == 0, done.err
    assert "returned to approved" not in done.out
    assert "status: implemented" in (root / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    again = run_reqctl(root, "change", "approve", "CR-001")
    assert again.code == 2 and "CR-001 is baselined; there is nothing to approve" in again.err


def test_old_implemented_status_reads_as_baselined_and_keeps_approvals(approved: Path) -> None:
    root = approved
    propose(root)
    edit_login(root)
    assess(root)
    approve_both(root)
    assert run_reqctl(root, "change", "merge", "CR-001").code == 0
    path = root / "changes" / "CR-001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: baselined", "status: implemented"),
                    encoding="utf-8")
    commit_all(root, "as an older reqctl wrote it")
    check = run_reqctl(root, "check")
    assert check.code == 0, check.out  # R014 holds, no approval went stale
    listed = json.loads(run_reqctl(root, "change", "list", "--status", "implemented", "--json").out)
    assert [(c["id"], c["status"]) for c in listed] == [("CR-001", "baselined")]
    assert [r["role"] for r in listed[0]["roles"] if r["state"] == "approved"] == ["customer", "pm"]
    summary = run_reqctl(root, "report", "summary", "--lang", "zh").out
    assert "**CR-001** Add single sign-on — 纳入基线，工作量 8 人天，工期 +5 天，费用 1.2 万元" in summary
    en = run_reqctl(root, "report", "summary").out
    assert "**CR-001** Add single sign-on — baselined, 8 person-days, 5 days later, CNY 12,000" in en
    assert "Accepted changes added 5 days, 8 person-days of work and CNY 12,000." in en


def test_site_shows_effort_schedule_cost_and_baselined(approved: Path, tmp_path: Path) -> None:
    root = approved
    propose(root, "--no-branch")
    assess(root)
    approve_both(root)
    assert run_reqctl(root, "change", "merge", "CR-001").code == 0
    for lang, expected in (("en", ("<dt>effort</dt><dd>8 person-days</dd>", "<dd>CNY 12,000</dd>", "baselined")),
                           ("zh", ("<dt>工作量</dt><dd>8 人天</dd>", "<dd>1.2 万元</dd>", "纳入基线"))):
        site = tmp_path / f"site-{lang}"
        assert run_reqctl(root, "publish", str(site), "--lang", lang).code == 0
        page = next(site.rglob("CR-001.html")).read_text(encoding="utf-8")
        for text in expected:
            assert text in page, (lang, text)
    assert BRANCH  # the workflow's branch name is shared with test_change_workflow


def test_the_change_flow_speaks_chinese(approved: Path) -> None:
    """With --lang zh every step of a CR's life answers in Chinese; IDs and commits stay as they are."""
    root = approved
    _deliver(root)
    proposed = run_reqctl(root, "--lang", "zh", "change", "propose", "Add single sign-on", "--affects", "REQ-001",
                          "--requested-by", CUSTOMER)
    assert proposed.code == 0, proposed.err
    assert "CR-001 已在新分支" in proposed.out and "当前已切换到该分支" in proposed.out
    edit_login(root)
    assessed = run_reqctl(root, "--lang", "zh", "change", "assess", "CR-001", "--effort-days", "8")
    assert assessed.code == 0 and "CR-001 已完成影响评估（提交 " in assessed.out
    first = run_reqctl(root, "--lang", "zh", "change", "approve", "CR-001")
    assert first.code == 0 and "身份批准（提交 " in first.out and "；还需：" in first.out
    second = run_reqctl(root, "--lang", "zh", "change", "approve", "CR-001", "--by", CUSTOMER, env=person(CUSTOMER))
    assert second.code == 0 and "；可以合并" in second.out, second.out
    merged = run_reqctl(root, "--lang", "zh", "change", "merge", "CR-001")
    assert merged.code == 0, merged.err
    assert "已合并到" in merged.out and "REQ-001 退回“已批准”（交付不再完整）" in merged.out
