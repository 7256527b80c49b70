"""Files written by hand keep their comments, key order, quoting and line endings when reqctl edits them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import CUSTOMER, run_reqctl

HAND_WRITTEN = """---
# Requirement from the kickoff workshop
title: 'Customer can export invoices'   # agreed with Bob
id: REQ-001
priority: "must"
status: draft   # not yet discussed
acceptance:
- "Export finishes within 3 s"
- 'Name carries the number'
depends_on: []   # none yet
owner: alice@example.com
x-jira: "PORTAL-17"
---
Body text stays.

---

A horizontal rule above is part of the body.
"""


def fingerprint_of(project: Path, item_id: str) -> str:
    result = run_reqctl(project, "req", "show", item_id, "--json")
    assert result.code == 0, result.err
    return str(json.loads(result.out)["fingerprint"])


def test_status_change_keeps_comments_order_and_quotes(project: Path) -> None:
    path = project / "requirements" / "REQ-001.md"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    result = run_reqctl(project, "req", "status", "REQ-001", "proposed")
    assert result.code == 0, result.err
    # Only the value changed; ruamel keeps the comment's column when the value fits.
    expected = HAND_WRITTEN.replace("status: draft   # not", "status: proposed # not")
    assert path.read_text(encoding="utf-8") == expected


def test_approve_keeps_everything_and_appends_the_record(project: Path) -> None:
    path = project / "requirements" / "REQ-001.md"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    fingerprint = fingerprint_of(project, "REQ-001")
    result = run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER)
    assert result.code == 0, result.err
    today = dt.date.today().isoformat()
    expected = HAND_WRITTEN.replace("status: draft   # not", "status: approved # not").replace(
        'x-jira: "PORTAL-17"\n',
        f'x-jira: "PORTAL-17"\napprovals:\n- by: {CUSTOMER}\n  role: customer\n  at: {today}\n'
        f"  fingerprint: {fingerprint}\n",
    )
    assert path.read_text(encoding="utf-8") == expected
    # Unknown field is only a warning; the approval is valid.
    check = run_reqctl(project, "check")
    assert check.code == 0, check.out
    assert "R003" not in check.out  # x-* fields are custom on purpose (R003 ignores them)


def test_reapproval_migrates_the_legacy_record_in_place(project: Path) -> None:
    path = project / "requirements" / "REQ-001.md"
    path.write_text(
        "---\n"
        "id: REQ-001\n"
        "title: Old title  # changed later\n"
        "status: approved\n"
        "acceptance:\n"
        "  - 'works'\n"
        "approval:\n"
        f"  by: {CUSTOMER}\n"
        "  at: 2026-01-01\n"
        "  fingerprint: sha256:0000\n"
        "milestone: M1  # after the approval, on purpose\n"
        "---\n"
        "Body.\n",
        encoding="utf-8",
    )
    fingerprint = fingerprint_of(project, "REQ-001")
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    today = dt.date.today().isoformat()
    assert path.read_text(encoding="utf-8") == (
        "---\n"
        "id: REQ-001\n"
        "title: Old title  # changed later\n"
        "status: approved\n"
        "acceptance:\n"
        "  - 'works'\n"
        "approvals:\n"
        f"  - by: {CUSTOMER}\n"
        "    role: customer\n"
        f"    at: {today}\n"
        f"    fingerprint: {fingerprint}\n"
        "milestone: M1  # after the approval, on purpose\n"
        "---\n"
        "Body.\n"
    )


def test_crlf_files_stay_crlf(project: Path) -> None:
    path = project / "requirements" / "REQ-002.md"
    original = (
        "---\r\n"
        "id: REQ-002\r\n"
        'title: "CRLF file"\r\n'
        "status: proposed\r\n"
        "acceptance:\r\n"
        '  - "one"   # first\r\n'
        "  - two\r\n"
        "tags: [a, b]\r\n"
        "---\r\n"
        "Body line\r\n"
        "second\r\n"
    )
    path.write_bytes(original.encode("utf-8"))
    fingerprint = fingerprint_of(project, "REQ-002")
    assert run_reqctl(project, "approve", "REQ-002", "--by", CUSTOMER).code == 0
    today = dt.date.today().isoformat()
    expected = original.replace("status: proposed", "status: approved").replace(
        "tags: [a, b]\r\n",
        f"tags: [a, b]\r\napprovals:\r\n  - by: {CUSTOMER}\r\n    role: customer\r\n    at: {today}\r\n"
        f"    fingerprint: {fingerprint}\r\n",
    )
    raw = path.read_bytes()
    assert raw == expected.encode("utf-8")
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert run_reqctl(project, "req", "status", "REQ-002", "implemented").code == 0
    raw = path.read_bytes()
    assert raw == expected.replace("status: approved", "status: implemented").encode("utf-8")
    assert run_reqctl(project, "check").code == 0


def test_byte_order_mark_is_kept(project: Path) -> None:
    path = project / "requirements" / "REQ-003.md"
    path.write_bytes(b"\xef\xbb\xbf---\nid: REQ-003\ntitle: With BOM\nstatus: draft\n---\nBody\n")
    assert run_reqctl(project, "req", "status", "REQ-003", "proposed").code == 0
    assert path.read_bytes() == (b"\xef\xbb\xbf---\nid: REQ-003\ntitle: With BOM\nstatus: proposed\n---\nBody\n")


def test_cjk_text_is_kept_verbatim(project: Path) -> None:
    path = project / "requirements" / "REQ-004.md"
    text = (
        "---\n"
        "id: REQ-004\n"
        "title: 客户可以导出发票  # 与客户确认\n"
        "status: draft\n"
        "acceptance:\n"
        "  - 三秒内完成导出\n"
        "---\n"
        "财务人员需要把发票发给审计。\n"
    )
    path.write_text(text, encoding="utf-8")
    assert run_reqctl(project, "req", "status", "REQ-004", "proposed").code == 0
    assert path.read_text(encoding="utf-8") == text.replace("status: draft", "status: proposed")


def test_req_edit_keeps_crlf(project: Path, tmp_path: Path) -> None:
    """Found while testing: `req edit` used to rewrite a CRLF file with LF endings."""
    import sys

    path = project / "requirements" / "REQ-005.md"
    path.write_bytes(b"---\r\nid: REQ-005\r\ntitle: crlf  # keep\r\n---\r\nbody\r\n")
    script = tmp_path / "ed.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_bytes(p.read_bytes().replace(b'body', b'new body'))\n",
        encoding="utf-8",
    )
    result = run_reqctl(project, "req", "edit", "REQ-005", env={"EDITOR": f"{sys.executable} {script}", "VISUAL": ""})
    assert result.code == 0, result.err
    assert path.read_bytes() == b"---\r\nid: REQ-005\r\ntitle: crlf  # keep\r\n---\r\nnew body\r\n"
