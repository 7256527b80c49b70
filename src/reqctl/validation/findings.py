"""Findings: the data a rule produces. Immutable; the CLI decides the exit code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# Output formats of ``reqctl check`` (rendered by validation/formats.py).
FORMATS: tuple[str, ...] = ("text", "json", "github", "junit", "sarif")


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by a rule.

    ``path`` is relative to the project root (POSIX separators) or ``None`` for
    project-wide findings; ``line`` is 1-based or ``None`` when unknown.
    """

    code: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    item_id: str | None = None

    def location(self) -> str:
        if self.path is None:
            return "reqctl.yaml"
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "item": self.item_id,
        }


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """Static description of a rule, for SARIF/JUnit output and `reqctl check --rules`."""

    code: str
    name: str
    description: str
    default_severity: Severity


@dataclass(frozen=True, slots=True)
class CheckResult:
    findings: tuple[Finding, ...]
    files_checked: int

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)
