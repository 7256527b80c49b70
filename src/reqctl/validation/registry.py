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
    """A rule: its static description and the pure function that finds its problems.

    ``cross_file`` rules (duplicates, references, cycles) look at other files
    than the one a finding names; the others depend only on that file, the
    configuration, the options and the change requests, which lets ``check``
    re-run them on just the files that changed.
    """

    info: RuleInfo
    func: RuleFunc
    gate_only: bool = False  # runs only with --require-approved
    cross_file: bool = False

    def __call__(self, project: Project, options: CheckOptions) -> Iterable[Finding]:
        return self.func(project, options)


def rule(
    code: str,
    name: str,
    description: str,
    severity: Severity = Severity.ERROR,
    *,
    gate_only: bool = False,
    cross_file: bool = False,
) -> Callable[[RuleFunc], Rule]:
    """Describe a rule function; the rules module lists every rule in its static ``RULES`` tuple."""

    def describe(func: RuleFunc) -> Rule:
        return Rule(RuleInfo(code, name, description, severity), func, gate_only, cross_file)

    return describe


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
    RuleInfo(
        "G004",
        "policy-change",
        "With --base: roles, approvals and check settings change only under an approved change request",
        Severity.ERROR,
    ),
)


def rule_infos() -> list[RuleInfo]:
    """Every rule's description, in code order (imports the rules and the models)."""
    from reqctl.validation.rules import RULES

    return [registered.info for registered in RULES]
