"""Run every registered rule over a project and apply the configured severities."""

from __future__ import annotations

from dataclasses import replace

from reqctl.errors import ConfigError
from reqctl.model.project import Project
from reqctl.validation.findings import CheckResult, Finding, Severity
from reqctl.validation.registry import RULES, CheckOptions, rule_infos

# CheckResult lives in findings.py so a cached result loads without the models.
__all__ = ["CheckResult", "run_checks"]


def _severities(project: Project) -> dict[str, Severity]:
    known = {info.code for info in rule_infos()}
    configured = project.config.check.severity
    unknown = sorted(code for code in configured if code not in known)
    if unknown:
        raise ConfigError(f"check.severity names unknown rule {unknown[0]}", path="reqctl.yaml")
    return {code: Severity(value) for code, value in configured.items()}


def run_checks(project: Project, options: CheckOptions | None = None) -> CheckResult:
    options = options or CheckOptions()
    overrides = _severities(project)
    findings: list[Finding] = []
    for registered in RULES:
        if registered.gate_only and not options.require_approved:
            continue
        severity = overrides.get(registered.info.code)
        if severity is Severity.OFF:
            continue
        for found in registered.func(project, options):
            if severity is not None and severity is not found.severity:
                found = replace(found, severity=severity)  # noqa: PLW2901 - re-rated copy
            findings.append(found)
    findings.sort(key=lambda f: (f.path or "", f.line or 0, f.code, f.message))
    return CheckResult(tuple(findings), len(project.files))
