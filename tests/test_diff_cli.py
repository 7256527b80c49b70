"""``reqctl diff`` between revisions, tags and the working tree; ``req history``."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from conftest import CUSTOMER, git, run_reqctl, write_item
from reqctl.history.diff import FieldChange
from reqctl.history.notes import change_sentence, escape
from test_gitio import commit_all, requirement


def history(root: Path) -> None:
    requirement(root, "REQ-001", "Login")
    requirement(root, "REQ-002", "Logout")
    commit_all(root, "first", when="2026-09-01T10:00:00+00:00")
    git(root, "tag", "v1")
    requirement(root, "REQ-001", "Login with SSO", "New text.\n")
    (root / "requirements" / "REQ-002.md").unlink()
    requirement(root, "REQ-003", "Export")
    commit_all(root, "second", CUSTOMER, "2026-09-08T10:00:00+00:00")


def test_diff_text_md_json(project: Path) -> None:
    history(project)
    text = run_reqctl(project, "diff", "v1", "HEAD")
    assert text.code == 0, text.err
    assert "1 added, 1 removed, 1 changed" in text.out
    assert "title: Login → Login with SSO" in text.out and "+New text." in text.out
    md = run_reqctl(project, "diff", "v1", "HEAD", "--format", "md").out
    assert md.startswith("# Changes from v1 to HEAD") and "## Added" in md and "**REQ-003**" in md
    data = json.loads(run_reqctl(project, "diff", "v1", "--json").out)
    assert data["new"] is None and data["summary"] == {"added": 1, "removed": 1, "changed": 1}


def test_diff_against_working_tree_includes_uncommitted(project: Path) -> None:
    history(project)
    requirement(project, "REQ-004", "Uncommitted")
    data = json.loads(run_reqctl(project, "diff", "HEAD", "--json").out)
    assert [(i["id"], i["change"]) for i in data["items"]] == [("REQ-004", "added")]


def test_diff_errors_are_one_line(project: Path) -> None:
    result = run_reqctl(project, "diff", "nope")
    assert result.code == 2
    assert result.err.strip() == "error: unknown revision 'nope': not a branch, tag or commit here"
    assert run_reqctl(project, "diff", "HEAD", "--format", "pdf").code == 2


def test_req_history(project: Path) -> None:
    history(project)
    out = json.loads(run_reqctl(project, "req", "history", "REQ-001", "--json").out)
    commits = out["commits"]
    assert [(c["subject"], c["change"]) for c in commits] == [("second", "changed"), ("first", "added")]
    assert commits[0]["fields"] == ["title", "body"]
    assert commits[0]["author"]["email"] == CUSTOMER
    assert commits[0]["date"].startswith("2026-09-08")
    table = run_reqctl(project, "req", "history", "req-1")
    assert table.code == 0 and "title, body" in table.out
    gone = json.loads(run_reqctl(project, "req", "history", "REQ-002", "--json").out)
    assert gone["commits"][0]["change"] == "removed"
    missing = run_reqctl(project, "req", "history", "REQ-077")
    assert missing.code == 2 and "REQ-077" in missing.err


# --- release notes (--format md): escaped, and prose ------------------------------------------

HOSTILE = "[click](https://evil.example) <img src=x onerror=alert(1)> *bold* `code` a@b.com www.evil.example"


def renderers() -> dict[str, Callable[[str], str]]:
    """Markdown renderers release notes end up in: CommonMark, GFM-like with linkify, GitHub's own."""
    commonmark = MarkdownIt("commonmark", {"html": True})
    gfm_like = MarkdownIt("gfm-like", {"html": True})  # tables, strikethrough, bare-URL linkify
    extensions = ["autolink", "strikethrough", "table", "tagfilter"]

    def github(text: str) -> str:
        return cmarkgfm.markdown_to_html_with_extensions(text, options=Options.CMARK_OPT_UNSAFE, extensions=extensions)

    return {"commonmark": commonmark.render, "gfm-like": gfm_like.render, "github": github}


def visible_text(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text)).replace("\u2060", "")


def hostile_history(root: Path) -> None:
    requirement(root, "REQ-001", "Login", extra="status: draft\n")
    requirement(root, "REQ-002", "Logout")
    commit_all(root, "first")
    git(root, "tag", "v1")
    requirement(root, "REQ-001", f"'{HOSTILE}'", "New text.\n", extra="status: proposed\n")
    requirement(root, "REQ-003", f"'{HOSTILE}'")
    commit_all(root, "second")


def test_release_notes_escape_titles_in_every_renderer(project: Path) -> None:
    hostile_history(project)
    notes = run_reqctl(project, "diff", "v1", "--format", "md")
    assert notes.code == 0, notes.err
    for name, render in renderers().items():
        rendered = render(notes.out)
        assert "<a" not in rendered and "<img" not in rendered, (name, rendered)
        assert "<em>" not in rendered and "<code>" not in rendered and "<strong>click" not in rendered, name
        text = visible_text(rendered)
        assert f"REQ-003 {HOSTILE}" in text, (name, text)  # the title, literally
        assert f"Title: “Login” → “{HOSTILE}”" in text, (name, text)


def test_release_notes_read_as_prose(project: Path) -> None:
    requirement(project, "REQ-001", "Login", extra="status: draft\n")
    write_item(project, "requirements", "REQ-002", "title: Export\npriority: should\nacceptance: [Fast, CSV]\n")
    commit_all(project, "first")
    git(project, "tag", "v1")
    requirement(project, "REQ-001", "Login", "Other text.\n", extra="status: proposed\nowner: ana@example.com\n")
    write_item(
        project, "requirements", "REQ-002",
        "title: Export\npriority: must\nacceptance: [CSV, Works offline]\ndepends_on: [REQ-001]\n",
    )
    write_item(project, "requirements", "REQ-003", "title: Import\npriority: could\n")
    commit_all(project, "second")
    result = run_reqctl(project, "diff", "v1", "--format", "md")
    assert result.code == 0, result.err
    lines = result.out.replace("\u2060", "").splitlines()
    assert lines[:3] == ["# Changes from v1 to the working tree", "", "1 added, 0 removed, 2 changed."]
    assert "- **REQ-003** Import (status draft, priority could)" in lines
    changed = lines[lines.index("## Changed") + 2 :]
    assert changed == [
        "- **REQ-001** Login",
        "  - Status: draft → proposed",
        "  - Owner: set to ana@example\\.com",
        "  - Description: changed",
        "- **REQ-002** Export",
        "  - Priority: should → must",
        "  - Depends on: added REQ-001",
        "  - Acceptance criteria: added “Works offline”; removed “Fast”",
    ]
    assert "{" not in result.out and '"' not in result.out  # no JSON dumps


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_property_escaped_text_renders_literally(text: str) -> None:
    line = f"- **REQ-001** {escape(text)}"
    expected = " ".join(f"REQ-001 {text}".split())
    for name, render in renderers().items():
        rendered = render(line)
        assert re.findall(r"<(\w+)", rendered) == ["ul", "li", "strong"], (name, text, rendered)
        assert visible_text(rendered).strip() == expected, (name, text, rendered)


def test_change_sentences() -> None:
    cases = [
        (FieldChange("priority", "should", "must"), "Priority: should → must"),
        (FieldChange("owner", None, "ana"), "Owner: set to ana"),
        (FieldChange("milestone", "M1", None), "Milestone: removed (was M1)"),
        (FieldChange("title", "Old name", "New name"), "Title: “Old name” → “New name”"),
        (FieldChange("acceptance", ["A"], ["A", "B c"]), "Acceptance criteria: added “B c”"),
        (FieldChange("tags", ["a", "b"], ["b", "a"]), "Tags: reordered"),
        (FieldChange("depends_on", None, ["REQ-2"]), "Depends on: added REQ-2"),
        (
            FieldChange("approval", None, {"by": "c@x.org", "at": "2026-09-01", "fingerprint": "sha256:1"}),
            "Approval: set to (by c@\u2060x\\.org, at 2026-09-01)",
        ),
        (FieldChange("impact", {"cost": 1, "risk": "low"}, {"cost": 2, "risk": "low"}), "Impact: cost 1 → 2"),
        (
            FieldChange("approval", {"by": "c", "fingerprint": "1"}, {"by": "c", "fingerprint": "2"}),
            "Approval: renewed",
        ),
        (FieldChange("done", False, True), "Done: no → yes"),
    ]
    for change, sentence in cases:
        assert change_sentence(change) == sentence
