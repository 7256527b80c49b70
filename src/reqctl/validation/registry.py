"""The static rule registry: each rule is a pure function with a stable code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reqctl.validation.findings import Finding, RuleInfo, Severity

if TYPE_CHECKING:
    from reqctl.model.project import Project


@dataclass(frozen=True, slots=True)
class CheckOptions:
    require_approved: bool = False
    milestone: str | None = None
    today: dt.date | None = None


RuleFunc = Callable[["Project", CheckOptions], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    info: RuleInfo
    func: RuleFunc
    gate_only: bool = False  # runs only with --require-approved


RULES: list[Rule] = []


def rule(
    code: str, name: str, description: str, severity: Severity = Severity.ERROR, *, gate_only: bool = False
) -> Callable[[RuleFunc], RuleFunc]:
    def register(func: RuleFunc) -> RuleFunc:
        if any(existing.info.code == code for existing in RULES):
            raise RuntimeError(f"rule code {code} registered twice")
        RULES.append(Rule(RuleInfo(code, name, description, severity), func, gate_only))
        return func

    return register


GATE_RULES = (
    RuleInfo(
        "G001",
        "unapproved-change",
        "With --base: approved requirement content changes only under an approved change request",
        Severity.ERROR,
    ),
    RuleInfo(
        "G002",
        "stale-change-approval",
        "With --base: a change request's approvals still match the CR and the items it changes",
        Severity.ERROR,
    ),
    RuleInfo(
        "G003",
        "unverified-approval",
        "With --verify-approvals: each approval was committed (or signed) by the approver",
        Severity.ERROR,
    ),
)


def rule_infos() -> list[RuleInfo]:
    from reqctl.validation import rules  # noqa: F401 - registers the rules

    return [registered.info for registered in RULES]
