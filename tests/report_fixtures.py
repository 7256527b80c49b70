"""A small project with a dated git history, shared by the report, doc and publish tests."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CUSTOMER, git, write_config, write_item


def commit_at(root: Path, when: str, message: str) -> None:
    env = {"GIT_AUTHOR_DATE": f"{when}T10:00:00+00:00", "GIT_COMMITTER_DATE": f"{when}T10:00:00+00:00"}
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, env=env)


def approval(root: Path, item_id: str, at: str) -> str:
    """The approval block ``reqctl approve`` would write (computed with the library)."""
    from reqctl.model.fingerprint import fingerprint
    from reqctl.store.store import Store

    project = Store.open(root, use_cache=False).project()
    item = project.get(item_id)
    return f"approval:\n  by: {CUSTOMER}\n  at: {at}\n  fingerprint: {fingerprint(item)}\n"


REQ1 = """title: Customer signs in with e-mail
priority: must
milestone: M1
acceptance:
  - Sign-in takes less than 2 s
"""
REQ2 = """title: Export invoices as PDF | with <b>bold</b> title
priority: should
milestone: M1
depends_on: [REQ-001]
acceptance:
  - A 20-page invoice exports within 3 s
"""
REQ3 = """title: Order history for 24 months
priority: could
milestone: M2
acceptance:
  - History shows 24 months
"""
EVIL_BODY = "Body with <script>alert('x')</script> and **bold**.\n\n[link](javascript:alert(1))\n"


def build_history(root: Path) -> None:
    """Two weeks of dated commits: week 1 (2026-11-02..08), week 2 (2026-11-09..15)."""
    git(root, "init", "-q", "-b", "main")
    write_config(root, "start: 2026-10-01\nend: 2027-03-31\nbudget: {currency: EUR, planned: 100000, spent: 40000}\n"
                 "goals:\n  - Customers order online\n")
    (root / ".gitignore").write_text(".reqctl/\nsite/\n", encoding="utf-8")
    write_item(root, "requirements", "REQ-001", "status: proposed\n" + REQ1, "Users sign in.\n")
    write_item(root, "requirements", "REQ-002", "status: draft\n" + REQ2, EVIL_BODY)
    write_item(root, "risks", "RISK-001", "title: Payment contract late\nstatus: open\nprobability: 2\nimpact: 5\n"
               "owner: pm@example.com\nmitigation: Escalate weekly\nreview_by: 2026-11-01")
    commit_at(root, "2026-11-03", "week 1: first requirements")
    write_item(root, "requirements", "REQ-001",
               "status: approved\n" + REQ1 + approval(root, "REQ-001", "2026-11-10"), "Users sign in.\n")
    write_item(root, "requirements", "REQ-003", "status: proposed\n" + REQ3, "History.\n")
    write_item(root, "risks", "RISK-001", "title: Payment contract late\nstatus: open\nprobability: 4\nimpact: 5\n"
               "owner: pm@example.com\nmitigation: Escalate weekly\nreview_by: 2026-11-01")
    write_item(root, "risks", "RISK-002", "title: Key users on holiday\nstatus: open\nprobability: 3\nimpact: 3")
    write_item(root, "changes", "CR-001", "title: Add SEPA payment\nstatus: proposed\nrequested_by: "
               f"{CUSTOMER}\ncreated: 2026-11-11\naffects: [REQ-001]\nimpact:\n  schedule_days: 5\n  cost: 12000\n"
               "  risk: low\n  summary: Small", "Please add SEPA.\n")
    write_item(root, "decisions", "DEC-001", "title: Use hosted payment page\nstatus: accepted\ndate: 2026-11-12\n"
               "deciders: [pm@example.com]", "## Context\nPCI scope.\n")
    write_item(root, "meetings", "MTG-001", "title: Weekly status\ndate: 2026-11-12\nkind: status\n"
               "attendees: [pm@example.com]\nactions:\n  - what: Send test plan\n    owner: pm@example.com\n"
               "    due: 2026-11-14\n  - what: Book workshop\n    owner: customer@example.com\n    due: 2026-12-20\n"
               "    done: true", "Minutes.\n")
    commit_at(root, "2026-11-11", "week 2: approvals, risks, change request")
