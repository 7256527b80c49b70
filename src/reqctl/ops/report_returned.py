"""Requirements that went back from delivered to approved in a period: regress, not progress.

A merged change request that alters an implemented or verified requirement
sets it back to ``approved`` (see ``ops/change_merge.py``).  The weekly report
lists those moves with the CR that caused them, and keeps them out of the
period's "approved" progress.
"""

from __future__ import annotations

from typing import Any

from reqctl.model.items import Requirement
from reqctl.model.project import Project

DELIVERED = ("implemented", "verified")


def returned_rows(requirements: dict[str, list[dict[str, Any]]], project: Project) -> list[dict[str, Any]]:
    """Take the period's delivered -> approved moves out of ``requirements['approved']`` and return them.

    Each row gains ``by_change``: the CR whose merge re-approved the requirement (its newest
    approval record citing a change), or None when the status was set back by hand.
    """
    moved = [row for row in requirements.get("status_changes", [])
             if row.get("from") in DELIVERED and row.get("to") == "approved"]
    ids = {row["id"] for row in moved}
    requirements["approved"] = [row for row in requirements.get("approved", []) if row["id"] not in ids]
    rows = []
    for row in moved:
        item = project.items.get(row["id"])
        cited = [a.change for a in item.approval_records if a.change] if isinstance(item, Requirement) else []
        rows.append({**row, "by_change": cited[-1] if cited else None})
    return rows
