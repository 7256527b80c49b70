"""Tests for reqctl.validation.formats, checked the way a consumer would read each format."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reqctl.validation.findings import Finding, RuleInfo, Severity
from reqctl.validation.formats import FORMATS, render_findings

RULES = [
    RuleInfo("R001", "project-config", "reqctl.yaml must be valid", Severity.ERROR),
    RuleInfo("R003", "stale-item", "Items should be reviewed yearly", Severity.WARNING),
    RuleInfo("R012", "title-required", "Every item needs a title", Severity.ERROR),
    RuleInfo("R050", "experimental", "Off by default", Severity.OFF),
]

FINDINGS = [
    Finding("R012", Severity.ERROR, 'Title <&"> 缺少标题', "reqs/REQ-002.md", 12, "REQ-002"),
    Finding(
        "R003", Severity.WARNING, "Not reviewed since 2020", "reqs/REQ-001.md", None, "REQ-001"
    ),
    Finding("R001", Severity.ERROR, "No owner configured", None, None, None),
    Finding("R012", Severity.ERROR, "Second title problem", "reqs/REQ-002.md", 3, "REQ-002"),
    Finding("R050", Severity.OFF, "switched-off finding", "reqs/REQ-009.md", 1, "REQ-009"),
    Finding("R777", Severity.ERROR, "From a plugin rule", "reqs/REQ-001.md", 7, "REQ-001"),
]

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
INVALID_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(fmt: str, findings: list[Finding] = FINDINGS, **kwargs: Any) -> str:
    options: dict[str, Any] = {"tool_version": "1.2.3", "checked_files": 10}
    options.update(kwargs)
    return render_findings(findings, RULES, fmt, **options)


def parse_junit(output: str) -> ET.Element:
    # Parse the bytes a file written as UTF-8 would contain, declaration included.
    return ET.fromstring(output.encode("utf-8"))


def cases_by_class(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("classname", ""): case for case in root.iter("testcase")}


def github_unescape(value: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


# --- API --------------------------------------------------------------------------------------


def test_formats_tuple() -> None:
    assert FORMATS == ("text", "json", "github", "junit", "sarif")


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown output format 'yaml'"):
        render("yaml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_off_findings_are_never_output(fmt: str) -> None:
    assert "switched-off finding" not in render(fmt)
    assert "REQ-009" not in render(fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_input_order_does_not_matter(fmt: str) -> None:
    assert render(fmt, list(reversed(FINDINGS))) == render(fmt)


# --- text -------------------------------------------------------------------------------------


def test_text_lines_are_sorted_and_summarised() -> None:
    assert render("text").splitlines() == [
        "reqctl.yaml: error R001 No owner configured",
        "reqs/REQ-001.md: warning R003 Not reviewed since 2020",
        "reqs/REQ-001.md:7: error R777 From a plugin rule",
        "reqs/REQ-002.md:3: error R012 Second title problem",
        'reqs/REQ-002.md:12: error R012 Title <&"> 缺少标题',
        "4 errors, 1 warning in 10 files",
    ]


def test_text_has_no_colour_codes() -> None:
    assert "\x1b" not in render("text")


def test_text_clean_run() -> None:
    assert render("text", [], checked_files=120) == "No problems found in 120 files.\n"
    assert render("text", [], checked_files=1) == "No problems found in 1 file.\n"


def test_text_singular_counts() -> None:
    findings = [Finding("R001", Severity.ERROR, "x", "a.md", 1)]
    assert render("text", findings, checked_files=1).splitlines()[-1] == (
        "1 error, 0 warnings in 1 file"
    )


def test_text_keeps_one_line_per_finding() -> None:
    findings = [Finding("R001", Severity.ERROR, "first\nsecond\r\nthird", "a\nb.md", 2)]
    assert render("text", findings).splitlines()[0] == "a b.md:2: error R001 first second third"


# --- json -------------------------------------------------------------------------------------


def test_json_document() -> None:
    output = render("json")
    document = json.loads(output)
    assert document["version"] == 1
    assert document["tool"] == "reqctl"
    assert document["tool_version"] == "1.2.3"
    assert document["summary"] == {"errors": 4, "warnings": 1, "files": 10}
    assert [f["code"] for f in document["findings"]] == ["R001", "R003", "R777", "R012", "R012"]
    assert document["findings"][-1] == FINDINGS[0].to_dict()
    assert "缺少标题" in output  # ensure_ascii=False
    assert output.startswith('{\n  "version": 1')  # pretty-printed


def test_json_clean_run() -> None:
    document = json.loads(render("json", [], checked_files=3))
    assert document["summary"] == {"errors": 0, "warnings": 0, "files": 3}
    assert document["findings"] == []


# --- github -----------------------------------------------------------------------------------


def test_github_commands() -> None:
    assert render("github").splitlines() == [
        "::error title=R001::No owner configured",
        "::warning file=reqs/REQ-001.md,title=R003::Not reviewed since 2020",
        "::error file=reqs/REQ-001.md,line=7,title=R777::From a plugin rule",
        "::error file=reqs/REQ-002.md,line=3,title=R012::Second title problem",
        '::error file=reqs/REQ-002.md,line=12,title=R012::Title <&"> 缺少标题',
        "4 errors, 1 warning in 10 files",
    ]


def test_github_escaping() -> None:
    finding = Finding("R012", Severity.ERROR, "100% done:\nok, really\r", "docs/a,b:c%.md", 4)
    line = render("github", [finding]).splitlines()[0]
    assert line == (
        "::error file=docs/a%2Cb%3Ac%25.md,line=4,title=R012::100%25 done:%0Aok, really%0D"
    )


def test_github_clean_run_is_only_summary() -> None:
    assert render("github", [], checked_files=5) == "No problems found in 5 files.\n"


# --- junit ------------------------------------------------------------------------------------


def test_junit_declaration_and_counts() -> None:
    output = render("junit")
    assert output.startswith(XML_DECLARATION)
    root = parse_junit(output)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == "reqctl check"
    cases = suite.findall("testcase")
    failed = [case for case in cases if case.find("failure") is not None]
    # project-wide, REQ-001 (fails: R777), REQ-002 (fails: 2x R012), all other files
    assert len(cases) == 4
    assert len(failed) == 3
    for element in (root, suite):
        assert element.get("tests") == "4"
        assert element.get("failures") == "3"
        assert element.get("errors") == "0"
        assert element.get("skipped") == "0"


def test_junit_testcases() -> None:
    cases = cases_by_class(parse_junit(render("junit")))
    assert set(cases) == {
        "reqctl.project",
        "reqctl.reqs/REQ-001.md",
        "reqctl.reqs/REQ-002.md",
        "reqctl",
    }
    assert cases["reqctl.project"].get("name") == "reqctl.yaml"
    assert cases["reqctl.reqs/REQ-002.md"].get("name") == "REQ-002"
    assert cases["reqctl"].get("name") == "all other files"
    assert cases["reqctl"].find("failure") is None
    assert cases["reqctl"].findtext("system-out") == "8 files without findings"


def test_junit_single_error_failure() -> None:
    failure = cases_by_class(parse_junit(render("junit")))["reqctl.project"].find("failure")
    assert failure is not None
    assert failure.get("type") == "R001"
    assert failure.get("message") == "No owner configured"
    assert failure.text == "reqctl.yaml: error R001 No owner configured"


def test_junit_escapes_markup_and_keeps_cjk() -> None:
    output = render("junit")
    assert "缺少标题" in output  # UTF-8, not character references
    failure = cases_by_class(parse_junit(output))["reqctl.reqs/REQ-002.md"].find("failure")
    assert failure is not None
    assert failure.get("type") == "R012"
    assert failure.get("message") == 'R012: Second title problem; R012: Title <&"> 缺少标题'
    assert failure.text == (
        "reqs/REQ-002.md:3: error R012 Second title problem\n"
        'reqs/REQ-002.md:12: error R012 Title <&"> 缺少标题'
    )


def test_junit_warnings_go_to_system_out() -> None:
    case = cases_by_class(parse_junit(render("junit")))["reqctl.reqs/REQ-001.md"]
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "R777"
    assert case.findtext("system-out") == "reqs/REQ-001.md: warning R003 Not reviewed since 2020"
    assert case.find("skipped") is None


def test_junit_warning_only_file_passes() -> None:
    findings = [Finding("R003", Severity.WARNING, "old", "a.md", None, None)]
    root = parse_junit(render("junit", findings))
    assert root.get("tests") == "2"
    assert root.get("failures") == "0"
    case = cases_by_class(root)["reqctl.a.md"]
    assert case.get("name") == "a.md"
    assert case.find("failure") is None


def test_junit_clean_run_has_one_passing_test() -> None:
    root = parse_junit(render("junit", [], checked_files=42))
    assert root.get("tests") == "1"
    assert root.get("failures") == "0"
    assert [case.get("name") for case in root.iter("testcase")] == ["all other files"]


def test_junit_replaces_characters_xml_cannot_hold() -> None:
    findings = [Finding("R001", Severity.ERROR, "a\x00b\x1bc\ufffed\tok", "p\x07.md", 1)]
    output = render("junit", findings)
    failure = parse_junit(output).find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "a\ufffdb\ufffdc\ufffdd\tok"
    assert INVALID_XML_CHARS.search(output) is None


# --- sarif ------------------------------------------------------------------------------------


def sarif_run(**kwargs: Any) -> dict[str, Any]:
    document = json.loads(render("sarif", **kwargs))
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    run: dict[str, Any] = document["runs"][0]
    return run


def test_sarif_driver_and_rules() -> None:
    driver = sarif_run()["tool"]["driver"]
    assert driver["name"] == "reqctl"
    assert driver["version"] == "1.2.3"
    assert driver["informationUri"] == "https://github.com/reqctl/reqctl"
    assert [rule["id"] for rule in driver["rules"]] == ["R001", "R003", "R012", "R050"]
    assert driver["rules"][2] == {
        "id": "R012",
        "name": "title-required",
        "shortDescription": {"text": "Every item needs a title"},
        "defaultConfiguration": {"level": "error"},
    }
    assert driver["rules"][1]["defaultConfiguration"] == {"level": "warning"}
    assert driver["rules"][3]["defaultConfiguration"]["enabled"] is False


def test_sarif_results_point_at_their_rules() -> None:
    run = sarif_run()
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == 5
    for result in results:
        if "ruleIndex" in result:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    by_message = {r["message"]["text"]: r for r in results}
    assert by_message['Title <&"> 缺少标题']["ruleIndex"] == 2
    assert by_message["Not reviewed since 2020"]["level"] == "warning"
    assert by_message["No owner configured"]["level"] == "error"


def test_sarif_unknown_rule_has_no_index() -> None:
    results = sarif_run()["results"]
    plugin = next(r for r in results if r["ruleId"] == "R777")
    assert "ruleIndex" not in plugin
    assert plugin["level"] == "error"


def test_sarif_locations() -> None:
    results = {r["message"]["text"]: r for r in sarif_run()["results"]}
    located = results["Second title problem"]["locations"][0]["physicalLocation"]
    assert located["artifactLocation"] == {"uri": "reqs/REQ-002.md", "uriBaseId": "%SRCROOT%"}
    assert located["region"] == {"startLine": 3}
    no_line = results["Not reviewed since 2020"]["locations"][0]["physicalLocation"]
    assert "region" not in no_line
    project = results["No owner configured"]["locations"][0]["physicalLocation"]
    assert project["artifactLocation"]["uri"] == "reqctl.yaml"


def test_sarif_uri_is_percent_encoded() -> None:
    findings = [Finding("R001", Severity.ERROR, "x", "reqs/要件 #1:a.md", 1)]
    result = sarif_run(findings=findings)["results"][0]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert re.fullmatch(r"[A-Za-z0-9%/._~!$&'()*+,;=@-]+", uri)
    assert ":" not in uri
    assert unquote(uri) == "reqs/要件 #1:a.md"


def test_sarif_original_uri_base_ids_only_with_project_root(tmp_path: Any) -> None:
    assert "originalUriBaseIds" not in sarif_run()
    base = sarif_run(project_root=str(tmp_path))["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///")
    assert base.endswith("/")
    assert base == tmp_path.as_uri() + "/"


def test_sarif_clean_run() -> None:
    run = sarif_run(findings=[])
    assert run["results"] == []
    assert len(run["tool"]["driver"]["rules"]) == 4


SARIF_SUBSET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "version", "informationUri", "rules"],
                                "properties": {
                                    "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}}
                                },
                            }
                        },
                    },
                    "originalUriBaseIds": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["uri"],
                            "properties": {"uri": {"type": "string", "pattern": "/$"}},
                        },
                    },
                    "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
                },
            },
        },
    },
    "$defs": {
        "level": {"enum": ["none", "note", "warning", "error"]},
        "rule": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "shortDescription": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": {"type": "string"}},
                },
                "defaultConfiguration": {
                    "type": "object",
                    "properties": {
                        "level": {"$ref": "#/$defs/level"},
                        "enabled": {"type": "boolean"},
                    },
                },
            },
        },
        "result": {
            "type": "object",
            "required": ["ruleId", "level", "message", "locations"],
            "properties": {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": 0},
                "level": {"$ref": "#/$defs/level"},
                "message": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": {"type": "string"}},
                },
                "locations": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["physicalLocation"],
                        "properties": {
                            "physicalLocation": {
                                "type": "object",
                                "required": ["artifactLocation"],
                                "properties": {
                                    "artifactLocation": {
                                        "type": "object",
                                        "required": ["uri", "uriBaseId"],
                                        "properties": {"uri": {"type": "string"}},
                                    },
                                    "region": {
                                        "type": "object",
                                        "required": ["startLine"],
                                        "properties": {
                                            "startLine": {"type": "integer", "minimum": 1}
                                        },
                                    },
                                },
                            }
                        },
                    },
                },
            },
        },
    },
}


def test_sarif_matches_subset_schema(tmp_path: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = json.loads(render("sarif", project_root=str(tmp_path)))
    jsonschema.validate(document, SARIF_SUBSET_SCHEMA)


# --- properties -------------------------------------------------------------------------------

findings_strategy = st.lists(
    st.builds(
        Finding,
        code=st.sampled_from(["R001", "R003", "R012", "R999"]),
        severity=st.sampled_from([Severity.ERROR, Severity.WARNING, Severity.OFF]),
        message=st.text(),
        path=st.none() | st.text(),
        line=st.none() | st.integers(min_value=0, max_value=10**6),
        item_id=st.none() | st.text(),
    ),
    max_size=8,
)


def visible(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is not Severity.OFF]


def sanitized(text: str) -> str:
    return INVALID_XML_CHARS.sub("\ufffd", text)


@settings(max_examples=200)
@given(findings_strategy)
def test_property_json_round_trips(findings: list[Finding]) -> None:
    document = json.loads(render("json", findings))
    shown = visible(findings)
    assert sorted(f["message"] for f in document["findings"]) == sorted(f.message for f in shown)
    assert sorted(map(str, document["findings"])) == sorted(str(f.to_dict()) for f in shown)


@settings(max_examples=200)
@given(findings_strategy)
def test_property_sarif_round_trips(findings: list[Finding]) -> None:
    run = sarif_run(findings=findings)
    shown = visible(findings)
    results = run["results"]
    assert sorted(r["message"]["text"] for r in results) == sorted(f.message for f in shown)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    expected = ["reqctl.yaml" if f.path is None else f.path for f in shown]
    assert sorted(unquote(uri) for uri in uris) == sorted(expected)
    assert all(":" not in uri for uri in uris)


@settings(max_examples=200)
@given(findings_strategy)
def test_property_junit_always_parses(findings: list[Finding]) -> None:
    output = render("junit", findings)
    assert INVALID_XML_CHARS.search(output) is None
    root = parse_junit(output)
    cases = list(root.iter("testcase"))
    failing = [case for case in cases if case.find("failure") is not None]
    assert root.get("tests") == str(len(cases))
    assert root.get("failures") == str(len(failing))
    shown = visible(findings)
    assert len(cases) == len({f.path for f in shown}) + 1
    assert len(failing) == len({f.path for f in shown if f.severity is Severity.ERROR})
    for case in failing:
        assert len(case.findall("failure")) == 1
    errors_by_path: dict[str | None, list[Finding]] = {}
    for finding in shown:
        if finding.severity is Severity.ERROR:
            errors_by_path.setdefault(finding.path, []).append(finding)
    messages = {failure.get("message") for failure in root.iter("failure")}
    for errors in errors_by_path.values():
        if len(errors) == 1:
            assert sanitized(errors[0].message) in messages


@settings(max_examples=200)
@given(findings_strategy)
def test_property_github_and_text_keep_one_line_per_finding(findings: list[Finding]) -> None:
    shown = visible(findings)
    for fmt in ("github", "text"):
        lines = render(fmt, findings).split("\n")
        assert lines[-1] == ""
        assert len(lines) == len(shown) + 2  # one per finding, summary, trailing newline
    commands = render("github", findings).split("\n")[: len(shown)]
    data = sorted(github_unescape(command.split("::", 2)[2]) for command in commands)
    assert data == sorted(f.message for f in shown)
