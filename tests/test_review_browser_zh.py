"""The README's pictures of customer review in Chinese: a real 'reqctl serve' of a zh project in headless Chromium.

The operator's terminal is English (``LANG=en_US.UTF-8``): the server's own
lines are English, the customer's pages Chinese (the project's language).
The customer approves a requirement and asks for changes to another; the
read-only site's 客户评审 page then lists both.  Saves docs/review-page-zh.png
and docs/reviews-zh.png.  Skips like test_site_browser when Chromium or
playwright is missing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import CUSTOMER, PM, git, run_reqctl, write_item
from tests.review_fixtures import RECORDER, invite
from tests.test_review_browser import _free_port, _wait
from tests.test_site_browser import ARGS, CHROMIUM, DOCS, _browser_or_skip

pytest.importorskip("uvicorn")


def _zh_project(root: Path) -> Path:
    """A small Chinese project: two requirements and a CR waiting for the customer, people with names."""
    (root / "reqctl.yaml").write_text(
        "name: 江南精密 ERP 二期\n"
        "customer: 江南精密\n"
        "language: zh\n"
        "milestones:\n"
        "  - {id: M1, title: 试运行, date: 2026-12-15}\n"
        "roles:\n"
        f"  pm: [{PM}]\n"
        f"  customer: [{CUSTOMER}]\n"
        "approvals:\n"
        "  requirement: [customer]\n"
        "  change: [customer, pm]\n"
        "people:\n"
        f"  {PM}: {{name: 王磊, organisation: 云杉软件}}\n"
        f"  {CUSTOMER}: {{name: 陈静, organisation: 江南精密信息部}}\n"
        f"review: {{recorder: {RECORDER}, recorder_name: 评审服务器}}\n",
        encoding="utf-8",
    )
    write_item(root, "requirements", "REQ-001", "title: 订单导出\nstatus: proposed\npriority: must\nmilestone: M1\n"
               "acceptance:\n  - 每晚生成包含全部订单的 CSV 文件\n  - 导出失败时邮件通知管理员\n",
               "财务部每天早上需要前一天的**全部订单**，用于对账。\n")
    write_item(root, "requirements", "REQ-002", "title: 登录\nstatus: proposed\npriority: should\n"
               "acceptance:\n  - 支持用户名、密码和动态口令登录\n", "员工使用公司账号登录系统。\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "需求")
    proposed = run_reqctl(root, "change", "propose", "订单每周也导出一次", "--affects", "REQ-001")
    assert proposed.code == 0, proposed.err
    text = (root / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
    (root / "requirements" / "REQ-001.md").write_text(text.replace("每天早上", "每天早上和每周一"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "CR-001：每周导出")
    assessed = run_reqctl(root, "change", "assess", "CR-001", "--effort-days", "1.5", "--schedule-days", "2",
                          "--cost", "3000", "--risk", "low", "--summary", "增加一个每周定时任务")
    assert assessed.code == 0, assessed.err
    git(root, "switch", "-q", "main")
    return root


@pytest.mark.slow
def test_chinese_review_pages_in_chromium(project: Path) -> None:
    sync_playwright = _browser_or_skip()
    repo = _zh_project(project)
    port = _free_port()
    secret = invite(repo, CUSTOMER, "--base-url", f"http://127.0.0.1:{port}")
    env = {**os.environ, "LANG": "en_US.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    server = subprocess.Popen(
        [sys.executable, "-m", "reqctl", "serve", "--port", str(port)],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/", server)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="zh-CN")
            errors: list[str] = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            page.goto(f"{base}/r/{secret}")
            assert page.locator("h1").inner_text() == "待您评审"
            assert "当前用户：陈静" in page.locator("header").inner_text()
            assert page.locator("section.review").count() == 3
            first = page.locator("#requirement-REQ-001-customer")
            assert "需求 · 您的角色：客户 · 待您批准" in first.inner_text()
            assert "优先级：必须 · 状态：待确认" in first.inner_text()
            cr = page.locator("#change-CR-001-customer").inner_text()
            assert "影响评估" in cr and "工期影响（天）" in cr and "此变更请求在其分支上的修改：" in cr
            page.screenshot(path=str(DOCS / "review-page-zh.png"), full_page=False)

            page.locator("#requirement-REQ-001-customer button.approve").click()
            assert page.locator(".notice").inner_text() == "已以客户身份批准 REQ-001。"
            page.fill("#requirement-REQ-002-customer textarea", "请同时支持企业微信扫码登录。")
            page.locator("#requirement-REQ-002-customer button.request").click()
            assert page.locator(".notice").inner_text() == "您对 REQ-002 的意见已记录为 REV-001。"

            page.set_viewport_size({"width": 1100, "height": 420})
            page.goto(f"{base}/site/reviews.html")
            assert page.locator("h1").inner_text() == "客户评审"
            listed = page.locator("#items").inner_text()
            assert "请同时支持企业微信扫码登录。" in listed and "要求修改" in listed and "批准" in listed
            assert "陈静" in listed
            page.screenshot(path=str(DOCS / "reviews-zh.png"), full_page=False)

            replay = browser.new_page()
            replay.goto(f"{base}/r/{secret}")
            assert "此评审链接已被使用过，请向项目经理索取新的链接" in replay.content()
            assert errors == []
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            out, err = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            out, err = server.communicate()
    assert server.returncode == 0, err
    assert "reviews of 江南精密 ERP 二期 at http://127.0.0.1:" in out  # the operator's own line: English
    assert secret not in out + err and "Traceback" not in err
    check = run_reqctl(repo, "check")
    assert check.code == 0, check.out + check.err
