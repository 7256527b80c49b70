"""History caches: the persistent blob-sha parse cache, working-tree reuse, the incremental burn-up.

Every cache is keyed on git blob shas (content addresses), so these tests check
the one thing that matters: results never depend on what is cached.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import git, write_item
from reqctl.gitio.objects import item_files_at
from reqctl.history import snapshots
from reqctl.history.diff import diff_projects
from reqctl.history.snapshots import HistoryReader
from reqctl.model.ids import Kind
from reqctl.model.items import APPROVED_OR_LATER
from reqctl.ops.report_weekly import burnup, weekly_context
from reqctl.store.cache import CACHE_FILE, Cache
from reqctl.store.statedir import state_dir
from reqctl.store.store import Store


@pytest.fixture(autouse=True)
def always_persist(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small test projects would never reach the threshold that loads the persistent cache."""
    monkeypatch.setattr(snapshots, "PERSIST_MIN_BLOBS", 1)


def commit_on(root: Path, day: str, message: str) -> str:
    when = f"{day}T10:00:00+00:00"
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message, env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
    return git(root, "rev-parse", "HEAD").strip()


def req(root: Path, item_id: str, title: str, status: str = "draft") -> Path:
    return write_item(root, "requirements", item_id, f"title: {title}\nstatus: {status}\npriority: must", "Text.\n")


def cache_file(root: Path) -> Path:
    return state_dir(root) / CACHE_FILE


def load_project(root: Path, *, use_cache: bool = True):  # type: ignore[no-untyped-def]
    return Store.open(root, use_cache=use_cache).project()


def test_blob_sha_of_working_files_is_gits(project: Path) -> None:
    req(project, "REQ-001", "Login")
    path = project / "requirements" / "REQ-002.md"
    path.write_bytes(b"---\r\nid: REQ-002\r\ntitle: CRLF\r\n---\r\nBody\r\n")
    files = {f.path: f for f in load_project(project, use_cache=False).files}
    for rel, item_file in files.items():
        assert item_file.blob == git(project, "hash-object", "--no-filters", rel).strip()
    load_project(project)  # writes the stat-keyed parse cache
    cached = {f.path: f for f in load_project(project).files}  # read back from it
    assert {rel: f.blob for rel, f in cached.items()} == {rel: f.blob for rel, f in files.items()}


def test_edited_file_at_new_revision_shows_new_data(project: Path) -> None:
    req(project, "REQ-001", "Login")
    first = commit_on(project, "2026-11-02", "one")
    reader = HistoryReader(project)
    assert reader.project_at("HEAD").items["REQ-001"].title == "Login"
    reader.save()
    assert cache_file(project).is_file()

    req(project, "REQ-001", "Login with SSO", status="proposed")
    commit_on(project, "2026-11-03", "two")
    warm = HistoryReader(project)
    head = warm.project_at("HEAD")
    assert head.items["REQ-001"].title == "Login with SSO"
    assert head.items["REQ-001"].status == "proposed"
    assert warm.project_at(first).items["REQ-001"].title == "Login"  # old blob, from the cache
    change = diff_projects(warm.project_at(first), head).get("REQ-001")
    assert change is not None and change.changed_fields == ("title", "status")


def test_deleting_reqctl_changes_nothing_but_speed(project: Path) -> None:
    for n in range(1, 6):
        req(project, f"REQ-00{n}", f"Requirement {n}")
    commit_on(project, "2026-10-20", "start")
    for week, day in enumerate(("2026-10-27", "2026-11-03", "2026-11-10", "2026-11-17"), start=1):
        req(project, f"REQ-00{week}", f"Requirement {week} v{week}", status="approved")
        req(project, f"REQ-01{week}", f"New {week}", status="implemented")
        if week == 3:
            (project / "requirements" / "REQ-005.md").unlink()
            (project / "requirements" / "REQ-004.md").write_text("---\nbroken: [\n---\n", encoding="utf-8")
        commit_on(project, day, f"week {week}")
    (project / "requirements" / "REQ-001.md").write_text("---\nid: REQ-001\ntitle: dirty\n---\n", encoding="utf-8")

    def report() -> str:
        context = weekly_context(load_project(project), "en", dt.date(2026, 11, 18), weeks=6)
        return json.dumps(context, sort_keys=True, default=str)

    cold = report()
    assert cache_file(project).is_file()
    warm = report()
    shutil.rmtree(state_dir(project))
    again = report()
    assert cold == warm == again
    data = json.loads(cold)
    assert data["activity"]["requirements"]["approved"][0]["title"] == "Requirement 4 v4"  # committed, not dirty
    assert [p["total"] for p in data["burnup"]] == [5, 6, 7, 6, 8]  # no week before the first commit


def test_corrupt_or_foreign_cache_is_ignored(project: Path) -> None:
    req(project, "REQ-001", "Login")
    commit_on(project, "2026-11-02", "one")
    sha = git(project, "rev-parse", "HEAD:requirements/REQ-001.md").strip()
    cache_file(project).parent.mkdir(parents=True)
    cache_file(project).write_bytes(b"not a database at all")
    assert HistoryReader(project).project_at("HEAD").items["REQ-001"].title == "Login"

    # a readable cache whose entries are damaged: each one is a miss, then replaced
    Cache(project).store_blobs([(sha, ["ok", "not a dict", 3])])
    reader = HistoryReader(project)
    assert reader.project_at("HEAD").items["REQ-001"].title == "Login"
    reader.save()
    assert HistoryReader(project).project_at("HEAD").items["REQ-001"].title == "Login"

    Cache(project).store_blobs([(sha, ["ok", {"id": "REQ-001", "title": "Wrong"}])])  # wrong shape
    assert HistoryReader(project).project_at("HEAD").items["REQ-001"].title == "Login"


def test_unwritable_cache_is_silently_skipped(project: Path) -> None:
    req(project, "REQ-001", "Login")
    commit_on(project, "2026-11-02", "one")
    state_dir(project).parent.mkdir(parents=True, exist_ok=True)
    state_dir(project).write_text("a file where the folder should be", encoding="utf-8")
    reader = HistoryReader(project)
    assert reader.project_at("HEAD").items["REQ-001"].title == "Login"
    reader.save()  # no error


def test_worktree_lends_only_identical_files(project: Path) -> None:
    req(project, "REQ-001", "Login")
    req(project, "REQ-002", "Logout")
    commit_on(project, "2026-11-02", "one")
    req(project, "REQ-002", "Logout everywhere")  # dirty, not committed
    req(project, "REQ-003", "Untracked")
    current = load_project(project)
    reader = HistoryReader(project, worktree=current)
    head = reader.project_at("HEAD")
    assert head.items["REQ-002"].title == "Logout"  # from git, not the working tree
    assert "REQ-003" not in head.items
    assert head.file_of("REQ-001") is current.file_of("REQ-001")  # same bytes: reused
    assert head.items["REQ-001"] is current.items["REQ-001"]  # and not validated again
    assert head.file_of("REQ-002") is not current.file_of("REQ-002")


def test_tree_derived_by_diff_tree_equals_ls_tree(project: Path) -> None:
    req(project, "REQ-001", "Login")
    req(project, "REQ-002", "Logout")
    a = commit_on(project, "2026-11-02", "one")
    req(project, "REQ-002", "Logout v2")
    (project / "requirements" / "REQ-001.md").unlink()
    write_item(project, "risks", "RISK-001", "title: Late\nprobability: 2\nimpact: 3")
    (project / "requirements" / "notes.txt").write_text("not an item", encoding="utf-8")
    b = commit_on(project, "2026-11-03", "two")
    reader = HistoryReader(project)
    reader.tree(a)
    assert reader.tree(b) == item_files_at(reader.repo, b)
    assert reader.tree(b, (Kind.RISK,)) == item_files_at(reader.repo, b, (Kind.RISK,))
    assert reader.tree(a) == item_files_at(reader.repo, a)


def naive_burnup(reader: HistoryReader, end: dt.date, weeks: int) -> list[tuple[int, int, int]]:
    """The burn-up as it was computed before: every requirement file at every weekly revision."""
    points = []
    for back in range(weeks - 1, -1, -1):
        day = end - dt.timedelta(days=7 * back)
        rev = reader.rev_at(dt.datetime.combine(day, dt.time.max))
        if rev is None and back:
            continue  # weeks before the first commit are not shown
        statuses: Counter[str] = Counter()
        if rev is not None:
            for item_file in reader.files_at(rev, (Kind.REQUIREMENT,)):
                if item_file.data is not None:
                    statuses[str(item_file.data.get("status") or "draft")] += 1
        total = sum(n for s, n in statuses.items() if s not in ("rejected", "deprecated"))
        points.append((total, sum(statuses[s] for s in APPROVED_OR_LATER),
                       statuses["implemented"] + statuses["verified"]))
    return points


def test_incremental_burnup_matches_full_reads(project: Path) -> None:
    req(project, "REQ-001", "A")
    req(project, "REQ-002", "B")
    commit_on(project, "2026-10-06", "w1")
    req(project, "REQ-001", "A", status="approved")
    req(project, "REQ-003", "C", status="implemented")
    commit_on(project, "2026-10-13", "w2")
    commit_on(project, "2026-10-20", "w3: nothing")
    (project / "requirements" / "REQ-002.md").unlink()
    (project / "requirements" / "REQ-003.md").write_text("---\nid: [broken\n---\n", encoding="utf-8")
    req(project, "REQ-004", "D", status="rejected")
    write_item(project, "requirements", "REQ-005", "title: E\npriority: must")  # no status: draft
    commit_on(project, "2026-10-27", "w4")
    req(project, "REQ-003", "C", status="verified")
    commit_on(project, "2026-11-10", "w6")
    end = dt.date(2026, 11, 12)
    for weeks in (1, 3, 8):
        fast = burnup(HistoryReader(project), end, weeks)
        assert [(p["total"], p["approved"], p["done"]) for p in fast] == naive_burnup(
            HistoryReader(project), end, weeks
        )
    known = HistoryReader(project)
    head = known.rev_at(dt.datetime.combine(end, dt.time.max))
    assert head is not None
    points = burnup(known, end, 8, known=(head, known.project_at(head).files))
    assert [(p["total"], p["approved"], p["done"]) for p in points] == naive_burnup(known, end, 8)
