"""Changing items without an editor (issue 11, point 3): ``meeting action done``, ``risk update``, ``req set``.

Each test runs the command in a real temporary repository and reads the file
back: the change is there, the person's comments and layout are not lost, and
a refused command leaves the file byte for byte as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import CUSTOMER, Result, git, run_reqctl, write_item
from reqctl.errors import UsageError
from reqctl.ops.item_edit import LIST_FIELDS, parse_assignment


def front(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def refused(result: Result, message: str) -> None:
    assert result.code == 2, result
    assert result.err.strip() == message


MEETING = """title: Kick-off
date: 2026-11-20
actions:   # agreed at the end
  - what: Send the minutes
    owner: ann@example.com
    due: 2026-11-23
    done: false
  # the hard one
  - what: Book the test lab  # room 4
    done: false
  - {what: Send the Minutes draft to legal, done: true}
"""


@pytest.fixture
def meeting(project: Path) -> Path:
    return write_item(project, "meetings", "MTG-003", MEETING, "Notes.\n")


def test_action_done_by_number_keeps_comments(project: Path, meeting: Path) -> None:
    result = run_reqctl(project, "meeting", "action", "done", "MTG-003", "2")
    assert result.code == 0, result.err
    assert result.out == "MTG-003 action 2 done: Book the test lab\n"
    text = meeting.read_text(encoding="utf-8")
    assert "actions:   # agreed at the end\n" in text
    assert "  # the hard one\n  - what: Book the test lab  # room 4\n    done: true\n" in text
    assert "    done: false\n" in text  # action 1 untouched
    assert text.endswith("---\nNotes.\n")
    shown = run_reqctl(project, "meeting", "show", "MTG-003")
    assert "[x] 2. Book the test lab" in shown.out


def test_action_done_by_text_prefers_the_open_match(project: Path, meeting: Path) -> None:
    result = run_reqctl(project, "meeting", "action", "done", "mtg-3", "--what", "MINUTES")
    assert result.code == 0, result.err
    assert result.out == "MTG-003 action 1 done: Send the minutes\n"
    assert [a["done"] for a in front(meeting)["actions"]] == [True, False, True]  # type: ignore[index]


def test_action_done_twice_says_so(project: Path, meeting: Path) -> None:
    before = meeting.read_bytes()
    result = run_reqctl(project, "meeting", "action", "done", "MTG-003", "3")
    assert result.code == 0
    assert result.out == "MTG-003 action 3 was already done: Send the Minutes draft to legal\n"
    assert meeting.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("5",), "error: MTG-003 has 3 action items; there is no number 5"),
        (("--what", "coffee"), "error: --what 'coffee': no action item of MTG-003 contains that text"),
        (("--what", "send"), "error: --what 'send' matches action items 1, 3 of MTG-003; give the number"),
        ((), "error: name the action by its number or by --what TEXT (one of them)"),
        (("1", "--what", "lab"), "error: name the action by its number or by --what TEXT (one of them)"),
    ],
)
def test_action_done_mistakes(project: Path, meeting: Path, args: tuple[str, ...], message: str) -> None:
    before = meeting.read_bytes()
    if args == ("--what", "send"):  # make both 'send' actions open
        run_reqctl(project, "meeting", "action", "done", "MTG-003", "2")
        meeting.write_text(meeting.read_text(encoding="utf-8").replace("done: true}", "done: false}"), "utf-8")
        before = meeting.read_bytes()
    refused(run_reqctl(project, "meeting", "action", "done", "MTG-003", *args), message)
    assert meeting.read_bytes() == before


def test_action_done_refuses_a_conflicted_file(project: Path, meeting: Path) -> None:
    meeting.write_text(meeting.read_text(encoding="utf-8") + "<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> b\n", "utf-8")
    before = meeting.read_bytes()
    result = run_reqctl(project, "meeting", "action", "done", "MTG-003", "1")
    assert result.code == 2
    assert "merge conflict marker" in result.err
    assert meeting.read_bytes() == before


# --- risk update ------------------------------------------------------------------------------------


RISK = (
    "title: Vendor late\nstatus: open\nprobability: 3   # vendor has slipped before\nimpact: 4\n"
    "owner: ann@example.com"
)


def test_risk_update_rescores_and_keeps_comments(project: Path) -> None:
    path = write_item(project, "risks", "RISK-004", RISK, "The vendor ships the SDK.\n")
    result = run_reqctl(project, "risk", "update", "RISK-004", "--probability", "2", "--impact", "3")
    assert result.code == 0, result.err
    assert result.out == "RISK-004: score 12 → 6\n"
    text = path.read_text(encoding="utf-8")
    assert "probability: 2   # vendor has slipped before\n" in text
    assert front(path)["impact"] == 3
    assert text.endswith("---\nThe vendor ships the SDK.\n")


def test_risk_update_closes_with_a_dated_note(project: Path) -> None:
    path = write_item(project, "risks", "RISK-004", RISK, "The vendor ships the SDK.\n")
    result = run_reqctl(project, "risk", "update", "RISK-004", "--impact", "1", "--status", "closed",
                        "--note", "SDK delivered")
    assert result.code == 0, result.err
    assert result.out == "RISK-004: score 12 → 3, open → closed\n"
    assert front(path)["status"] == "closed"
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    lines = body.splitlines()
    assert lines[:3] == ["The vendor ships the SDK.", "", "## Review log"]
    assert lines[-1].endswith(": 3×4 → 3×1, open → closed: SDK delivered")
    again = run_reqctl(project, "risk", "update", "RISK-004", "--note", "checked again")
    assert again.code == 0
    assert path.read_text(encoding="utf-8").count("## Review log") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--probability", "6"), "error: --probability 6: use a whole number from 1 to 5"),
        (("--status", "gone"), "error: --status gone: a risk status is one of open, mitigating, closed, occurred"),
        ((), "error: nothing to update: give --probability, --impact, --status or --note"),
    ],
)
def test_risk_update_mistakes(project: Path, args: tuple[str, ...], message: str) -> None:
    path = write_item(project, "risks", "RISK-004", RISK)
    before = path.read_bytes()
    refused(run_reqctl(project, "risk", "update", "RISK-004", *args), message)
    assert path.read_bytes() == before


def test_weekly_report_lists_the_rescored_risk(project: Path) -> None:
    old = {"GIT_AUTHOR_DATE": "2026-11-02T10:00:00", "GIT_COMMITTER_DATE": "2026-11-02T10:00:00"}
    write_item(project, "risks", "RISK-004", RISK)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "risk", env=old)
    assert run_reqctl(project, "risk", "update", "RISK-004", "--probability", "2").code == 0
    new = {"GIT_AUTHOR_DATE": "2026-11-24T10:00:00", "GIT_COMMITTER_DATE": "2026-11-24T10:00:00"}
    git(project, "commit", "-qam", "re-score RISK-004", env=new)
    result = run_reqctl(project, "report", "weekly", "--since", "2026-11-23", "--until", "2026-11-27",
                        "--format", "json")
    assert result.code == 0, result.err
    rescored = json.loads(result.out)["activity"]["risks"]["rescored"]
    assert [(r["id"], r["old_score"], r["new_score"]) for r in rescored] == [("RISK-004", 12, 8)]


# --- req set -------------------------------------------------------------------------------------------


REQ = """title: Login with SSO   # from the workshop
status: draft
priority: should
tags: [auth, web]   # UI + backend
acceptance:
  - users sign in with the company account
"""


def test_req_set_edits_fields_and_keeps_layout(project: Path) -> None:
    path = write_item(project, "requirements", "REQ-012", REQ, "Why.\n")
    write_item(project, "requirements", "REQ-001", "title: Accounts")
    result = run_reqctl(project, "req", "set", "REQ-012", "owner=ann@example.com", "milestone=M2",
                        "tags+=api", "tags-=web", "priority=must", "depends_on+=req-1")
    assert result.code == 0, result.err
    assert result.out == "REQ-012: set owner, milestone, tags, priority, depends_on\n"
    assert result.err == ""  # not approved: nothing becomes suspect
    text = path.read_text(encoding="utf-8")
    assert "title: Login with SSO   # from the workshop\n" in text
    assert "tags: [auth, api]   # UI + backend\n" in text
    assert "priority: must\n" in text
    data = front(path)
    assert data["owner"] == "ann@example.com"
    assert data["milestone"] == "M2"
    assert data["depends_on"] == ["REQ-001"]
    assert text.endswith("---\nWhy.\n")
    assert run_reqctl(project, "check").code == 0


def test_req_set_empty_value_removes_and_acceptance_appends_whole(project: Path) -> None:
    path = write_item(project, "requirements", "REQ-012", REQ + "owner: bob@example.com\n")
    result = run_reqctl(project, "req", "set", "REQ-012", "owner=", "acceptance+=works offline, on any browser")
    assert result.code == 0, result.err
    data = front(path)
    assert "owner" not in data
    assert data["acceptance"] == ["users sign in with the company account", "works offline, on any browser"]


def test_req_set_no_change(project: Path) -> None:
    path = write_item(project, "requirements", "REQ-012", REQ)
    before = path.read_bytes()
    result = run_reqctl(project, "req", "set", "REQ-012", "priority=should", "tags+=auth")
    assert result.out == "REQ-012: no changes\n"
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("milestone=M9",), "error: milestone=M9: no such milestone (known: M1, M2)"),
        (("priority=urgent",), "error: priority=urgent: use one of must, should, could, wont"),
        (("depends_on+=REQ-099",), "error: depends_on: REQ-099: no such item"),
        (("depends_on+=REQ-012",), "error: depends_on: REQ-012 cannot depend on itself"),
        (("tags-=mobile",), "error: tags-=mobile: REQ-012 has no tag 'mobile'"),
        (("status=approved",), "error: 'status': use 'reqctl req status ID STATUS' (it checks approvals)"),
        (("colour=red",), "error: 'colour': not a field 'req set' changes; use one of title, priority, owner, "
                          "source, milestone, tags, depends_on, acceptance"),
        (("owner+=x",), "error: 'owner+=': owner is a single value; use owner=VALUE"),
        (("owner",), "error: 'owner': expected FIELD=VALUE, FIELD+=VALUE or FIELD-=VALUE"),
        (("title=",), "error: title=: a requirement needs a title"),
        ((), "error: nothing to set: give FIELD=VALUE (e.g. owner=ann@example.com)"),
    ],
)
def test_req_set_mistakes_leave_the_file(project: Path, args: tuple[str, ...], message: str) -> None:
    path = write_item(project, "requirements", "REQ-012", REQ)
    before = path.read_bytes()
    refused(run_reqctl(project, "req", "set", "REQ-012", *args), message)
    assert path.read_bytes() == before


def test_req_set_refuses_a_dependency_cycle(project: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: Accounts\ndepends_on: [REQ-012]")
    path = write_item(project, "requirements", "REQ-012", REQ)
    before = path.read_bytes()
    result = run_reqctl(project, "req", "set", "REQ-012", "depends_on+=REQ-001")
    assert result.code == 2
    assert result.err.startswith("error: requirements/")
    assert "R008 dependency cycle:" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert path.read_bytes() == before


def test_req_set_says_when_an_approved_requirement_becomes_suspect(project: Path) -> None:
    path = write_item(project, "requirements", "REQ-012", REQ.replace("status: draft", "status: proposed"))
    assert run_reqctl(project, "approve", "REQ-012", "--by", CUSTOMER).code == 0
    owner = run_reqctl(project, "req", "set", "REQ-012", "owner=ann@example.com")
    assert owner.code == 0
    assert owner.err == ""  # owner is not normative
    result = run_reqctl(project, "req", "set", "REQ-012", "priority=must")
    assert result.code == 0, result.err
    assert result.err.strip() == (
        "warning: REQ-012 was approved; changing priority makes it suspect: re-approve it with 'reqctl approve REQ-012'"
    )
    assert front(path)["priority"] == "must"
    shown = json.loads(run_reqctl(project, "req", "show", "REQ-012", "--json").out)
    assert shown["approval_state"] == "suspect"


# --- the key=value parser -------------------------------------------------------------------------------

FIELDS = st.sampled_from(["title", "priority", "owner", "source", "milestone", "tags", "depends_on", "acceptance"])
VALUES = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
)


@given(field=FIELDS, op=st.sampled_from(["=", "+=", "-="]), value=VALUES)
def test_parse_assignment_splits_at_the_first_operator(field: str, op: str, value: str) -> None:
    text = f"{field}{op}{value}"
    if op != "=" and field not in LIST_FIELDS:
        with pytest.raises(UsageError):
            parse_assignment(text)
        return
    parsed = parse_assignment(text)
    assert (parsed.field, parsed.op) == (field, op)
    assert parsed.value == value.strip()


@given(st.text())
def test_parse_assignment_never_crashes(text: str) -> None:
    try:
        parsed = parse_assignment(text)
    except UsageError as exc:
        assert "\n" not in str(exc)  # the CLI prints it as one line
        return
    assert f"{parsed.field}{parsed.op}" in text
    assert "\n" not in parsed.value
