"""Customer review decisions (review records and review-link approvals) in reports and on the site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import CUSTOMER, git, run_reqctl
from tests.review_fixtures import invite, review_project

pytest.importorskip("starlette")
from tests.test_review_server import _client, _form, _login

TODAY = dt.date.today().isoformat()
SHOWN = f"{dt.date.today().day} {dt.date.today():%b %Y}"  # as reports print dates
PEOPLE = f"people:\n  {CUSTOMER}: {{name: Wang Fang, organisation: Customer}}\n"


@pytest.fixture
def reviewed(project: Path) -> Path:
    """REQ-001 approved and REQ-002 sent back with a comment, both through the review server."""
    repo = review_project(project, change=False)
    with (repo / "reqctl.yaml").open("a", encoding="utf-8") as out:
        out.write(PEOPLE)
    git(repo, "commit", "-q", "-am", "people")
    client = _client(repo)
    page = _login(client, invite(repo))
    assert client.post("/approve", data=_form(page, "REQ-001")).status_code == 303
    page = client.get("/").text
    data = {**_form(page, "REQ-002"), "comment": "Please add <b>SSO</b> as well.\nAnd *TOTP*."}
    assert client.post("/request-changes", data=data).status_code == 303
    return repo


def _report(repo: Path, name: str, *args: str) -> str:
    result = run_reqctl(repo, "report", name, *args)
    assert result.code == 0, result.err
    return result.out


def test_weekly_and_status_reports_list_the_customer_review(reviewed: Path) -> None:
    weekly = _report(reviewed, "weekly", "--until", TODAY)
    assert "## Customer review" in weekly
    assert (f"- {SHOWN} · **REQ-002** Log in — changes requested by Wang Fang (customer), REV-001: "
            "“Please add \\<b\\>SSO\\</b\\> as well. And \\*TOTP\\*.”") in weekly
    assert f"- {SHOWN} · **REQ-001** Export orders — approved by Wang Fang (customer)\n" in weekly
    assert CUSTOMER not in weekly.split("## Customer review", 1)[1]
    status = _report(reviewed, "status", "--format", "md")
    assert "## Customer review" in status and "REV-001" in status and "Wang Fang" in status
    old = _report(reviewed, "weekly", "--since", "2020-01-01", "--until", "2020-01-07")
    assert "No customer review decisions in this period." in old


def test_chinese_reports_and_html(reviewed: Path) -> None:
    weekly = _report(reviewed, "weekly", "--until", TODAY, "--lang", "zh")
    assert "## 客户评审" in weekly
    assert "· **REQ-002** Log in — Wang Fang（客户）要求修改，REV-001：" in weekly
    assert "Wang Fang（客户）批准" in weekly and "customer" not in weekly.split("## 客户评审", 1)[1]
    html = _report(reviewed, "status", "--format", "html")
    assert "<h2>Customer review</h2>" in html
    assert "<blockquote>Please add &lt;b&gt;SSO&lt;/b&gt; as well.\nAnd *TOTP*.</blockquote>" in html
    zh = _report(reviewed, "weekly", "--until", TODAY, "--format", "html", "--lang", "zh")
    assert "<h2>客户评审</h2>" in zh and "要求修改</span>" in zh and "Wang Fang（客户）" in zh


def test_the_site_shows_reviews_and_ships_the_filter_as_a_file(reviewed: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run_reqctl(reviewed, "publish", str(out))
    assert result.code == 0, result.err
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="reviews.html">Reviews</a>' in index
    listing = (out / "reviews.html").read_text(encoding="utf-8")
    assert '<a href="items/REV-001.html">REV-001</a>' in listing and "Wang Fang (customer)" in listing
    assert '<span id="count">2</span> of 2 shown' in listing
    assert "Please add &lt;b&gt;SSO&lt;/b&gt; as well." in listing and CUSTOMER not in listing
    assert '<a href="items/REQ-001.html">REQ-001</a> Export orders' in listing
    page = (out / "items" / "REV-001.html").read_text(encoding="utf-8")
    assert '<h1>REV-001 · <a href="../items/REQ-002.html">REQ-002</a> Log in</h1>' in page
    assert "<p>Please add &lt;b&gt;SSO&lt;/b&gt; as well.\nAnd <em>TOTP</em>.</p>" in page and "<b>" not in page
    item = (out / "items" / "REQ-002.html").read_text(encoding="utf-8")
    assert "<h2>Reviews</h2>" in item and '<a href="../items/REV-001.html">REV-001</a>' in item
    approved = (out / "items" / "REQ-001.html").read_text(encoding="utf-8")
    assert "<h2>Reviews</h2>" in approved and '<span class="badge approved">approved</span> Wang Fang' in approved
    # The list filter is a static file: no page carries an inline script.
    assert (out / "assets" / "filter.js").read_text(encoding="utf-8").startswith("// reqctl site")
    for html in out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "<script>" not in text and "<script " not in text.replace('<script src="', ""), html
    assert '<script src="assets/filter.js"></script>' in (out / "requirements.html").read_text(encoding="utf-8")
    zh = tmp_path / "zh"
    assert run_reqctl(reviewed, "publish", str(zh), "--lang", "zh").code == 0
    assert "<h2>客户评审</h2>" in (zh / "items" / "REQ-002.html").read_text(encoding="utf-8")


def test_the_review_server_ships_the_filter_under_its_csp(reviewed: Path) -> None:
    client = _client(reviewed)
    _login(client, invite(reviewed))
    script = client.get("/site/assets/filter.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    csp = script.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    listing = client.get("/site/requirements.html")
    assert '<script src="assets/filter.js"></script>' in listing.text


def test_the_chinese_site_lists_reviews_with_chinese_roles_and_count(reviewed: Path, tmp_path: Path) -> None:
    config = reviewed / "reqctl.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: zh"), encoding="utf-8")
    out = tmp_path / "site"
    result = run_reqctl(reviewed, "publish", str(out))
    assert result.code == 0, result.err
    listing = (out / "reviews.html").read_text(encoding="utf-8")
    assert "Wang Fang（客户）" in listing and "(customer)" not in listing
    assert '显示 <span id="count">2</span> 条，共 2 条' in listing
