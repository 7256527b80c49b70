"""Customer review in Chinese: the review pages of a zh project, review invite/list/revoke, G001/G002 reasons.

The review page is a deliverable for the customer: it speaks the project's
``language:``, whatever the operator's terminal says.  The CLI's own lines
(invite, revoke, serve) follow the run's language (``--lang``, ``LANG``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import CUSTOMER, run_reqctl
from tests.review_fixtures import LINK, invite, review_project

from reqctl.messages import using

pytest.importorskip("starlette")
from starlette.testclient import TestClient

from reqctl.review.app import create_app

TOKEN = re.compile(r'name="token" value="([^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _form(page: str, kind: str, item_id: str, role: str = "customer") -> dict[str, str]:
    section = page.split(f'id="{kind}-{item_id}-{role}"', 1)[1]
    return {"csrf": CSRF.search(page).group(1), "kind": kind, "id": item_id, "role": role,  # type: ignore[union-attr]
            "token": TOKEN.search(section).group(1)}  # type: ignore[union-attr]


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_the_review_pages_of_a_chinese_project_are_chinese(project: Path) -> None:
    repo = review_project(project, language="zh")
    with using("en"):  # the operator's terminal speaks English: the customer's page does not follow it
        client = TestClient(create_app(repo), follow_redirects=False)
    assert "请打开您收到的专属评审链接开始评审。" in client.get("/").text
    assert client.get("/r/" + "A" * 43).status_code == 403
    assert "此评审链接无效" in client.get("/r/" + "B" * 43).text
    secret = invite(repo)
    assert client.get(f"/r/{secret}").status_code == 303
    page = client.get("/").text
    shown = _text(page)
    assert '<html lang="zh-CN">' in page
    for words in ("<h1>待您评审</h1>", ">批准<", ">要求修改<", ">退出登录<", "项目网站（只读）",
                  "<h3>验收标准</h3>", "<h3>影响评估</h3>", "<h3>涉及的需求</h3>", "<h3>修改内容</h3>",
                  "<th>工期影响（天）</th>", "<th>成本</th>", "<td>低</td>"):
        assert words in page, words
    assert "您的角色：客户" in shown and "需求 · " in shown and "变更请求 · " in shown
    assert "优先级：必须" in shown and "状态：待确认" in shown and "待您批准" in shown
    assert "此变更请求在其分支上的修改：" in shown and "您尚未批准过此前的版本。" in shown
    assert "您的决定将以您的电子邮件地址记入项目的 git 历史。" in shown
    for english in ("Approve", "Waiting for your review", "Acceptance criteria", "customer", "proposed"):
        assert f">{english}<" not in page and f" {english} " not in shown, english

    stale = {**_form(page, "requirement", "REQ-001"), "token": "sha256:" + "0" * 64}
    refused = client.post("/approve", data=stale)
    assert refused.status_code == 409 and "您打开页面后 REQ-001 已被修改，请刷新页面" in refused.text
    assert "<h1>操作未成功</h1>" in refused.text and ">返回待评审列表<" in refused.text
    empty = client.post("/request-changes", data={**_form(page, "requirement", "REQ-002"), "comment": "  "})
    assert empty.status_code == 400 and "请在意见框中说明需要修改的内容" in empty.text
    lacking = client.post("/approve", data={k: v for k, v in _form(page, "requirement", "REQ-001").items()
                                            if k != "token"})
    assert lacking.status_code == 400 and "表单缺少“token”，请刷新页面。" in lacking.text
    forged = client.post("/approve", data={**_form(page, "requirement", "REQ-001"), "csrf": "x"})
    assert forged.status_code == 403 and "<h1>无权访问</h1>" in forged.text and "安全令牌" in forged.text

    assert client.post("/approve", data=_form(page, "requirement", "REQ-001")).status_code == 303
    assert "已以客户身份批准 REQ-001。" in client.get("/").text
    comment = {**_form(page, "requirement", "REQ-002"), "comment": "请增加单点登录。"}
    assert client.post("/request-changes", data=comment).status_code == 303
    after = client.get("/").text
    assert "您对 REQ-002 的意见已记录为 REV-001。" in after
    assert "<h3>此前的评审意见</h3>" in after and "请增加单点登录。" in after
    assert "项目网站中没有此页面。" in client.get("/site/nothing-here.html").text
    out = client.post("/logout", data={"csrf": CSRF.search(after).group(1)})  # type: ignore[union-attr]
    assert "<h1>退出登录</h1>" in out.text and "您已退出登录。" in out.text
    assert "评审会话已结束，请向项目经理索取新的链接。" in client.post("/approve", data=comment).text
    replay = client.get(f"/r/{secret}")
    assert replay.status_code == 403 and "此评审链接已被使用过，请向项目经理索取新的链接" in replay.text


def test_an_english_project_keeps_english_pages_under_a_chinese_locale(project: Path) -> None:
    repo = review_project(project, change=False)
    with using("zh"):
        client = TestClient(create_app(repo), follow_redirects=False)
    assert "Open the personal link you received" in client.get("/").text
    client.get(f"/r/{invite(repo)}")
    page = client.get("/").text
    assert "<h1>Waiting for your review</h1>" in page and ">Approve<" in page and ">Request changes<" in page
    assert "your role: <strong>customer</strong>" in page and "Status: proposed" in page
    assert "待您评审" not in page and "批准" not in page


def test_review_invite_list_and_revoke_in_chinese(project: Path) -> None:
    repo = review_project(project, language="zh", change=False)
    made = run_reqctl(repo, "review", "invite", CUSTOMER)
    assert made.code == 0, made.err
    assert f"已为 {CUSTOMER}（客户）创建评审邀请 INV-" in made.out and "请只发给本人（链接仅可使用一次）" in made.out
    assert LINK.search(made.out) and "已记入 reviews/invitations/INV-" in made.out and "（不含密钥）" in made.out
    listed = run_reqctl(repo, "review", "list")
    assert listed.code == 0 and "客户" in listed.out and "尚未打开" in listed.out and "（UTC）" in listed.out
    revoked = run_reqctl(repo, "review", "revoke", CUSTOMER)
    assert revoked.code == 0 and f"已撤销 {CUSTOMER} 的评审邀请 INV-" in revoked.out
    assert run_reqctl(repo, "review", "list").out.strip() == "没有有效的评审邀请"
    again = run_reqctl(repo, "review", "revoke", CUSTOMER)
    assert again.code == 2 and f"{CUSTOMER} 没有有效的评审邀请" in again.err and "Traceback" not in again.err
    stranger = run_reqctl(repo, "review", "invite", "eve@example.com")
    assert stranger.code == 2 and "eve@example.com 在 reqctl.yaml 中没有任何角色，请先在 roles 下添加" in stranger.err
    bad = run_reqctl(repo, "review", "invite", CUSTOMER, "--expires", "soon")
    assert bad.code == 2 and "--expires soon：请给出有效期，例如 14d、12h 或 30m" in bad.err
    english = run_reqctl(repo, "--lang", "en", "review", "invite", CUSTOMER)
    assert "invitation INV-" in english.out and f"for {CUSTOMER} (customer), valid until" in english.out
    assert "revoked INV-" in run_reqctl(repo, "--lang", "en", "review", "revoke", CUSTOMER).out
    assert "not opened yet" not in run_reqctl(repo, "--lang", "en", "review", "list").out


def test_an_english_project_reads_chinese_cli_lines_with_a_chinese_locale(project: Path) -> None:
    repo = review_project(project, change=False)
    made = run_reqctl(repo, "review", "invite", CUSTOMER, env={"LANG": "zh_CN.UTF-8"})
    assert made.code == 0 and "创建评审邀请" in made.out
    assert "invitation INV-" in run_reqctl(repo, "review", "invite", CUSTOMER).out


def test_g001_and_g002_reasons_follow_the_language(project: Path) -> None:
    """A CR approved, then the requirement edited again: the gate's reasons are translated, not only the frame."""
    from tests.test_change_workflow import assess_and_approve, edit_login, propose
    from tests.test_gitio import commit_all, requirement

    requirement(project, "REQ-001", "Login", "Users log in with a password.\n")
    commit_all(project, "requirements", when="2026-10-01T09:00:00+00:00")
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    commit_all(project, "approve REQ-001", CUSTOMER, "2026-10-02T09:00:00+00:00")
    propose(project)
    edit_login(project)
    assess_and_approve(project)
    edit_login(project, "Users log in with SSO or a password.\n")

    zh = run_reqctl(project, "--lang", "zh", "check", "--base", "main")
    assert zh.code == 1
    g001 = next(line for line in zh.out.splitlines() if "G001" in line)
    g002 = [line for line in zh.out.splitlines() if "G002" in line]
    assert "CR-001 列出了该需求，但其审批不涵盖当前内容（" in g001
    assert f"客户：{CUSTOMER} 的审批已失效（REQ-001 在审批后被修改）" in g001
    assert "项目经理：pm@example.com 的审批已失效（" in g001
    assert "；" in g001 and "changed after" not in g001 and "stale" not in g001
    assert any(f"{CUSTOMER} 以 客户 身份的审批已失效：REQ-001 在审批后被修改" in line for line in g002), g002
    assert not any("changed after" in line or "customer" in line.replace(CUSTOMER, "") for line in g002), g002

    en = run_reqctl(project, "--lang", "en", "check", "--base", "main")
    assert en.code == 1
    g001 = next(line for line in en.out.splitlines() if "G001" in line)
    assert f"customer: stale by {CUSTOMER} (REQ-001 changed after the approval); pm: stale by" in g001
    assert f"approval by {CUSTOMER} as customer is stale: REQ-001 changed after the approval" in en.out
    # the same findings read back from the check cache, in the other language
    again = run_reqctl(project, "--lang", "zh", "check", "--base", "main")
    assert "的审批已失效（REQ-001 在审批后被修改）" in again.out


def test_serve_refuses_in_the_run_language(project: Path) -> None:
    text = (project / "reqctl.yaml").read_text(encoding="utf-8").replace("language: en", "language: zh")
    (project / "reqctl.yaml").write_text(text, encoding="utf-8")
    refused = run_reqctl(project, "serve", "--port", "0")
    assert refused.code == 2
    assert "reqctl serve 需要一个用于提交审批的身份：请添加 'review: {recorder: EMAIL}'" in refused.err
    english = run_reqctl(project, "--lang", "en", "serve", "--port", "0")
    assert "reqctl serve needs the identity it commits approvals as: add 'review: {recorder: EMAIL}'" in english.err
