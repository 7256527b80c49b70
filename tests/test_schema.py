"""``reqctl schema KIND``: JSON Schemas that the real validator (``jsonschema``) applies to real files.

The example projects' item files and reqctl.yaml must validate; files the
checker rejects must fail the schema too, so an editor flags what
``reqctl check`` would.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import run_reqctl
from reqctl.model.ids import FOLDERS, Kind
from reqctl.model.project import validate_item
from reqctl.store.reader import parse_bytes

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PROJECTS = sorted(p for p in EXAMPLES.iterdir() if (p / "reqctl.yaml").is_file())
KINDS = [kind.value for kind in Kind] + ["config"]


def as_editor_sees(data: Any) -> Any:
    """YAML as a JSON-based editor validates it: dates are strings."""
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)))


def validator(kind: str, tmp_path: Path) -> jsonschema.protocols.Validator:
    result = run_reqctl(tmp_path, "schema", kind)
    assert result.code == 0, result.err
    schema = json.loads(result.out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def errors(check: jsonschema.protocols.Validator, data: Any) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in check.iter_errors(as_editor_sees(data))]


@pytest.mark.parametrize("kind", KINDS)
def test_every_schema_is_valid_draft_2020_12(kind: str, tmp_path: Path) -> None:
    validator(kind, tmp_path)


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_example_projects_validate(project: Path, tmp_path: Path) -> None:
    config = yaml.safe_load((project / "reqctl.yaml").read_text(encoding="utf-8"))
    assert errors(validator("config", tmp_path), config) == []
    checked = 0
    for kind in Kind:
        check = validator(kind.value, tmp_path)
        for path in sorted((project / FOLDERS[kind]).glob("*.md")):
            if path.name.lower() == "readme.md":
                continue
            front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
            assert errors(check, front) == [], path
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize(("kind", "front", "field"), [
    ("requirement", "title: X\nstatus: done", "status"),
    ("requirement", "status: draft", ""),  # no title
    ("requirement", "title: X\napproval: {by: a@b.c}", "approval"),
    ("requirement", "title: X\ndepends_on: {a: 1}", "depends_on"),
    ("risk", "title: X\nprobability: 9\nimpact: 2", "probability"),
    ("change", "title: X\nimpact: {schedule_days: soon}", "impact"),
    ("meeting", "title: X\ndate: not-a-date", "date"),
    ("feedback", "title: X\nscore: 3\nfrom: [a, b]", "from"),
])
def test_a_bad_file_fails_the_schema_and_the_checker(kind: str, front: str, field: str, tmp_path: Path) -> None:
    data = yaml.safe_load(front)
    found = errors(validator(kind, tmp_path), data)
    assert found, front
    assert any(line.startswith(f"{field}:") for line in found), found
    item = parse_bytes(Kind(kind), f"x/{kind.upper()}-001.md", f"---\n{front}\n---\n".encode())
    assert validate_item(item)[1], "the checker must reject it too"


@pytest.mark.parametrize(("kind", "front"), [
    ("requirement", "title: X\ndepends_on: REQ-001\ntags:\nacceptance: one criterion"),  # the loader's leniencies
    ("meeting", "title: X\ndate: 2026-01-05\nkind: review\nactions:\n  - {what: Send notes, due: 2026-01-09}"),
    ("feedback", "title: X\nscore: 4\nfrom: customer@example.com\nteam_field: kept"),  # own keys are allowed
])
def test_what_the_checker_accepts_the_schema_accepts(kind: str, front: str, tmp_path: Path) -> None:
    item = parse_bytes(Kind(kind), f"x/{kind.upper()}-001.md", f"---\n{front}\n---\n".encode())
    assert validate_item(item)[1] == []
    assert errors(validator(kind, tmp_path), yaml.safe_load(front)) == []


def test_config_schema_rejects_unknown_settings_and_accepts_bare_off(tmp_path: Path) -> None:
    check = validator("config", tmp_path)
    assert errors(check, {"name": "P", "check": {"severity": {"R001": False}}}) == []
    assert any("colour" in line for line in errors(check, {"name": "P", "colour": "red"}))
    assert errors(check, {"name": "P", "language": "fr"})
    assert errors(check, {"customer": "no name"})


def test_schema_output_file_and_unknown_kind(tmp_path: Path) -> None:
    result = run_reqctl(tmp_path, "schema", "config", "-o", "reqctl.schema.json")
    assert result.code == 0, result.err
    assert json.loads((tmp_path / "reqctl.schema.json").read_text(encoding="utf-8"))["title"].startswith("reqctl")
    bad = run_reqctl(tmp_path, "schema", "widget")
    assert bad.code == 2 and "widget" in bad.err and bad.out == ""
