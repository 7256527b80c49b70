"""The shared import plan: IDs, links, idempotence, dry run, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import git

from reqctl.errors import ReqctlError, UsageError
from reqctl.importing.plan import ImportPlan, PlannedItem, apply_plan, kept_id


def _plan(title_b: str = "Second") -> ImportPlan:
    return ImportPlan(
        tool="test",
        items=[
            PlannedItem(source="t:A1", title="First", body="Body A", links=["t:B2", "t:GONE"],
                        fields={"tags": ["x"], "x-test": {"k": 1}}, original_id="REQ7"),
            PlannedItem(source="t:B2", title=title_b, original_id="REQ-012"),
        ],
    )


def test_creates_items_with_links_and_source(project: Path) -> None:
    outcome = apply_plan(project, _plan())
    assert [item_id for item_id, _ in outcome.created] == ["REQ-001", "REQ-002"]
    text = (project / "requirements/REQ-001.md").read_text()
    assert "source: t:A1" in text and "depends_on: [REQ-002]" in text and "x-test:" in text
    assert outcome.unresolved_links == ["t:A1 -> t:GONE: not imported, link left out"]
    assert git(project, "status", "--porcelain").count("??") == 1  # nothing committed or staged


def test_second_import_changes_nothing_and_updates_only_changed(project: Path) -> None:
    apply_plan(project, _plan())
    before = (project / "requirements/REQ-001.md").read_bytes()
    again = apply_plan(project, _plan())
    assert not again.created and not again.updated and len(again.unchanged) == 2
    changed = apply_plan(project, _plan("Second, renamed"))
    assert [(i, fields) for i, _, fields in changed.updated] == [("REQ-002", ["title"])]
    assert (project / "requirements/REQ-001.md").read_bytes() == before
    assert "title: Second, renamed" in (project / "requirements/REQ-002.md").read_text()


def test_dry_run_writes_nothing(project: Path) -> None:
    outcome = apply_plan(project, _plan(), dry_run=True)
    assert len(outcome.created) == 2
    assert list((project / "requirements").iterdir()) == []


def test_keep_ids(project: Path) -> None:
    outcome = apply_plan(project, _plan(), keep_ids=True)
    assert sorted(item_id for item_id, _ in outcome.created) == ["REQ-007", "REQ-012"]


def test_invalid_item_writes_nothing(project: Path) -> None:
    plan = _plan()
    plan.items.append(PlannedItem(source="t:bad", title="two\nlines"))
    with pytest.raises(UsageError, match="t:bad: title"):
        apply_plan(project, plan)
    assert list((project / "requirements").iterdir()) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("REQ001", "REQ-001"), ("REQ-0042", "REQ-0042"), ("req_7", "REQ-007"), ("SYS001", None), ("REQ", None),
     (None, None), ("REQ-1a", None)],
)
def test_kept_id(raw: str | None, expected: str | None) -> None:
    assert kept_id(raw, "REQ") == expected


def test_check_does_not_warn_about_x_fields(project: Path) -> None:
    from tests.conftest import run_reqctl, write_item

    write_item(project, "requirements", "REQ-001", "title: T\nx-doorstop:\n  level: '1.2'\ntypo_field: 1\n")
    result = run_reqctl(project, "check")
    assert "unknown field 'typo_field'" in result.out
    assert "x-doorstop" not in result.out


def test_failure_midway_removes_every_created_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reqctl.errors import ReqctlError
    from reqctl.importing import newfiles

    real = newfiles.create_file

    def failing(path: Path, data: bytes) -> None:
        if path.name == "REQ-002.md":
            raise ReqctlError("disk full", path=path)
        real(path, data)

    monkeypatch.setattr(newfiles, "create_file", failing)
    with pytest.raises(ReqctlError, match="disk full"):
        apply_plan(project, _plan())
    assert list((project / "requirements").iterdir()) == []


def test_match_id_updates_that_item_and_keeps_its_source(project: Path) -> None:
    apply_plan(project, _plan())
    sheet = ImportPlan(tool="csv", items=[PlannedItem(source="", match_id="REQ-002", title="Second, edited")])
    outcome = apply_plan(project, sheet)
    assert [(i, fields) for i, _, fields in outcome.updated] == [("REQ-002", ["title"])]
    text = (project / "requirements/REQ-002.md").read_text()
    assert "title: Second, edited" in text and "source: t:B2" in text


def test_create_then_edit_removes_every_created_file_when_a_render_or_an_edit_fails(tmp_path: Path) -> None:
    from reqctl.importing.newfiles import create_then_edit

    def broken() -> str:
        raise ValueError("cannot render")

    def fails() -> None:
        raise OSError("cannot edit")

    many = [(tmp_path / "items" / f"F{n:03}.md", lambda n=n: f"file {n}\n") for n in range(200)]
    with pytest.raises(ValueError, match="cannot render"):
        create_then_edit([*many, (tmp_path / "items" / "BAD.md", broken)], [])
    assert list((tmp_path / "items").iterdir()) == []
    with pytest.raises(OSError, match="cannot edit"):
        create_then_edit(many, [fails])
    assert list((tmp_path / "items").iterdir()) == []
    create_then_edit(many, [])
    assert sorted(p.read_text() for p in (tmp_path / "items").iterdir()) == sorted(f"file {n}\n" for n in range(200))
    with pytest.raises(ReqctlError, match="already exists"):  # never overwrites, and keeps what was there
        create_then_edit([(tmp_path / "items" / "NEW.md", lambda: "new\n"), many[5]], [])
    assert not (tmp_path / "items" / "NEW.md").exists() and (tmp_path / "items" / "F005.md").read_text() == "file 5\n"


def test_an_import_pauses_the_garbage_collector_only_while_it_runs(project: Path, tmp_path: Path) -> None:
    import gc

    from tests.conftest import run_reqctl

    sheet = tmp_path / "in.csv"
    sheet.write_text("title,priority\nFirst,must\n", encoding="utf-8")
    assert run_reqctl(project, "import", "csv", str(sheet)).code == 0
    assert gc.isenabled()
    sheet.write_text("title,priority\nBad,urgent\n", encoding="utf-8")
    assert run_reqctl(project, "import", "csv", str(sheet)).code != 0
    assert gc.isenabled()
    assert run_reqctl(project, "import", "reqif", str(tmp_path / "missing.reqif")).code != 0
    assert gc.isenabled()
