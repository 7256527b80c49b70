"""Item kinds, their folders and default prefixes, and ID syntax."""

from __future__ import annotations

import re
from enum import Enum

from reqctl.errors import UsageError
from reqctl.messages import lazy


class Kind(str, Enum):
    REQUIREMENT = "requirement"
    CHANGE = "change"
    RISK = "risk"
    DECISION = "decision"
    MEETING = "meeting"
    FEEDBACK = "feedback"
    LESSON = "lesson"
    TRAINING = "training"
    SUPPORT = "support"
    FOLLOWUP = "followup"

    @property
    def folder(self) -> str:
        return FOLDERS[self]

    @property
    def default_prefix(self) -> str:
        return DEFAULT_PREFIXES[self]


FOLDERS: dict[Kind, str] = {
    Kind.REQUIREMENT: "requirements",
    Kind.CHANGE: "changes",
    Kind.RISK: "risks",
    Kind.DECISION: "decisions",
    Kind.MEETING: "meetings",
    Kind.FEEDBACK: "feedback",
    Kind.LESSON: "lessons",
    Kind.TRAINING: "trainings",
    Kind.SUPPORT: "support",
    Kind.FOLLOWUP: "followups",
}

DEFAULT_PREFIXES: dict[Kind, str] = {
    Kind.REQUIREMENT: "REQ",
    Kind.CHANGE: "CR",
    Kind.RISK: "RISK",
    Kind.DECISION: "DEC",
    Kind.MEETING: "MTG",
    Kind.FEEDBACK: "FB",
    Kind.LESSON: "LL",
    Kind.TRAINING: "TRN",
    Kind.SUPPORT: "SUP",
    Kind.FOLLOWUP: "FUP",
}

PREFIX_PATTERN = r"[A-Z][A-Z0-9_]*"
ID_RE = re.compile(rf"^({PREFIX_PATTERN})-(\d+)$")
MIN_DIGITS = 3


def is_item_file_name(name: str) -> bool:
    """Whether a file in a kind folder is an item: ``*.md``, not hidden, not a README."""
    return name.endswith(".md") and not name.startswith(".") and name.lower() != "readme.md"


def split_id(item_id: str) -> tuple[str, int] | None:
    """Return (prefix, number) for a well-formed ID, else None."""
    match = ID_RE.match(item_id)
    if match is None:
        return None
    return match.group(1), int(match.group(2))


def format_id(prefix: str, number: int, digits: int = MIN_DIGITS) -> str:
    return f"{prefix}-{number:0{max(digits, MIN_DIGITS)}d}"


def normalize_id_argument(raw: str) -> str:
    """Validate an ID typed by a user; IDs never contain path separators.

    Accepts lower case (``req-12``) and returns the canonical upper-case form
    without changing the digits (file names keep their zero padding).
    """
    candidate = raw.strip().upper()
    if not ID_RE.match(candidate):
        raise UsageError(lazy("'{raw}' is not an item ID (expected something like REQ-012)", raw=raw))
    return candidate
