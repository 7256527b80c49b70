"""Tests for reqctl.validation.formats, checked the way a consumer would read each format."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import git, run_reqctl, write_config, write_item
from reqctl.errors import ConfigError
from reqctl.validation.findings import Finding, RuleInfo, Severity
from reqctl.validation.formats import FORMATS, render_error_document, render_findings
from reqctl.validation.registry import GATE_RULES, rule_infos
from reqctl.validation.ruledocs import RULE_HELP, help_uri

DATA = Path(__file__).parent / "data"
RULES_DOC = Path(__file__).parent.parent / "docs" / "RULES.md"

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


@cache
def junit_schema() -> etree.XMLSchema:
    """Jenkins xunit's junit-10.xsd, the schema most JUnit consumers follow."""
    return etree.XMLSchema(etree.parse(str(DATA / "junit-10.xsd")))


def assert_valid_junit(output: str) -> None:
    document = etree.fromstring(output.encode("utf-8"))
    schema = junit_schema()
    assert schema.validate(document), schema.error_log


@cache
def sarif_validator() -> jsonschema.protocols.Validator:
    """The OASIS SARIF 2.1.0 schema, as GitHub code scanning checks uploads against it."""
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator: jsonschema.protocols.Validator = validator_class(
        schema, format_checker=validator_class.FORMAT_CHECKER
    )
    return validator


def assert_valid_sarif(output: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(output)
    sarif_validator().validate(document)
    return document


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
    assert suite.get("skipped") == "0"
    assert root.get("skipped") is None  # junit-10.xsd has no 'skipped' on <testsuites>


@pytest.mark.parametrize(
    "findings", [FINDINGS, [], [Finding("R003", Severity.WARNING, "w", "a.md")]], ids=["mixed", "clean", "warning"]
)
def test_junit_validates_against_jenkins_xsd(findings: list[Finding]) -> None:
    assert_valid_junit(render("junit", findings))


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
    rule = driver["rules"][2]
    assert rule["id"] == "R012"
    assert rule["name"] == "title-required"
    assert rule["shortDescription"] == {"text": "Every item needs a title"}
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["fullDescription"]["text"] == RULE_HELP["R012"].details.replace("`", "")
    assert rule["helpUri"] == "https://github.com/reqctl/reqctl/blob/main/docs/RULES.md#r012"
    assert "How to fix: " in rule["help"]["text"] and "`" not in rule["help"]["text"]
    assert "**How to fix:**" in rule["help"]["markdown"]
    assert "check.severity.R012" in rule["help"]["text"]
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
    assert no_line["region"] == {"startLine": 1}  # code scanning shows file-level findings at line 1
    project = results["No owner configured"]["locations"][0]["physicalLocation"]
    assert project["artifactLocation"]["uri"] == "reqctl.yaml"
    assert project["region"] == {"startLine": 1}


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


def test_sarif_validates_against_oasis_schema(tmp_path: Any) -> None:
    assert_valid_sarif(render("sarif", project_root=str(tmp_path)))
    assert_valid_sarif(render("sarif", [], project_root=str(tmp_path), path_prefix="docs/reqs/"))


def test_sarif_plugin_rules_without_help_keep_the_short_description() -> None:
    rules = [RuleInfo("X100", "plugin", "From a plugin", Severity.WARNING)]
    document = assert_valid_sarif(render_findings([], rules, "sarif", tool_version="1", checked_files=0))
    assert document["runs"][0]["tool"]["driver"]["rules"] == [
        {"id": "X100", "name": "plugin", "shortDescription": {"text": "From a plugin"},
         "defaultConfiguration": {"level": "warning"}}
    ]


# --- projects in a subfolder of the repository -----------------------------------------------


def test_subfolder_sarif_names_files_from_the_repository_root(tmp_path: Path) -> None:
    project_root = tmp_path / "mono" / "docs" / "reqs"
    run = sarif_run(project_root=str(project_root), path_prefix="docs/reqs/")
    uris = {r["message"]["text"]: r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]}
    assert uris["Second title problem"] == {"uri": "docs/reqs/reqs/REQ-002.md", "uriBaseId": "%SRCROOT%"}
    assert uris["No owner configured"]["uri"] == "docs/reqs/reqctl.yaml"
    # %SRCROOT% + uri is the file on disk: the repository root, not the project folder.
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "mono").as_uri() + "/"


def test_subfolder_junit_names_files_from_the_repository_root() -> None:
    output = render("junit", path_prefix="docs/reqs/")
    assert_valid_junit(output)
    cases = cases_by_class(parse_junit(output))
    assert set(cases) == {"reqctl.project", "reqctl.docs/reqs/reqs/REQ-001.md", "reqctl.docs/reqs/reqs/REQ-002.md",
                          "reqctl"}
    assert cases["reqctl.project"].get("name") == "docs/reqs/reqctl.yaml"
    failure = cases["reqctl.docs/reqs/reqs/REQ-002.md"].find("failure")
    assert failure is not None and failure.text is not None
    assert failure.text.startswith("docs/reqs/reqs/REQ-002.md:3: error R012")


def test_subfolder_text_and_json_stay_relative_to_the_project() -> None:
    assert "docs/reqs" not in render("text", path_prefix="docs/reqs/")
    assert "docs/reqs" not in render("json", path_prefix="docs/reqs/")


# --- rule documentation -----------------------------------------------------------------------


def rules_doc_sections() -> dict[str, str]:
    text = RULES_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## (\S+)\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_rule_has_help_and_a_section_in_docs_rules() -> None:
    sections = rules_doc_sections()
    infos = [*rule_infos(), *GATE_RULES]
    assert [info.code for info in infos] == list(sections)  # same rules, same order, anchors #r001…
    assert set(RULE_HELP) == set(sections)
    for info in infos:
        section, help_ = sections[info.code], RULE_HELP[info.code]
        assert f"**{info.name}** · default: {info.default_severity.value}" in section
        assert help_.details in section and help_.fix in section
        assert help_uri(info.code).endswith(f"docs/RULES.md#{info.code.lower()}")


def test_real_rules_render_valid_sarif_with_help() -> None:
    infos = [*rule_infos(), *GATE_RULES]
    document = assert_valid_sarif(render_findings([], infos, "sarif", tool_version="1", checked_files=0))
    for rule in document["runs"][0]["tool"]["driver"]["rules"]:
        assert {"fullDescription", "help", "helpUri"} <= set(rule), rule["id"]
        assert set(rule["help"]) == {"text", "markdown"}


# --- a run that could not check ---------------------------------------------------------------


def config_error(line: int | None = 4) -> ConfigError:
    return ConfigError("check.severity names unknown rule R999", path="reqctl.yaml", line=line)


def test_error_document_none_for_line_formats() -> None:
    for fmt in ("text", "github"):
        assert render_error_document(fmt, config_error(), tool_version="1") is None


def test_error_document_json() -> None:
    document = json.loads(render_error_document("json", config_error(), tool_version="1.2.3") or "")
    assert document["error"] == {"message": "check.severity names unknown rule R999", "path": "reqctl.yaml",
                                 "line": 4}
    assert document["summary"] == {"errors": 1, "warnings": 0, "files": 0}
    assert document["findings"] == []
    assert document["version"] == 1 and document["tool_version"] == "1.2.3"


@pytest.mark.parametrize("line", [4, None])
def test_error_document_junit(line: int | None) -> None:
    output = render_error_document("junit", config_error(line), tool_version="1", path_prefix="docs/")
    assert output is not None
    assert_valid_junit(output)
    root = parse_junit(output)
    assert root.get("errors") == "1" and root.get("tests") == "1"
    error = root.find("testsuite/testcase/error")
    assert error is not None
    assert error.get("type") == "ConfigError"
    assert error.get("message") == "check.severity names unknown rule R999"
    where = "docs/reqctl.yaml:4" if line else "docs/reqctl.yaml"
    assert error.text == f"{where}: error: check.severity names unknown rule R999"


@pytest.mark.parametrize("line", [4, None])
def test_error_document_sarif(tmp_path: Path, line: int | None) -> None:
    output = render_error_document(
        "sarif", config_error(line), tool_version="1", project_root=str(tmp_path / "docs"), path_prefix="docs/"
    )
    document = assert_valid_sarif(output or "")
    run = document["runs"][0]
    assert run["results"] == []
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notification = invocation["toolConfigurationNotifications"][0]
    assert notification["level"] == "error"
    assert "unknown rule R999" in notification["message"]["text"]
    physical = notification["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "docs/reqctl.yaml", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": line or 1}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_error_document_without_a_file(tmp_path: Path) -> None:
    error = ConfigError("not a reqctl project")
    assert_valid_sarif(render_error_document("sarif", error, tool_version="1") or "")
    assert_valid_junit(render_error_document("junit", error, tool_version="1") or "")
    assert json.loads(render_error_document("json", error, tool_version="1") or "")["error"]["path"] is None


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
@given(findings_strategy, st.sampled_from(["", "docs/", "a b/要件/"]))
def test_property_sarif_round_trips(findings: list[Finding], prefix: str) -> None:
    document = assert_valid_sarif(render("sarif", findings, project_root="/tmp/p/" + prefix, path_prefix=prefix))
    prefixed = document["runs"][0]["results"]
    assert all(
        unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).startswith(prefix) for r in prefixed
    )
    assert document["runs"][0].get("originalUriBaseIds", {}).get("%SRCROOT%", {}).get("uri") == "file:///tmp/p/"
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
    assert_valid_junit(output)
    assert_valid_junit(render("junit", findings, path_prefix="docs/"))
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


# --- through the CLI, in real repositories ----------------------------------------------------


def subfolder_project(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "mono"
    project = repo / "docs" / "reqs"
    (project / "requirements").mkdir(parents=True)
    git(repo, "init", "-q")
    write_config(project)
    write_item(project, "requirements", "REQ-001", "title: x\nbogus: 1\ndepends_on: [REQ-404]\n")
    return repo, project


def test_cli_subfolder_sarif_points_at_files_that_exist(tmp_path: Path) -> None:
    repo, project = subfolder_project(tmp_path)
    result = run_reqctl(project, "check", "--format", "sarif")
    assert result.code == 1, result.err
    run = assert_valid_sarif(result.out)["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == repo.resolve().as_uri() + "/"
    for res in run["results"]:
        artifact = res["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uri"] == "docs/reqs/requirements/REQ-001.md"
        # what `sarif blame` and code scanning do: resolve the uri against the checkout
        assert (repo / unquote(artifact["uri"])).is_file()


def test_cli_subfolder_junit_names_files_from_the_repository_root(tmp_path: Path) -> None:
    _repo, project = subfolder_project(tmp_path)
    result = run_reqctl(project, "check", "--format", "junit")
    assert result.code == 1, result.err
    assert_valid_junit(result.out)
    assert "reqctl.docs/reqs/requirements/REQ-001.md" in cases_by_class(parse_junit(result.out))


BAD_CONFIGS = {
    "unknown rule": ("check:\n  severity:\n    R999: off\n", "unknown rule R999"),
    "broken yaml": ("priorities: [must\n", "reqctl.yaml"),
}


@pytest.mark.parametrize("bad", BAD_CONFIGS, ids=list(BAD_CONFIGS))
@pytest.mark.parametrize("fmt", ["json", "junit", "sarif"])
def test_cli_config_error_prints_a_document_carrying_it(project: Path, bad: str, fmt: str) -> None:
    extra, expected = BAD_CONFIGS[bad]
    write_config(project, extra)
    result = run_reqctl(project, "check", "--format", fmt)
    assert result.code == 2
    err_lines = result.err.strip().splitlines()
    assert len(err_lines) == 1 and err_lines[0].startswith("error: ") and expected in err_lines[0], result.err
    message = err_lines[0].removeprefix("error: ")
    if fmt == "json":
        document = json.loads(result.out)
        assert document["error"]["message"] in message and document["summary"]["errors"] == 1
    elif fmt == "junit":
        assert_valid_junit(result.out)
        error = parse_junit(result.out).find("testsuite/testcase/error")
        assert error is not None and error.get("message", "") in message
    else:
        notification = assert_valid_sarif(result.out)["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
        assert notification[0]["message"]["text"] == message


def test_cli_config_error_in_text_formats_prints_only_the_error(project: Path) -> None:
    write_config(project, "check:\n  severity:\n    R999: off\n")
    for fmt in ("text", "github"):
        result = run_reqctl(project, "check", "--format", fmt)
        assert (result.code, result.out) == (2, "")
        assert len(result.err.strip().splitlines()) == 1
