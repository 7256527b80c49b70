"""`reqctl check` as a CI gate: every rule, bad input, policies, formats, read-only use, the cache."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import CUSTOMER, Result, git, run_reqctl, write_config, write_item
from reqctl.store.statedir import state_dir

GOOD_REQ = "title: Export invoices\nstatus: draft\npriority: must\nacceptance: [Fast]\n"


def one_line_error(result: Result, code: int = 2) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    return lines[0]


def findings(result: Result, code: str) -> list[str]:
    return [line for line in result.out.splitlines() if re.search(rf"\b(error|warning) {code}\b", line)]


def check(project: Path, *args: str) -> Result:
    return run_reqctl(project, "check", *args)


def assert_finding(project: Path, code: str, where: str, *, exit_code: int = 1, args: tuple[str, ...] = ()) -> str:
    """Run check; exactly the expected exit code and a finding of ``code`` starting with ``where``."""
    result = check(project, *args)
    assert result.code == exit_code, result.out + result.err
    assert "Traceback" not in result.err
    lines = findings(result, code)
    assert lines, result.out
    assert any(line.startswith(where) for line in lines), lines
    return "\n".join(lines)


def healthy(project: Path) -> None:
    """A small project with every kind, valid references and one real approval."""
    write_item(project, "requirements", "REQ-001", GOOD_REQ + "milestone: M1\n", "Body.\n")
    write_item(
        project,
        "requirements",
        "REQ-002",
        "title: Archive\nstatus: proposed\ndepends_on: [REQ-001]\nsource: MTG-001\nacceptance: [Kept 10 years]\n",
    )
    write_item(project, "risks", "RISK-001", "title: Late data\nprobability: 3\nimpact: 4\nrelates: [REQ-001]\n")
    write_item(project, "decisions", "DEC-001", "title: Use PDF/A\nstatus: accepted\nrelates: [REQ-002]\n")
    write_item(project, "decisions", "DEC-002", "title: Use PDF/A-3\nstatus: proposed\nsupersedes: [DEC-001]\n")
    write_item(
        project,
        "meetings",
        "MTG-001",
        "title: Kickoff\ndate: 2026-09-02\nactions:\n  - {what: Send contract, owner: a@b.c, due: 2026-09-09}\n",
    )
    write_item(project, "changes", "CR-001", "title: Add XML export\nstatus: proposed\naffects: [REQ-001]\n")
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0


# --- healthy and rule by rule ------------------------------------------------------------


def test_healthy_project_exits_0(project: Path) -> None:
    healthy(project)
    result = check(project)
    assert result.code == 0, result.out
    assert result.out.strip() == "No problems found in 7 files."
    assert result.err == ""


def test_rules_are_listed(project: Path) -> None:
    result = check(project, "--rules")
    assert result.code == 0
    codes = re.findall(r"^(R\d{3})\s", result.out, re.MULTILINE)
    assert codes == [f"R{n:03d}" for n in range(1, 19)]


def test_r001_malformed_yaml_names_file_and_line(project: Path) -> None:
    (project / "requirements" / "REQ-001.md").write_text(
        "---\nid: REQ-001\ntitle: ok\nacceptance: [unclosed\nstatus: draft\n---\n", encoding="utf-8"
    )
    text = assert_finding(project, "R001", "requirements/REQ-001.md:")
    line = int(text.split(":")[1])
    assert 4 <= line <= 6, text
    assert "YAML" in text


def test_r001_no_front_matter(project: Path) -> None:
    (project / "requirements" / "REQ-001.md").write_text("# Just markdown\n", encoding="utf-8")
    text = assert_finding(project, "R001", "requirements/REQ-001.md:1:")
    assert "front matter" in text


def test_r001_unclosed_front_matter(project: Path) -> None:
    (project / "requirements" / "REQ-001.md").write_text("---\nid: REQ-001\ntitle: x\n", encoding="utf-8")
    assert "not closed" in assert_finding(project, "R001", "requirements/REQ-001.md:1:")


def test_r001_not_utf8(project: Path) -> None:
    (project / "requirements" / "REQ-001.md").write_bytes(b"---\nid: REQ-001\ntitle: Caf\xe9 (latin-1)\n---\n")
    text = assert_finding(project, "R001", "requirements/REQ-001.md:3:")
    assert "UTF-8" in text


def test_r001_control_character_is_one_line(project: Path) -> None:
    """Found by the property tests: the YAML message for a control character had two lines."""
    (project / "requirements" / "REQ-001.md").write_bytes(b"---\nid: REQ-001\ntitle: a\x07b\n---\n")
    result = check(project, "--format", "github")
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if "R001" in line]
    assert len(lines) == 1 and "line=3" in lines[0], result.out
    assert "U+0007" in lines[0]


def test_r001_front_matter_not_a_mapping(project: Path) -> None:
    (project / "requirements" / "REQ-001.md").write_text("---\n- a\n- b\n---\n", encoding="utf-8")
    assert_finding(project, "R001", "requirements/REQ-001.md:")


def test_r001_alias_bomb_finishes_quickly(project: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    (project / "requirements" / "REQ-001.md").write_text(
        "---\nid: REQ-001\ntitle: bomb\n" + "\n".join(lines) + "\n---\n", encoding="utf-8"
    )
    start = time.monotonic()
    text = assert_finding(project, "R001", "requirements/REQ-001.md:")
    assert time.monotonic() - start < 20
    assert "too many values" in text


@pytest.mark.parametrize(
    "nesting",
    ["[" * 50_000 + "]" * 50_000, "\n" + "- " * 50_000 + "1", "{a: " * 30_000 + "1" + "}" * 30_000],
    ids=["flow-sequences", "block-sequences", "flow-mappings"],
)
def test_r001_deep_nesting_is_refused_not_a_crash(project: Path, nesting: str) -> None:
    """Found while testing: 50,000 nested brackets made libyaml segfault (exit 139)."""
    (project / "requirements" / "REQ-001.md").write_text(
        f"---\nid: REQ-001\ntitle: deep\nx: {nesting}\n---\n", encoding="utf-8"
    )
    text = assert_finding(project, "R001", "requirements/REQ-001.md:")
    assert "nest" in text  # reqctl says "nested"; newer PyYAML says "nesting depth"


def test_r001_huge_file_is_refused_quickly(project: Path) -> None:
    body = ("word " * 20 + "\n") * 50_000  # about 5 MB
    (project / "requirements" / "REQ-001.md").write_text("---\nid: REQ-001\ntitle: big\n---\n" + body, encoding="utf-8")
    assert (project / "requirements" / "REQ-001.md").stat().st_size >= 5_000_000
    start = time.monotonic()
    text = assert_finding(project, "R001", "requirements/REQ-001.md")
    assert time.monotonic() - start < 20
    assert "limit" in text


@pytest.mark.parametrize(
    ("front", "needle"),
    [
        ("title: x\nstatus: nonsense\n", "status"),
        ("status: draft\n", "title"),
        ("title: x\nacceptance: {a: 1}\n", "acceptance"),
    ],
)
def test_r002_invalid_fields(project: Path, front: str, needle: str) -> None:
    write_item(project, "requirements", "REQ-001", front)
    assert needle in assert_finding(project, "R002", "requirements/REQ-001.md")


def test_r002_risk_score_out_of_range(project: Path) -> None:
    write_item(project, "risks", "RISK-001", "title: r\nprobability: 9\nimpact: 1\n")
    assert "probability" in assert_finding(project, "R002", "risks/RISK-001.md:4:")


def test_r003_unknown_field_is_only_a_warning(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", GOOD_REQ + "prioritty: must\n")
    text = assert_finding(project, "R003", "requirements/REQ-001.md:7:", exit_code=0)
    assert "prioritty" in text and "warning" in text


def test_r004_id_does_not_match_file_name(project: Path) -> None:
    path = write_item(project, "requirements", "REQ-001", GOOD_REQ)
    path.write_text(path.read_text(encoding="utf-8").replace("id: REQ-001", "id: REQ-002"), encoding="utf-8")
    assert "REQ-002" in assert_finding(project, "R004", "requirements/REQ-001.md:2:")


def test_r005_wrong_prefix_for_folder(project: Path) -> None:
    write_item(project, "requirements", "RISK-001", GOOD_REQ)
    assert "prefix REQ" in assert_finding(project, "R005", "requirements/RISK-001.md")


def test_r006_duplicate_ids_name_every_file(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", GOOD_REQ)
    write_item(project, "requirements", "REQ-0001", GOOD_REQ)
    write_item(project, "requirements", "REQ-01", GOOD_REQ)  # also a bad ID, but the same number
    text = assert_finding(project, "R006", "requirements/REQ-0001.md:2:")
    for line in text.splitlines():
        for name in ("REQ-001.md", "REQ-0001.md", "REQ-01.md"):
            assert f"requirements/{name}" in line.split(" R006 ", 1)[1], line


@pytest.mark.parametrize(
    ("folder", "item_id", "front", "field"),
    [
        ("requirements", "REQ-001", GOOD_REQ + "depends_on: [REQ-404]\n", "depends_on"),
        ("requirements", "REQ-001", GOOD_REQ + "source: MTG-404\n", "source"),
        ("requirements", "REQ-001", GOOD_REQ + "milestone: M9\n", "milestone"),
        ("changes", "CR-001", "title: c\naffects: [REQ-404]\n", "affects"),
        ("risks", "RISK-001", "title: r\nprobability: 1\nimpact: 1\nrelates: [DEC-404]\n", "relates"),
        ("decisions", "DEC-001", "title: d\nsupersedes: [DEC-404]\n", "supersedes"),
        ("meetings", "MTG-001", "title: m\ndate: 2026-01-01\nrelates: [REQ-404]\n", "relates"),
    ],
)
def test_r007_broken_reference_of_each_field(project: Path, folder: str, item_id: str, front: str, field: str) -> None:
    write_item(project, folder, item_id, front)
    text = assert_finding(project, "R007", f"{folder}/{item_id}.md:")
    assert f"{field}:" in text
    assert "404" in text or "M9" in text


def test_r007_reference_to_the_wrong_kind(project: Path) -> None:
    write_item(project, "risks", "RISK-001", "title: r\nprobability: 1\nimpact: 1\n")
    write_item(project, "requirements", "REQ-001", GOOD_REQ + "depends_on: [RISK-001]\n")
    assert "RISK-001 is a risk" in assert_finding(project, "R007", "requirements/REQ-001.md:7:")


def test_r008_cycle_is_named_in_order(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", GOOD_REQ + "depends_on: [REQ-002]\n")
    write_item(project, "requirements", "REQ-002", GOOD_REQ + "depends_on: [REQ-003]\n")
    write_item(project, "requirements", "REQ-003", GOOD_REQ + "depends_on: [REQ-001]\n")
    write_item(project, "requirements", "REQ-004", GOOD_REQ + "depends_on: [REQ-004]\n")
    text = assert_finding(project, "R008", "requirements/REQ-001.md:7:")
    assert "dependency cycle: REQ-001 → REQ-002 → REQ-003 → REQ-001" in text
    assert "dependency cycle: REQ-004 → REQ-004" in text
    assert len(text.splitlines()) == 2


def test_r009_priority_not_configured(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: x\npriority: urgent\n")
    assert "urgent" in assert_finding(project, "R009", "requirements/REQ-001.md:4:")


def test_r010_missing_approval(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", GOOD_REQ.replace("draft", "approved"))
    assert "reqctl approve REQ-001" in assert_finding(project, "R010", "requirements/REQ-001.md:4:")


def test_r011_stale_approval(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", GOOD_REQ)
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    path = project / "requirements" / "REQ-001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("[Fast]", "[Slow]"), encoding="utf-8")
    text = assert_finding(project, "R011", "requirements/REQ-001.md:")
    assert f"changed since approved by {CUSTOMER}" in text and "approve again" in text


def test_r012_approval_by_a_non_approver(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", GOOD_REQ)
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    path = project / "requirements" / "REQ-001.md"
    path.write_text(path.read_text(encoding="utf-8").replace(f"by: {CUSTOMER}", "by: mallory@example.com"))
    result = check(project)
    assert result.code == 1
    assert findings(result, "R012") and not findings(result, "R011"), result.out
    assert "mallory@example.com" in findings(result, "R012")[0]


def test_r013_approved_without_acceptance(project: Path) -> None:
    write_item(
        project,
        "requirements",
        "REQ-001",
        f"title: x\nstatus: approved\napproval: {{by: {CUSTOMER}, at: 2026-01-01, fingerprint: 'sha256:00'}}\n",
    )
    assert "acceptance" in assert_finding(project, "R013", "requirements/REQ-001.md:4:")


def test_r014_change_without_approvals(project: Path) -> None:
    write_item(project, "changes", "CR-001", "title: c\nstatus: approved\n")
    assert "customer, pm" in assert_finding(project, "R014", "changes/CR-001.md:4:")


def test_r015_overdue_risk_review_is_a_warning(project: Path) -> None:
    write_item(project, "risks", "RISK-001", "title: r\nprobability: 2\nimpact: 2\nreview_by: 2026-01-01\n")
    assert_finding(project, "R015", "risks/RISK-001.md:6:", exit_code=0, args=("--today", "2026-02-01"))
    assert check(project, "--today", "2025-12-01").out.startswith("No problems")


def test_r016_require_approved_and_milestone(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", GOOD_REQ + "milestone: M1\n")
    write_item(project, "requirements", "REQ-002", GOOD_REQ + "milestone: M2\n")
    write_item(project, "requirements", "REQ-003", GOOD_REQ.replace("draft", "rejected") + "milestone: M1\n")
    assert check(project).code == 0  # not a gate by default
    result = check(project, "--require-approved")
    assert result.code == 1
    assert {line.split(":")[0] for line in findings(result, "R016")} == {
        "requirements/REQ-001.md",
        "requirements/REQ-002.md",
    }
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    gate = check(project, "--require-approved", "--milestone", "M1")
    assert gate.code == 0, gate.out
    assert check(project, "--require-approved", "--milestone", "M2").code == 1
    assert "M7" in one_line_error(check(project, "--require-approved", "--milestone", "M7"))
    one_line_error(check(project, "--milestone", "M1"))


# --- configuration --------------------------------------------------------------------------


def test_severity_override_to_error_and_off(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", GOOD_REQ + "colour: blue\n")
    write_config(project, "check:\n  severity: {R003: error}\n")
    assert_finding(project, "R003", "requirements/REQ-001.md:7: error", exit_code=1)
    write_config(project, "check:\n  severity: {R003: off}\n")
    result = check(project)
    assert result.code == 0 and "R003" not in result.out, result.out


def test_severity_override_error_to_warning(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: x\npriority: urgent\n")
    write_config(project, "check:\n  severity: {R009: warning}\n")
    assert_finding(project, "R009", "requirements/REQ-001.md:4: warning", exit_code=0)


def test_unknown_rule_code_in_config(project: Path) -> None:
    write_config(project, "check:\n  severity: {R999: error}\n")
    line = one_line_error(check(project))
    assert "R999" in line and "reqctl.yaml" in line


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("roles: [unclosed\n", "reqctl.yaml:"),
        ("colour: blue\n", "colour"),
        ("language: fr\n", "language"),
        ("approvals:\n  requirement: [nobody]\n", "nobody"),
    ],
)
def test_bad_config_exit_2_with_line(project: Path, extra: str, needle: str) -> None:
    text = (project / "reqctl.yaml").read_text(encoding="utf-8")
    if extra.startswith(("roles", "approvals")):
        text = text.split("roles:")[0]
    (project / "reqctl.yaml").write_text(text + extra, encoding="utf-8")
    line = one_line_error(check(project))
    assert "reqctl.yaml" in line and needle in line, line
    if "[unclosed" in extra or extra.startswith("colour"):
        assert re.search(r"reqctl\.yaml:\d+", line), line


def test_config_not_utf8_or_empty(project: Path) -> None:
    (project / "reqctl.yaml").write_bytes(b"name: Caf\xe9\n")
    assert "UTF-8" in one_line_error(check(project))
    (project / "reqctl.yaml").write_text("", encoding="utf-8")
    assert "name" in one_line_error(check(project))


# --- formats ----------------------------------------------------------------------------------


@pytest.fixture
def broken(project: Path) -> Path:
    write_item(project, "requirements", "REQ-001", GOOD_REQ + "depends_on: [REQ-404]\ncolour: red\n")
    return project


def test_format_json(broken: Path) -> None:
    result = check(broken, "--format", "json")
    assert result.code == 1
    data = json.loads(result.out)
    text = json.dumps(data)
    assert "R007" in text and "R003" in text and "requirements/REQ-001.md" in text


def test_format_junit(broken: Path) -> None:
    result = check(broken, "--format", "junit")
    assert result.code == 1
    root = ET.fromstring(result.out)
    assert root.tag in ("testsuites", "testsuite")
    assert root.iter("failure") is not None
    assert any("R007" in ET.tostring(f, encoding="unicode") for f in root.iter("failure"))


def test_format_sarif(broken: Path) -> None:
    result = check(broken, "--format", "sarif")
    assert result.code == 1
    data = json.loads(result.out)
    assert data["version"] == "2.1.0"
    results = data["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"R007", "R003"}


def test_format_github(broken: Path) -> None:
    result = check(broken, "--format", "github")
    assert result.code == 1
    lines = result.out.splitlines()
    assert any(line.startswith("::error file=requirements/REQ-001.md,line=7") for line in lines), lines
    assert any(line.startswith("::warning file=requirements/REQ-001.md") for line in lines), lines


def test_unknown_format(project: Path) -> None:
    assert "--format" in one_line_error(check(project, "--format", "xml"))


# --- read-only, never modifies, cache -------------------------------------------------------


def tracked_state(project: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(project).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in project.rglob("*")
        if p.is_file()
        and ".git" not in p.relative_to(project).parts[:1]
        and ".reqctl" not in p.relative_to(project).parts[:1]
    }


def test_check_never_modifies_tracked_files(project: Path) -> None:
    healthy(project)
    write_item(project, "requirements", "REQ-009", "title: broken\nstatus: weird\n")
    (project / "requirements" / "REQ-010.md").write_bytes(b"\xff\xfe")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "items")
    before = tracked_state(project)
    for args in ((), ("--format", "json"), ("--require-approved",), ("--format", "sarif")):
        assert check(project, *args).code == 1
    assert git(project, "status", "--porcelain") == ""
    assert tracked_state(project) == before


def test_cache_is_safe_to_delete(project: Path) -> None:
    healthy(project)
    write_item(project, "requirements", "REQ-009", "title: x\nstatus: approved\nacceptance: [a]\n")
    first = check(project)
    state = state_dir(project)
    assert (state / "cache.sqlite").is_file()
    assert not (project / ".reqctl").exists()  # nothing of reqctl's in the working tree
    assert check(project).out == first.out  # from the cache
    shutil.rmtree(state)
    assert check(project).out == first.out
    (state / "cache.sqlite").write_bytes(b"garbage")
    again = check(project)
    assert again.out == first.out and again.err == ""
    assert run_reqctl(project, "--no-cache", "check").out == first.out


def test_cache_never_serves_stale_content(project: Path) -> None:
    path = write_item(project, "requirements", "REQ-001", "title: x\npriority: must\n")
    assert check(project).code == 0
    path.write_text(path.read_text(encoding="utf-8").replace("must", "mist"), encoding="utf-8")
    assert_finding(project, "R009", "requirements/REQ-001.md:4:")
    path.write_text(path.read_text(encoding="utf-8").replace("mist", "must"), encoding="utf-8")
    assert check(project).code == 0


def test_cache_catches_edit_with_same_size_and_mtime(project: Path) -> None:
    path = write_item(project, "requirements", "REQ-001", "title: x\npriority: must\n")
    assert check(project).code == 0
    info = path.stat()
    with path.open("r+b") as handle:  # rewrite in place: same inode, same size
        data = handle.read().replace(b"must", b"mist")
        handle.seek(0)
        handle.write(data)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (info.st_size, info.st_mtime_ns, info.st_ino)
    assert_finding(project, "R009", "requirements/REQ-001.md:4:")


def test_cache_catches_a_renamed_file_swapped_in(project: Path) -> None:
    path = write_item(project, "requirements", "REQ-001", "title: x\npriority: must\n")
    assert check(project).code == 0
    other = project / "tmp.md"
    other.write_text(path.read_text(encoding="utf-8").replace("must", "mist"), encoding="utf-8")
    info = path.stat()
    os.utime(other, ns=(info.st_atime_ns, info.st_mtime_ns))
    other.replace(path)
    assert_finding(project, "R009", "requirements/REQ-001.md:4:")


def test_check_when_the_cache_cannot_be_written(project: Path) -> None:
    """Works also as root, where chmod cannot make a folder read-only: the state folder is a file."""
    healthy(project)
    write_item(project, "requirements", "REQ-009", "title: x\nstatus: approved\nacceptance: [a]\n")
    expected = run_reqctl(project, "--no-cache", "check")
    state = state_dir(project)
    shutil.rmtree(state, ignore_errors=True)  # approving took the project lock in it
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text("not a folder\n", encoding="utf-8")
    result = check(project)
    assert result.code == 1
    assert result.out == expected.out
    assert result.err == ""
    assert state.read_text(encoding="utf-8") == "not a folder\n"


@pytest.mark.parametrize(
    ("front", "line"),
    [
        ("title: r\nprobability: 1\nimpact: 1\nreview_by: 2026-02-30\n", 6),
        ("title: r\nprobability: 1\nimpact: !!int high\n", 5),
        ("title: r\nprobability: 1\nimpact: 1\nowner: !!timestamp soon\n", 6),
    ],
)
def test_r001_values_yaml_cannot_build(project: Path, front: str, line: int) -> None:
    """Found by the property tests: these crashed check with an internal error."""
    write_item(project, "risks", "RISK-001", front)
    assert_finding(project, "R001", f"risks/RISK-001.md:{line}: error")


def test_bad_date_in_config(project: Path) -> None:
    write_config(project, "start: 2026-02-30\n")
    line = one_line_error(check(project))
    assert line.startswith("error: reqctl.yaml:13:"), line


def test_github_annotations_name_files_from_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    (repo / "docs" / "reqs" / "requirements").mkdir(parents=True)
    git(repo, "init", "-q")
    write_config(repo / "docs" / "reqs")
    write_item(repo / "docs" / "reqs", "requirements", "REQ-001", "title: x\nbogus: 1\n")
    result = run_reqctl(repo / "docs" / "reqs", "check", "--format", "github")
    assert "::warning file=docs/reqs/requirements/REQ-001.md,line=4,title=R003::" in result.out
    plain = run_reqctl(repo / "docs" / "reqs", "check")
    assert "requirements/REQ-001.md:4: warning R003" in plain.out.splitlines()[0]
