"""A project with a recorder, a requirement and a CR waiting for the customer, and a logged-in review client."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import CUSTOMER, git, run_reqctl, write_config, write_item

RECORDER = "reviews@example.com"
LINK = re.compile(r"/r/([A-Za-z0-9_-]{43,})")


def review_project(root: Path, *, language: str = "en", change: bool = True) -> Path:
    write_config(root, f"review: {{recorder: {RECORDER}}}\n")
    if language != "en":
        text = (root / "reqctl.yaml").read_text(encoding="utf-8").replace("language: en", f"language: {language}")
        (root / "reqctl.yaml").write_text(text, encoding="utf-8")
    write_item(root, "requirements", "REQ-001", "title: Export orders\nstatus: proposed\npriority: must\n"
               "acceptance:\n  - a CSV file with every order\n", "Orders are exported **nightly**.\n")
    write_item(root, "requirements", "REQ-002", "title: Log in\nstatus: proposed\n"
               "acceptance:\n  - password and TOTP\n", "Users log in <script>alert(1)</script>.\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "requirements")
    if change:
        result = run_reqctl(root, "change", "propose", "Export weekly too", "--affects", "REQ-001")
        assert result.code == 0, result.err
        text = (root / "requirements" / "REQ-001.md").read_text(encoding="utf-8")
        (root / "requirements" / "REQ-001.md").write_text(text.replace("**nightly**", "**nightly and weekly**"),
                                                          encoding="utf-8")
        git(root, "commit", "-q", "-am", "CR-001: weekly export")
        assessed = run_reqctl(root, "change", "assess", "CR-001", "--schedule-days", "2", "--cost", "800",
                              "--risk", "low", "--summary", "one more job")
        assert assessed.code == 0, assessed.err
        git(root, "switch", "-q", "main")
    return root


def invite(root: Path, email: str = CUSTOMER, *args: str) -> str:
    result = run_reqctl(root, "review", "invite", email, *args)
    assert result.code == 0, result.err
    match = LINK.search(result.out)
    assert match, result.out
    return match.group(1)
