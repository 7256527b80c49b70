"""Run every registered rule over a project and apply the configured severities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from reqctl.errors import ConfigError
from reqctl.messages import lazy
from reqctl.model.config import Config
from reqctl.model.project import Project
from reqctl.validation.findings import CheckResult, Finding, Severity
from reqctl.validation.registry import GATE_RULES, CheckOptions, Rule, rule_infos
from reqctl.validation.rules import RULES

# CheckResult lives in findings.py so a cached result loads without the models.
__all__ = ["CheckResult", "run_checks"]


def severity_overrides(config: Config) -> dict[str, Severity]:
    """The severities ``check.severity`` in reqctl.yaml sets, by rule code."""
    known = {info.code for info in (*rule_infos(), *GATE_RULES)}
    configured = config.check.severity
    unknown = sorted(code for code in configured if code not in known)
    if unknown:
        raise ConfigError(lazy("check.severity names unknown rule {code}", code=unknown[0]), path="reqctl.yaml")
    return {code: Severity(value) for code, value in configured.items()}


def apply_severities(findings: Iterable[Finding], overrides: Mapping[str, Severity]) -> list[Finding]:
    """Re-rate findings as configured; drop those whose rule is switched off."""
    rated = []
    for found in findings:
        severity = overrides.get(found.code)
        if severity is Severity.OFF:
            continue
        rated.append(found if severity in (None, found.severity) else replace(found, severity=severity))
    return rated


def run_checks(
    project: Project, options: CheckOptions | None = None, rules: tuple[Rule, ...] = RULES
) -> CheckResult:
    options = options or CheckOptions()
    overrides = severity_overrides(project.config)
    findings: list[Finding] = []
    for registered in rules:
        if registered.gate_only and not options.require_approved:
            continue
        if overrides.get(registered.info.code) is Severity.OFF:
            continue
        findings.extend(apply_severities(registered.func(project, options), overrides))
    findings.sort(key=lambda f: (f.path or "", f.line or 0, f.code, f.message))
    return CheckResult(tuple(findings), len(project.files))
