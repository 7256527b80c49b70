"""Unit tests of the semantic diff (dense logic), including a property test."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reqctl.history.diff import body_diff, diff_files
from reqctl.model.ids import Kind
from reqctl.store.reader import ItemFile, parse_bytes


def req_file(item_id: str, front: str, body: str = "") -> ItemFile:
    text = f"---\nid: {item_id}\n{front}---\n{body}"
    return parse_bytes(Kind.REQUIREMENT, f"requirements/{item_id}.md", text.encode())


def test_equivalent_spellings_are_not_changes() -> None:
    old = req_file("REQ-001", "title: A\ndepends_on: REQ-002\n", "Body\n")
    new = req_file("REQ-001", "title: A   # comment\ndepends_on: [REQ-002]\n", "Body  \n\n")
    assert not diff_files({old.path: old}, {new.path: new})


def test_field_and_body_changes() -> None:
    old = req_file("REQ-001", "title: A\npriority: must\nacceptance: [x, y]\nowner: a@x\n", "one\ntwo\n")
    new = req_file("REQ-001", "title: B\npriority: must\nacceptance: [y, z]\n", "one\nthree\n")
    change = diff_files({old.path: old}, {new.path: new}).items[0]
    assert change.change == "changed" and change.normative
    assert {f.field: (f.old, f.new) for f in change.fields} == {
        "title": ("A", "B"),
        "acceptance": (["x", "y"], ["y", "z"]),
        "owner": ("a@x", None),
    }
    assert "-two" in change.body_diff and "+three" in change.body_diff


def test_non_normative_change_and_invalid_files() -> None:
    old = req_file("REQ-001", "title: A\nowner: a@x\n")
    new = req_file("REQ-001", "title: A\nowner: b@x\n")
    change = diff_files({old.path: old}, {new.path: new}).items[0]
    assert not change.normative and change.changed_fields == ("owner",)
    broken = req_file("REQ-001", "title: A\nstatus: nonsense\n")
    change = diff_files({old.path: old}, {broken.path: broken}).items[0]
    assert change.field("status") is not None  # raw front matter compared


def test_added_and_removed_and_ordering() -> None:
    files = {f.path: f for f in (req_file("REQ-010", "title: Ten\n"), req_file("REQ-9", "title: Nine\n"))}
    diff = diff_files({}, files)
    assert [i.id for i in diff.added] == ["REQ-9", "REQ-010"]
    assert [i.id for i in diff_files(files, {}).removed] == ["REQ-9", "REQ-010"]
    assert diff.to_json()["summary"] == {"added": 2, "removed": 0, "changed": 0}


def test_body_diff_ignores_invisible_whitespace() -> None:
    assert body_diff("a\n", "a   \n\n") == ""
    assert body_diff("a", "b").splitlines()[-2:] == ["-a", "+b"]


titles = st.text(alphabet=st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=12)
projects = st.dictionaries(
    st.integers(min_value=1, max_value=30).map(lambda n: f"REQ-{n:03d}"),
    st.tuples(titles, st.sampled_from(["must", "should", "could"]), titles),
    max_size=8,
)


def to_files(spec: dict[str, tuple[str, str, str]]) -> dict[str, ItemFile]:
    built = [req_file(i, f"title: '{t}'\npriority: {p}\n", f"{b}\n") for i, (t, p, b) in spec.items()]
    return {f.path: f for f in built}


@settings(max_examples=60, deadline=None)
@given(projects, projects)
def test_diff_properties(a: dict[str, tuple[str, str, str]], b: dict[str, tuple[str, str, str]]) -> None:
    old, new = to_files(a), to_files(b)
    forward, backward = diff_files(old, new), diff_files(new, old)
    assert not diff_files(old, old)
    assert {i.id for i in forward.added} == {i.id for i in backward.removed} == set(b) - set(a)
    assert {i.id for i in forward.changed} == {i.id for i in backward.changed}
    expected = {i for i in set(a) & set(b) if a[i] != b[i]}
    assert {i.id for i in forward.changed} == expected
    for item in forward.changed:
        names = set(item.changed_fields)
        assert ("title" in names) == (a[item.id][0] != b[item.id][0])
        assert ("body" in names) == (a[item.id][2] != b[item.id][2])
