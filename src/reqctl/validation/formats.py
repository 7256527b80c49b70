"""Render `reqctl check` findings as text, JSON, GitHub annotations, JUnit XML or SARIF 2.1.0.

Findings with ``Severity.OFF`` are dropped; all formats list findings sorted by
(path, line, code), project-wide findings being reported against ``reqctl.yaml``.
Text and JSON name files from the project folder; GitHub annotations, JUnit and
SARIF from the repository root (``path_prefix``), since the tools reading them
look files up in the repository.
JUnit (valid against Jenkins xunit's junit-10.xsd): one ``<testcase>`` per file
with findings plus an ``all other files`` case; errors make the case fail with
exactly one ``<failure>`` (several errors in one file are joined, since many
readers only show the first failure element), warnings go to the case's
``<system-out>``. Characters XML 1.0 cannot hold become U+FFFD.
SARIF: rules carry their help (validation/ruledocs.py); ``%SRCROOT%`` is the
repository root. ``render_error_document`` renders a run that could not check
(a bad reqctl.yaml) as a JSON, JUnit or SARIF document carrying the error, so CI
report parsers get a document instead of an empty file.
The returned strings are meant to be written as UTF-8.
Messages are in the language of the run (``reqctl.messages``: a finding keeps
its message template, translated here); rule codes, severities in the machine
formats, and the JSON keys never change with the language.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote

from reqctl.messages import NP_, _, ngettext, pgettext, render
from reqctl.validation.findings import FORMATS, Finding, RuleInfo, Severity
from reqctl.validation.ruledocs import RULE_HELP, help_markdown, help_text, help_uri, plain

if TYPE_CHECKING:
    from reqctl.errors import ReqctlError

PROJECT_FILE = "reqctl.yaml"
JSON_FORMAT_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/reqctl/reqctl"
SRCROOT = "%SRCROOT%"
JUNIT_SUITE = "reqctl check"
JUNIT_REST = "all other files"

_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_URI_PATH_SAFE = "/!$&'()*+,;=@"
_SEVERITY_WORDS = {Severity.ERROR: NP_("severity", "error"), Severity.WARNING: NP_("severity", "warning")}
_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.OFF: "none"}


@dataclass(frozen=True, slots=True)
class _Context:
    """Run-level facts shared by the renderers."""

    tool_version: str
    checked_files: int
    project_root: str | None
    path_prefix: str = ""  # the project folder relative to the repository root: '' or 'sub/dir/'


Renderer = Callable[[list[Finding], Sequence[RuleInfo], _Context], str]


def render_findings(
    findings: Sequence[Finding],
    rules: Sequence[RuleInfo],
    fmt: str,
    *,
    tool_version: str,
    checked_files: int,
    project_root: str | None = None,
    path_prefix: str = "",
) -> str:
    """Render ``findings`` in format ``fmt`` (one of ``FORMATS``).

    ``path_prefix`` (``locate.repo_prefix``) is prepended to file names in the
    formats read against the repository: github, junit and sarif.
    """
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    context = _Context(tool_version, checked_files, project_root, path_prefix)
    shown = [replace(f, message=render(f.message)) for f in _visible_sorted(findings)]
    return renderer(shown, rules, context)


# --- shared helpers -------------------------------------------------------------------------


def _display_path(finding: Finding) -> str:
    return PROJECT_FILE if finding.path is None else finding.path


def _repo_path(finding: Finding, ctx: _Context) -> str:
    return ctx.path_prefix + _display_path(finding)


def _known_line(finding: Finding) -> int | None:
    return finding.line if finding.line is not None and finding.line >= 1 else None


def _visible_sorted(findings: Sequence[Finding]) -> list[Finding]:
    visible = [f for f in findings if f.severity is not Severity.OFF]
    return sorted(visible, key=lambda f: (_display_path(f), _known_line(f) or 0, f.code))


def _count(findings: Sequence[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary(findings: Sequence[Finding], checked_files: int) -> str:
    files = ngettext("{n} file", "{n} files", checked_files).format(n=checked_files)
    if not findings:
        return _("No problems found in {files}.").format(files=files)
    count = _count(findings, Severity.ERROR)
    errors = ngettext("{n} error", "{n} errors", count).format(n=count)
    count = _count(findings, Severity.WARNING)
    warnings = ngettext("{n} warning", "{n} warnings", count).format(n=count)
    return _("{errors}, {warnings} in {files}").format(errors=errors, warnings=warnings, files=files)


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


def _text_line(finding: Finding, prefix: str = "") -> str:
    line = _known_line(finding)
    path = prefix + _display_path(finding)
    where = path if line is None else f"{path}:{line}"
    severity = pgettext("severity", _SEVERITY_WORDS.get(finding.severity, finding.severity.value))
    return _one_line(f"{where}: {severity} {finding.code} {finding.message}")


# --- text -----------------------------------------------------------------------------------


def _render_text(findings: list[Finding], rules: Sequence[RuleInfo], ctx: _Context) -> str:
    lines = [_text_line(f) for f in findings]
    lines.append(_summary(findings, ctx.checked_files))
    return "\n".join(lines) + "\n"


# --- json -----------------------------------------------------------------------------------


def _render_json(findings: list[Finding], rules: Sequence[RuleInfo], ctx: _Context) -> str:
    document = {
        "version": JSON_FORMAT_VERSION,
        "tool": "reqctl",
        "tool_version": ctx.tool_version,
        "summary": {
            "errors": _count(findings, Severity.ERROR),
            "warnings": _count(findings, Severity.WARNING),
            "files": ctx.checked_files,
        },
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- github ---------------------------------------------------------------------------------


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _github_command(finding: Finding, prefix: str) -> str:
    props: list[str] = []
    if finding.path is not None or prefix:
        props.append(f"file={_escape_property(prefix + _display_path(finding))}")
        line = _known_line(finding)
        if line is not None:
            props.append(f"line={line}")
    props.append(f"title={_escape_property(finding.code)}")
    command = "error" if finding.severity is Severity.ERROR else "warning"
    return f"::{command} {','.join(props)}::{_escape_data(finding.message)}"


def _render_github(findings: list[Finding], rules: Sequence[RuleInfo], ctx: _Context) -> str:
    lines = [_github_command(f, ctx.path_prefix) for f in findings]
    lines.append(_summary(findings, ctx.checked_files))
    return "\n".join(lines) + "\n"


# --- junit ----------------------------------------------------------------------------------


def _xml_safe(text: str) -> str:
    """Replace characters XML 1.0 cannot represent with U+FFFD."""
    return _INVALID_XML.sub("\ufffd", text)


def _xml_text(text: str) -> str:
    """Element text: XML-safe with line endings normalised as a parser would."""
    return _xml_safe(text).replace("\r\n", "\n").replace("\r", "\n")


def _group_by_file(findings: list[Finding]) -> dict[str | None, list[Finding]]:
    groups: dict[str | None, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.path, []).append(finding)
    return groups


def _testcase_names(path: str | None, group: list[Finding], prefix: str) -> tuple[str, str]:
    item_id = next((f.item_id for f in group if f.item_id is not None), None)
    classname = "reqctl.project" if path is None else f"reqctl.{prefix}{path}"
    name = item_id if item_id is not None else prefix + (PROJECT_FILE if path is None else path)
    return _xml_safe(classname), _xml_safe(name)


def _failure_element(errors: list[Finding], prefix: str) -> ET.Element:
    codes = list(dict.fromkeys(f.code for f in errors))
    message = errors[0].message if len(errors) == 1 else "; ".join(f"{f.code}: {f.message}" for f in errors)
    failure = ET.Element("failure", type=_xml_safe(",".join(codes)), message=_xml_safe(message))
    failure.text = _xml_text("\n".join(_text_line(f, prefix) for f in errors))
    return failure


def _testcase(path: str | None, group: list[Finding], prefix: str) -> ET.Element:
    classname, name = _testcase_names(path, group, prefix)
    case = ET.Element("testcase", classname=classname, name=name, time="0")
    errors = [f for f in group if f.severity is Severity.ERROR]
    warnings = [f for f in group if f.severity is Severity.WARNING]
    if errors:
        case.append(_failure_element(errors, prefix))
    if warnings:
        out = ET.SubElement(case, "system-out")
        out.text = _xml_text("\n".join(_text_line(f, prefix) for f in warnings))
    return case


def _rest_testcase(clean_files: int) -> ET.Element:
    case = ET.Element("testcase", classname="reqctl", name=JUNIT_REST, time="0")
    out = ET.SubElement(case, "system-out")
    out.text = f"{_plural(clean_files, 'file')} without findings"
    return case


def _junit_document(cases: list[ET.Element]) -> str:
    """``<testsuites>`` around one suite; junit-10.xsd allows ``skipped`` on the suite only."""
    failures = str(sum(1 for case in cases if case.find("failure") is not None))
    errors = str(sum(1 for case in cases if case.find("error") is not None))
    counts = {"tests": str(len(cases)), "failures": failures, "errors": errors}
    root = ET.Element("testsuites", {"name": "reqctl", **counts, "time": "0"})
    suite = ET.SubElement(root, "testsuite", {"name": JUNIT_SUITE, **counts, "skipped": "0", "time": "0"})
    suite.extend(cases)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _render_junit(findings: list[Finding], rules: Sequence[RuleInfo], ctx: _Context) -> str:
    groups = _group_by_file(findings)
    cases = [_testcase(path, group, ctx.path_prefix) for path, group in groups.items()]
    files_with_findings = sum(1 for path in groups if path is not None)
    cases.append(_rest_testcase(max(ctx.checked_files - files_with_findings, 0)))
    return _junit_document(cases)


# --- sarif ----------------------------------------------------------------------------------


def _unique_rules(rules: Sequence[RuleInfo]) -> list[RuleInfo]:
    """Rules in order, keeping the first of any duplicated code (SARIF ids must be unique)."""
    unique: dict[str, RuleInfo] = {}
    for rule in rules:
        unique.setdefault(rule.code, rule)
    return list(unique.values())


def _default_configuration(severity: Severity) -> dict[str, object]:
    if severity is Severity.OFF:
        return {"enabled": False, "level": "none"}
    return {"level": _SARIF_LEVELS[severity]}


def _reporting_descriptor(rule: RuleInfo) -> dict[str, object]:
    descriptor: dict[str, object] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.description},
    }
    help_ = RULE_HELP.get(rule.code)
    if help_ is not None:
        descriptor["fullDescription"] = {"text": plain(help_.details), "markdown": help_.details}
        descriptor["helpUri"] = help_uri(rule.code)
        descriptor["help"] = {"text": help_text(rule, help_), "markdown": help_markdown(rule, help_)}
    descriptor["defaultConfiguration"] = _default_configuration(rule.default_severity)
    return descriptor


def _relative_uri(path: str) -> str:
    """Percent-encode a relative POSIX path as a URI reference (``:`` too, so no scheme)."""
    return quote(path, safe=_URI_PATH_SAFE)


def _sarif_location(repo_path: str, line: int | None) -> dict[str, object]:
    """A file and line; findings about a whole file point at its line 1, where code scanning shows them."""
    artifact = {"uri": _relative_uri(repo_path), "uriBaseId": SRCROOT}
    region = {"startLine": line if line is not None else 1}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _sarif_result(finding: Finding, rule_index: dict[str, int], ctx: _Context) -> dict[str, object]:
    result: dict[str, object] = {"ruleId": finding.code}
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    result["level"] = _SARIF_LEVELS[finding.severity]
    result["message"] = {"text": finding.message}
    result["locations"] = [_sarif_location(_repo_path(finding, ctx), _known_line(finding))]
    if finding.item_id is not None:
        result["properties"] = {"item": finding.item_id}
    return result


def _repository_root(project_root: str, path_prefix: str) -> Path:
    """The folder ``path_prefix`` is relative to: the project root less one folder per prefix part."""
    root = Path(project_root).absolute()
    for _part in PurePosixPath(path_prefix).parts:
        root = root.parent
    return root


def _root_uri(project_root: str, path_prefix: str) -> str:
    uri = _repository_root(project_root, path_prefix).as_uri()
    return uri if uri.endswith("/") else f"{uri}/"


def _sarif_run(ctx: _Context, rules: Sequence[RuleInfo]) -> dict[str, object]:
    driver = {
        "name": "reqctl",
        "version": ctx.tool_version,
        "informationUri": INFORMATION_URI,
        "rules": [_reporting_descriptor(rule) for rule in rules],
    }
    run: dict[str, object] = {"tool": {"driver": driver}}
    if ctx.project_root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": _root_uri(ctx.project_root, ctx.path_prefix)}}
    return run


def _sarif_document(run: dict[str, object]) -> str:
    document = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _render_sarif(findings: list[Finding], rules: Sequence[RuleInfo], ctx: _Context) -> str:
    unique = _unique_rules(rules)
    rule_index = {rule.code: index for index, rule in enumerate(unique)}
    run = _sarif_run(ctx, unique)
    run["results"] = [_sarif_result(f, rule_index, ctx) for f in findings]
    return _sarif_document(run)


_RENDERERS: dict[str, Renderer] = {
    "text": _render_text,
    "json": _render_json,
    "github": _render_github,
    "junit": _render_junit,
    "sarif": _render_sarif,
}


# --- a run that could not check ---------------------------------------------------------------

ERROR_DOCUMENT_FORMATS: tuple[str, ...] = ("json", "junit", "sarif")


def render_error_document(
    fmt: str,
    error: ReqctlError,
    *,
    tool_version: str,
    project_root: str | None = None,
    path_prefix: str = "",
) -> str | None:
    """A ``fmt`` document saying that checking failed with ``error``; None for text and github.

    The CLI still prints the one-line error on stderr and exits 2: the document
    only spares the CI's report parser an empty file. JSON carries an ``error``
    object and counts it as one error; JUnit an ``<error>`` test case; SARIF an
    unsuccessful invocation with a tool configuration notification.
    """
    if fmt not in ERROR_DOCUMENT_FORMATS:
        return None
    ctx = _Context(tool_version, 0, project_root, path_prefix)
    path = _error_path(error, project_root)
    if fmt == "json":
        return _json_error(error, path, ctx)
    if fmt == "junit":
        return _junit_error(error, path, ctx)
    return _sarif_error(error, path, ctx)


def _error_path(error: ReqctlError, project_root: str | None) -> str | None:
    """The file the error names, relative to the project root when it lies inside it."""
    if error.path is None:
        return None
    if project_root is not None and error.path.is_absolute():
        try:
            return error.path.relative_to(Path(project_root).absolute()).as_posix()
        except ValueError:
            return error.path.as_posix()
    return error.path.as_posix()


def _json_error(error: ReqctlError, path: str | None, ctx: _Context) -> str:
    document = {
        "version": JSON_FORMAT_VERSION,
        "tool": "reqctl",
        "tool_version": ctx.tool_version,
        "error": {"message": render(error.message), "path": path, "line": error.line},
        "summary": {"errors": 1, "warnings": 0, "files": 0},
        "findings": [],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _junit_error(error: ReqctlError, path: str | None, ctx: _Context) -> str:
    name = ctx.path_prefix + (path or PROJECT_FILE)
    case = ET.Element("testcase", classname="reqctl.project", name=_xml_safe(name), time="0")
    element = ET.SubElement(case, "error", type=type(error).__name__, message=_xml_safe(render(error.message)))
    where = name if error.line is None else f"{name}:{error.line}"
    element.text = _xml_text(f"{where}: error: {render(error.message)}")
    return _junit_document([case])


def _sarif_error(error: ReqctlError, path: str | None, ctx: _Context) -> str:
    notification: dict[str, object] = {"level": "error", "message": {"text": error.display()}}
    if path is not None and not PurePosixPath(path).is_absolute():
        line = error.line if error.line is not None and error.line >= 1 else None
        notification["locations"] = [_sarif_location(ctx.path_prefix + path, line)]
    run = _sarif_run(ctx, [])
    run["invocations"] = [
        {"executionSuccessful": False, "exitCode": 2, "toolConfigurationNotifications": [notification]}
    ]
    run["results"] = []
    return _sarif_document(run)
