"""Importing a source again removes what the source removed, and only what the import owns.

The rule (README, "Migrating to reqctl"): Doorstop, StrictDoc and ReqIF imports own the title,
the body, ``source``, the link field and their ``x-<tool>`` field (Doorstop also ``tags``); a
sheet owns the columns it has.  ``status``, approvals and every field set in reqctl stay.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from pathlib import Path
from typing import Any

import yaml

from conftest import git, run_reqctl

ROOT = Path(__file__).resolve().parents[1]


def _front(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert isinstance(data, dict)
    return data


def _doorstop(folder: Path, first_extra: str, links: str, derived: str = "false") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / ".doorstop.yml").write_text("settings:\n  digits: 3\n  prefix: SRD\n  sep: ''\n", encoding="utf-8")
    (folder / "SRD001.yml").write_text(
        f"active: true\nderived: {derived}\nheader: Login\nlevel: 1.0\n{links}normative: true\nref: ''\n"
        f"reviewed: null\ntext: |\n  Users log in.\n{first_extra}", encoding="utf-8")
    (folder / "SRD002.yml").write_text(
        "active: true\nderived: false\nheader: Accounts\nlevel: 1.1\nlinks: []\nnormative: true\nref: ''\n"
        "reviewed: null\ntext: |\n  Accounts exist.\n", encoding="utf-8")
    return folder


def test_doorstop_reimport_removes_a_link_an_attribute_and_a_tag_and_keeps_reqctl_fields(
    project: Path, tmp_path: Path
) -> None:
    tree = _doorstop(tmp_path / "srd", "vendor: Acme\n", "links:\n- SRD002: null\n", derived="true")
    assert run_reqctl(project, "import", "doorstop", str(tree)).code == 0
    first = project / "requirements/REQ-001.md"
    data = _front(first)
    assert data["depends_on"] == ["REQ-002"] and data["x-doorstop"]["vendor"] == "Acme"
    assert data["tags"] == ["SRD", "derived"]
    assert run_reqctl(project, "req", "set", "REQ-001", "priority=must", "owner=ana").code == 0
    assert run_reqctl(project, "req", "status", "REQ-001", "proposed").code == 0
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "imported and triaged")

    _doorstop(tree, "", "links: []\n")  # the source drops the link, the attribute and 'derived'
    dry = run_reqctl(project, "import", "doorstop", str(tree), "--dry-run")
    assert dry.code == 0, dry.err
    assert "would update REQ-001  doorstop:SRD001  (tags, x-doorstop, depends_on)" in dry.out
    assert "0 created, 1 updated, 1 unchanged" in dry.out
    result = run_reqctl(project, "import", "doorstop", str(tree))
    assert result.code == 0, result.err
    data = _front(first)
    assert "depends_on" not in data and "vendor" not in data["x-doorstop"] and data["tags"] == ["SRD"]
    # what reqctl owns stays: the status set here, priority and owner
    assert (data["status"], data["priority"], data["owner"]) == ("proposed", "must", "ana")
    again = run_reqctl(project, "import", "doorstop", str(tree), "--dry-run")
    assert "0 created, 0 updated, 2 unchanged" in again.out


def _bench_reqif(count: int) -> str:
    spec = importlib.util.spec_from_file_location("import_reqif_bench", ROOT / "bench/import_reqif.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.generate(count)
    assert isinstance(text, str)
    return text


def test_reqif_reimport_removes_a_relation_the_source_removed(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "doors.reqif"
    text = _bench_reqif(3)  # o1 -> o0, o2 -> o1
    source.write_text(text, encoding="utf-8")
    assert run_reqctl(project, "import", "reqif", str(source)).code == 0
    third = project / "requirements/REQ-003.md"
    assert _front(third)["depends_on"] == ["REQ-002"]
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "imported")
    source.write_text(re.sub(r'<SPEC-RELATION IDENTIFIER="r2".*\n', "", text), encoding="utf-8")
    result = run_reqctl(project, "import", "reqif", str(source))
    assert result.code == 0, result.err
    assert "update REQ-003  reqif:o2  (depends_on)" in result.out
    assert "depends_on" not in _front(third)
    assert git(project, "status", "--porcelain").strip() == "M requirements/REQ-003.md"


def _csv(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_sheet_reimport_empty_cell_removes_and_a_dropped_column_keeps(project: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "customer.csv"
    _csv(sheet, [["Req ID", "Title", "Tags", "Supplier", "Region"], ["K-1", "Login", "web, auth", "Acme", "EU"]])
    assert run_reqctl(project, "import", "csv", str(sheet)).code == 0
    item = project / "requirements/REQ-001.md"
    assert _front(item)["x-import"] == {"Supplier": "Acme", "Region": "EU"}
    _csv(sheet, [["Req ID", "Title", "Tags", "Supplier"], ["K-1", "Login", "", ""]])
    result = run_reqctl(project, "import", "csv", str(sheet))
    assert result.code == 0, result.err
    data = _front(item)
    # emptied cells: the tags and the custom field go; the Region column is not in this sheet: it stays
    assert "tags" not in data and data["x-import"] == {"Region": "EU"}
