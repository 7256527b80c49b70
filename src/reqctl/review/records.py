"""The customer's review decisions as reports and the site show them.

Two sources, one row shape: review records (``reviews/REV-NNN.md``, written
by **Request changes** in ``reqctl serve``: who, role, date, item, decision
and the comment as the body) and approvals given through a review link
(``via: review link`` in an item's approval records).  Rows carry e-mails;
templates turn them into names with the ``person`` filter (the people
directory), as everywhere else.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from reqctl.errors import ReqctlError
from reqctl.model.items import Change, Requirement
from reqctl.model.project import Project

FOLDER = "reviews"
_REV = re.compile(r"REV-(\d+)\.md")
VIA = "review link"

Row = dict[str, Any]


def _date(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    return None


def review_files(root: Path) -> list[Row]:
    """Every readable ``reviews/REV-NNN.md``, oldest number first; a damaged or linked file is skipped."""
    from reqctl.store.frontmatter import parse
    from reqctl.store.reader import read_no_follow

    folder = root / FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for path in sorted(folder.iterdir(), key=lambda p: (len(p.name), p.name)):
        if not _REV.fullmatch(path.name) or path.is_symlink() or not path.is_file():
            continue
        try:
            parsed = parse(read_no_follow(path), f"{FOLDER}/{path.name}")
        except (OSError, ReqctlError):
            continue
        if not isinstance(parsed.data, dict):
            continue
        found.append({**parsed.data, "id": str(parsed.data.get("id") or path.stem), "comment": parsed.body.strip()})
    return found


def rows(project: Project, since: dt.date | None = None, until: dt.date | None = None,
         item_id: str | None = None) -> list[Row]:
    """Review decisions (changes requested, approved via a review link) dated within ``[since, until]``.

    Each row: ``id`` (REV-… or None for an approval), ``item``, ``item_title``,
    ``kind`` (requirement / change), ``by`` (e-mail), ``role``, ``date`` (ISO),
    ``decision`` (``changes requested`` / ``approved`` / ``rejected``) and
    ``comment`` and ``fingerprint`` (of the content reviewed).  Newest first.
    """
    found: list[Row] = []
    for record in review_files(project.root):
        found.append({
            "id": record["id"],
            "item": str(record.get("item") or ""),
            "by": str(record.get("by") or ""),
            "role": str(record.get("role") or ""),
            "date": _date(record.get("date")),
            "decision": str(record.get("decision") or "changes requested"),
            "comment": str(record.get("comment") or ""),
            "fingerprint": str(record.get("fingerprint") or ""),
        })
    for item in project.items.values():
        if isinstance(item, (Requirement, Change)):
            for approval in item.approvals:
                if approval.via == VIA:
                    decision = getattr(approval, "decision", "approved")
                    found.append({"id": None, "item": item.id, "by": approval.by, "role": approval.role or "",
                                  "date": approval.at.isoformat(), "decision": decision, "comment": "",
                                  "fingerprint": str(approval.fingerprint or "")})
    wanted = []
    for row in found:
        if item_id is not None and row["item"] != item_id:
            continue
        day = dt.date.fromisoformat(row["date"]) if row["date"] else None
        if (since is not None or until is not None) and day is None:
            continue
        if day is not None and ((since is not None and day < since) or (until is not None and day > until)):
            continue
        target = project.items.get(row["item"])
        row["item_title"] = getattr(target, "title", "") if target is not None else ""
        row["kind"] = target.kind.value if target is not None else ""
        wanted.append(row)
    wanted.sort(key=lambda r: (r["date"] or "", r["id"] or "", r["item"]), reverse=True)
    return wanted
