"""``add`` for each kind: its options are the kind's fields."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated, Any

import typer

from reqctl.cli import console
from reqctl.cli.context import state
from reqctl.errors import UsageError
from reqctl.messages import lazy
from reqctl.model.ids import Kind

Title = Annotated[str, typer.Argument(help="One-line title.")]
Body = Annotated[
    str | None, typer.Option("--body", help="Description (Markdown); '-' reads it from standard input.")
]
Relates = Annotated[list[str] | None, typer.Option("--relates", help="Related item ID (repeatable).")]
Owner = Annotated[str | None, typer.Option(help="Who owns it (e-mail).")]
Date = Annotated[str | None, typer.Option(help="Date, YYYY-MM-DD (default: today).")]
# Kept in step with model.items.SEVERITIES (not imported: --help must stay fast).
SEVERITIES = ("low", "medium", "high", "critical")


def _body(value: str | None) -> str:
    if value == "-":
        return sys.stdin.read()
    return value or ""


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(lazy("{option} {value}: expected a date like 2026-12-01", option=option,
                              value=value)) from None


def _score(value: int, option: str) -> int:
    if not 1 <= value <= 5:
        raise UsageError(lazy("{option} {value}: use a whole number from 1 to 5", option=option, value=value))
    return value


def _add(ctx: typer.Context, kind: Kind, fields: dict[str, Any], body: str | None) -> None:
    from reqctl.ops import items as ops

    project = state(ctx).project_config()
    item_id, _ = ops.add_item(project, kind, fields, _body(body))
    console.print_plain(item_id)


def register_add(groups: dict[Kind, typer.Typer]) -> None:
    @groups[Kind.REQUIREMENT].command("add")
    def add_requirement(
        ctx: typer.Context,
        title: Title,
        priority: Annotated[
            str | None,
            typer.Option(metavar="PRIORITY", help="reqctl.yaml's priorities: must, should, could, wont by default."),
        ] = None,
        depends: Annotated[list[str] | None, typer.Option("--depends", help="ID it depends on (repeatable).")] = None,
        acceptance: Annotated[
            list[str] | None, typer.Option("--acceptance", "-a", help="Acceptance criterion (repeatable).")
        ] = None,
        milestone: Annotated[str | None, typer.Option(help="Milestone ID from reqctl.yaml.")] = None,
        owner: Owner = None,
        source: Annotated[str | None, typer.Option(help="Where it came from: MTG-003, CR-002, an e-mail…")] = None,
        tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")] = None,
        status: Annotated[
            str | None, typer.Option(metavar="<draft|proposed>", help="Initial status (default draft).")
        ] = None,
        body: Body = None,
    ) -> None:
        """Add a requirement and print its new ID."""
        if status not in (None, "draft", "proposed"):
            raise UsageError(lazy("--status {status}: new requirements start as draft or proposed", status=status))
        fields = {
            "title": title, "status": status, "priority": priority, "owner": owner, "source": source,
            "milestone": milestone, "tags": tag, "depends_on": depends, "acceptance": acceptance,
        }
        _add(ctx, Kind.REQUIREMENT, fields, body)

    @groups[Kind.RISK].command("add")
    def add_risk(
        ctx: typer.Context,
        title: Title,
        probability: Annotated[int, typer.Option(help="1 (rare) to 5 (almost certain).")],
        impact: Annotated[int, typer.Option(help="1 (negligible) to 5 (severe).")],
        owner: Owner = None,
        mitigation: Annotated[str | None, typer.Option(help="What lowers the risk.")] = None,
        contingency: Annotated[str | None, typer.Option(help="What we do if it occurs.")] = None,
        review_by: Annotated[str | None, typer.Option(help="Next review date, YYYY-MM-DD.")] = None,
        date: Annotated[str | None, typer.Option(help="Date identified, YYYY-MM-DD (default: today).")] = None,
        relates: Relates = None,
        body: Body = None,
    ) -> None:
        """Add a risk (score = probability × impact) and print its new ID."""
        fields = {
            "title": title, "probability": _score(probability, "--probability"),
            "impact": _score(impact, "--impact"), "owner": owner, "mitigation": mitigation,
            "contingency": contingency, "review_by": _date(review_by, "--review-by"), "relates": relates,
            "identified": _date(date, "--date"),
        }
        _add(ctx, Kind.RISK, fields, body)

    @groups[Kind.DECISION].command("add", short_help="Record a decision.")
    def add_decision(
        ctx: typer.Context,
        title: Title,
        status: Annotated[str, typer.Option(metavar="<proposed|accepted>", help="Initial status.")] = "proposed",
        date: Date = None,
        decider: Annotated[list[str] | None, typer.Option("--decider", help="Who decided (repeatable).")] = None,
        supersedes: Annotated[list[str] | None, typer.Option(help="Decision it replaces (repeatable).")] = None,
        relates: Relates = None,
        body: Body = None,
    ) -> None:
        """Record a decision (context, decision, consequences in the body) and print its ID."""
        fields = {
            "title": title, "status": status, "date": _date(date, "--date"), "deciders": decider,
            "supersedes": supersedes, "relates": relates,
        }
        if not body:
            body = "## Context\n\n## Decision\n\n## Consequences\n"
        _add(ctx, Kind.DECISION, fields, body)

    @groups[Kind.MEETING].command("add")
    def add_meeting(
        ctx: typer.Context,
        title: Title,
        date: Date = None,
        kind: Annotated[str | None, typer.Option("--kind", help="kickoff, workshop, review, status…")] = None,
        attendee: Annotated[list[str] | None, typer.Option("--attendee", help="Who attended (repeatable).")] = None,
        action: Annotated[
            list[str] | None,
            typer.Option("--action", help="Action item 'WHAT|OWNER|DUE' (owner and due optional; repeatable)."),
        ] = None,
        relates: Relates = None,
        body: Body = None,
    ) -> None:
        """Record a meeting with its action items and print its ID."""
        fields = {
            "title": title, "date": _date(date, "--date"), "kind": kind, "attendees": attendee,
            "actions": [_action(text) for text in action or ()], "relates": relates,
        }
        _add(ctx, Kind.MEETING, fields, body)

    @groups[Kind.FEEDBACK].command("add")
    def add_feedback(
        ctx: typer.Context,
        title: Title,
        score: Annotated[int, typer.Option(help="Satisfaction, 1 (poor) to 5 (excellent).")],
        from_: Annotated[str | None, typer.Option("--from", help="Who gave it.")] = None,
        date: Date = None,
        relates: Relates = None,
        body: Body = None,
    ) -> None:
        """Record customer feedback and print its ID."""
        fields = {
            "title": title, "score": _score(score, "--score"), "from": from_,
            "date": _date(date, "--date"), "relates": relates,
        }
        _add(ctx, Kind.FEEDBACK, fields, body)

    @groups[Kind.LESSON].command("add")
    def add_lesson(
        ctx: typer.Context,
        title: Title,
        category: Annotated[str | None, typer.Option(help="e.g. process, technical, communication.")] = None,
        context: Annotated[
            str | None, typer.Option(help="The situation it comes from, for other projects (one line).")
        ] = None,
        link: Annotated[
            list[str] | None, typer.Option("--link", help="URL or document that tells more (repeatable).")
        ] = None,
        date: Date = None,
        relates: Relates = None,
        body: Body = None,
    ) -> None:
        """Record a lesson learned and print its ID."""
        fields = {"title": title, "category": category, "context": context, "links": link,
                  "date": _date(date, "--date"), "relates": relates}
        _add(ctx, Kind.LESSON, fields, body)

    @groups[Kind.TRAINING].command("add")
    def add_training(
        ctx: typer.Context,
        title: Title,
        date: Date = None,
        trainer: Annotated[str | None, typer.Option(help="Who gave it (e-mail or name).")] = None,
        audience: Annotated[
            list[str] | None, typer.Option("--audience", help="Who it was for, e.g. 'finance key users' (repeatable).")
        ] = None,
        topic: Annotated[list[str] | None, typer.Option("--topic", help="Topic covered (repeatable).")] = None,
        material: Annotated[
            list[str] | None, typer.Option("--material", help="Handout, slides or recording (repeatable).")
        ] = None,
        attendance: Annotated[int | None, typer.Option(help="How many people attended.")] = None,
        score: Annotated[int | None, typer.Option(help="Participants' feedback, 1 (poor) to 5 (excellent).")] = None,
        relates: Relates = None,
        body: Body = None,
    ) -> None:
        """Record a training session for the customer and print its ID."""
        if attendance is not None and attendance < 0:
            raise UsageError(lazy("--attendance {attendance}: use a number of people, 0 or more",
                                  attendance=attendance))
        fields = {
            "title": title, "date": _date(date, "--date"), "trainer": trainer, "audience": audience,
            "attendance": attendance, "score": None if score is None else _score(score, "--score"),
            "topics": topic, "materials": material, "relates": relates,
        }
        _add(ctx, Kind.TRAINING, fields, body)

    @groups[Kind.SUPPORT].command("add")
    def add_support(
        ctx: typer.Context,
        title: Title,
        severity: Annotated[
            str, typer.Option(metavar="<low|medium|high|critical>", help="How badly it hurts the customer.")
        ] = "medium",
        category: Annotated[str | None, typer.Option(help="e.g. bug, question, data, access.")] = None,
        from_: Annotated[str | None, typer.Option("--from", help="Who reported it (e-mail or name).")] = None,
        reported: Annotated[
            str | None, typer.Option("--reported", "--date", help="Reported on, YYYY-MM-DD (default: today).")
        ] = None,
        relates: Annotated[
            list[str] | None, typer.Option("--relates", help="Related requirement or other item (repeatable).")
        ] = None,
        body: Body = None,
    ) -> None:
        """Open a support ticket and print its ID."""
        if severity not in SEVERITIES:
            raise UsageError(lazy("--severity {severity}: use one of {allowed}", severity=severity,
                                  allowed=", ".join(SEVERITIES)))
        fields = {
            "title": title, "severity": severity, "category": category, "from": from_,
            "reported": _date(reported, "--reported"), "relates": relates,
        }
        _add(ctx, Kind.SUPPORT, fields, body)

    @groups[Kind.FOLLOWUP].command("add")
    def add_followup(
        ctx: typer.Context,
        title: Title,
        date: Date = None,
        contact: Annotated[str | None, typer.Option(help="Whom we visited or called (e-mail or name).")] = None,
        channel: Annotated[str | None, typer.Option(help="visit, phone, video, email, im…")] = None,
        satisfaction: Annotated[int | None, typer.Option(help="Customer satisfaction, 1 to 5.")] = None,
        topic: Annotated[list[str] | None, typer.Option("--topic", help="Topic discussed (repeatable).")] = None,
        next_visit: Annotated[str | None, typer.Option(help="Next visit planned on, YYYY-MM-DD.")] = None,
        opportunity: Annotated[
            list[str] | None, typer.Option("--opportunity", help="Follow-on business seen (repeatable).")
        ] = None,
        relates: Relates = None,
        body: Body = None,
    ) -> None:
        """Record a follow-up visit with the customer and print its ID."""
        fields = {
            "title": title, "date": _date(date, "--date"), "contact": contact, "channel": channel,
            "satisfaction": None if satisfaction is None else _score(satisfaction, "--satisfaction"),
            "topics": topic, "next_visit": _date(next_visit, "--next-visit"), "opportunities": opportunity,
            "relates": relates,
        }
        _add(ctx, Kind.FOLLOWUP, fields, body)



def _action(text: str) -> dict[str, Any]:
    parts = [part.strip() for part in text.split("|")]
    if not parts[0] or len(parts) > 3:
        raise UsageError(lazy("--action '{text}': expected 'WHAT|OWNER|DUE' (owner and due optional)", text=text))
    action: dict[str, Any] = {"what": parts[0]}
    if len(parts) > 1 and parts[1]:
        action["owner"] = parts[1]
    if len(parts) > 2 and parts[2]:
        action["due"] = _date(parts[2], lazy("--action due date"))
    action["done"] = False
    return action
