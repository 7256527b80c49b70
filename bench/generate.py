#!/usr/bin/env python3
"""Generate a synthetic reqctl project (a git repository) for benchmarking.

The generator writes plain files and git objects only; it does not import
reqctl. Content is deterministic for a given ``--seed`` (commit dates are
relative to the current time). History is written with ``git fast-import``
so that 10,000 requirements with 200 commits take a few seconds.

Usage:
    python bench/generate.py DEST --requirements N [--risks R] [--decisions D]
        [--history COMMITS --weeks W] [--cr-branches B] [--seed S]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

AUTHORS: list[tuple[str, str]] = [
    ("Alice Andersen", "alice@vendor.example"),
    ("Bob Brenner", "bob@customer.example"),
    ("Carol Chen", "carol@vendor.example"),
]
PM_EMAIL = AUTHORS[0][1]
CUSTOMER_EMAIL = AUTHORS[1][1]


def _words(text: str) -> list[str]:
    return text.split()


WORDS = _words("""
account address admin alert amount analysis archive audit backup balance basket
batch billing branch browser budget cache calendar campaign cart catalog channel
checkout city claim client code comment company contract country coupon credit
currency customer dashboard data date delivery department device discount
document domain draft email employee entry error event export feature field file
filter form group history import invoice item journal label language ledger
level limit list location log login manager message method mobile module month
note notice number offer operator order owner package page partner password
payment period permission phone plan policy portal price printer product profile
project quantity query queue quote rate receipt record refund region register
report request return review role rule schedule screen search session setting
shipment shop status stock store supplier support system task tax template
ticket token total transfer upload user value vendor version voucher warehouse
""")
VERBS = _words("""
accept add approve archive assign calculate cancel change check close confirm
create delete display download edit export filter import list lock merge notify
open print record refresh reject remove rename report reset restore review save
schedule search select send show sort split store submit sync track update
upload validate verify
""")
FILLERS = _words("""
the a each every all new existing selected current pending open daily weekly
monthly valid optional required internal external shared secure
""")
TAGS = ["ui", "api", "billing", "security", "reporting", "mobile", "performance", "integration"]
PRIORITIES = ["must", "should", "could", "wont"]
REQ_FORWARD = {"draft": "proposed", "proposed": "implemented", "implemented": "verified"}
RISK_FORWARD = {"open": "mitigating", "mitigating": "closed"}
KIND_FOLDER = {
    "requirement": "requirements",
    "risk": "risks",
    "decision": "decisions",
    "change": "changes",
}
KIND_PREFIX = {"requirement": "REQ", "risk": "RISK", "decision": "DEC", "change": "CR"}
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 .@_'()/-]*")
_YAML_WORDS = {"yes", "no", "true", "false", "null", "on", "off", "y", "n", "~"}


# ---------------------------------------------------------------- text ----


def sentence(rng: random.Random, lo: int = 8, hi: int = 14) -> str:
    """One pseudo-English sentence of lo..hi words, capitalised, ending in a full stop."""
    words = ["the", "system", "shall", rng.choice(VERBS)]
    while len(words) < rng.randint(lo, hi):
        words.append(rng.choice(FILLERS) if rng.random() < 0.3 else rng.choice(WORDS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, words: int = 60) -> str:
    """Sentences until about ``words`` words."""
    out: list[str] = []
    count = 0
    while count < words:
        s = sentence(rng)
        out.append(s)
        count += len(s.split())
    return " ".join(out)


def title(rng: random.Random) -> str:
    words = [rng.choice(VERBS)] + [rng.choice(WORDS) for _ in range(rng.randint(2, 5))]
    text = " ".join(words)
    return text[0].upper() + text[1:]


def third_person(verb: str) -> str:
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + ("es" if verb.endswith(("s", "sh", "ch", "x")) else "s")


def past(verb: str) -> str:
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def criterion(rng: random.Random) -> str:
    return (
        f"Given a {rng.choice(WORDS)} {rng.choice(WORDS)} when the user "
        f"{third_person(rng.choice(VERBS))} it then the {rng.choice(WORDS)} is "
        f"{past(rng.choice(VERBS))}"
    )


def slugify(text: str, words: int = 4) -> str:
    parts = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(parts[:words]) or "change"


# ---------------------------------------------------------------- yaml ----


def scalar(value: object, *, flow: bool = False) -> str:
    """Render one YAML scalar; quote strings that are not obviously plain."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    text = str(value)
    plain = _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS
    if plain and flow and any(c in text for c in ",[]{}"):
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)


def render_field(key: str, value: object, indent: str = "") -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):
        lines = [f"{indent}{key}:"]
        for sub_key, sub_value in value.items():
            lines.extend(render_field(sub_key, sub_value, indent + "  "))
        return lines
    if isinstance(value, list):
        if not value:
            return [f"{indent}{key}: []"]
        if all(len(str(v)) <= 40 for v in value) and key != "acceptance":
            return [f"{indent}{key}: [{', '.join(scalar(v, flow=True) for v in value)}]"]
        return [f"{indent}{key}:"] + [f"{indent}  - {scalar(v)}" for v in value]
    return [f"{indent}{key}: {scalar(value)}"]


@dataclass
class Item:
    kind: str
    id: str
    fields: dict[str, object]
    body: str

    @property
    def path(self) -> str:
        return f"{KIND_FOLDER[self.kind]}/{self.id}.md"

    def render(self) -> str:
        lines = ["---"]
        for key, value in self.fields.items():
            lines.extend(render_field(key, value))
        lines.append("---")
        return "\n".join(lines) + "\n\n" + self.body.rstrip("\n") + "\n"


def make_id(kind: str, number: int, count: int) -> str:
    width = 3 if count < 1000 else 4  # REQ-001 .. REQ-999, REQ-0001 .. REQ-9999, REQ-10000
    return f"{KIND_PREFIX[kind]}-{number:0{width}d}"


# --------------------------------------------------------------- items ----


def make_requirement(rng: random.Random, number: int, total: int) -> Item:
    item_id = make_id("requirement", number, total)
    depends: list[str] | None = None
    if number > 1 and rng.random() < 1 / 3:
        picks = rng.sample(range(1, number), min(rng.randint(1, 2), number - 1))
        depends = [make_id("requirement", p, total) for p in sorted(picks)]
    fields: dict[str, object] = {
        "id": item_id,
        "title": title(rng),
        "status": rng.choice(["draft", "proposed"]),
        "priority": rng.choices(PRIORITIES, weights=[4, 3, 2, 1])[0],
        "owner": rng.choice(AUTHORS)[1],
        "source": rng.choice(["kickoff workshop", "customer e-mail", "review meeting"]),
        "milestone": rng.choice(["M1", "M2"]),
        "depends_on": depends,
        "acceptance": [criterion(rng) for _ in range(rng.randint(1, 3))],
        "tags": sorted(rng.sample(TAGS, rng.randint(1, 2))),
    }
    return Item("requirement", item_id, fields, paragraph(rng))


def make_risk(
    rng: random.Random, number: int, total: int, day: dt.date, req_ids: list[str]
) -> Item:
    item_id = make_id("risk", number, total)
    fields: dict[str, object] = {
        "id": item_id,
        "title": f"Risk that the {rng.choice(WORDS)} {rng.choice(WORDS)} is late",
        "status": rng.choice(["open", "open", "mitigating", "closed"]),
        "probability": rng.randint(1, 5),
        "impact": rng.randint(1, 5),
        "owner": rng.choice(AUTHORS)[1],
        "mitigation": sentence(rng),
        "contingency": sentence(rng),
        "review_by": day + dt.timedelta(days=rng.randint(14, 90)),
        "identified": day,
        "relates": sorted(rng.sample(req_ids, min(len(req_ids), rng.randint(1, 2)))) or None,
    }
    return Item("risk", item_id, fields, paragraph(rng, 40))


def make_decision(
    rng: random.Random, number: int, total: int, day: dt.date, req_ids: list[str]
) -> Item:
    item_id = make_id("decision", number, total)
    fields: dict[str, object] = {
        "id": item_id,
        "title": f"Use {rng.choice(WORDS)} {rng.choice(WORDS)} for {rng.choice(WORDS)}",
        "status": "accepted",
        "date": day,
        "deciders": sorted({PM_EMAIL, rng.choice(AUTHORS)[1]}),
        "relates": sorted(rng.sample(req_ids, min(len(req_ids), rng.randint(1, 2)))) or None,
    }
    body = (
        f"## Context\n\n{paragraph(rng, 30)}\n\n## Decision\n\n{paragraph(rng, 20)}\n\n"
        f"## Consequences\n\n{paragraph(rng, 20)}"
    )
    return Item("decision", item_id, fields, body)


def make_change(rng: random.Random, number: int, day: dt.date, affects: list[str]) -> Item:
    item_id = make_id("change", number, 1)
    fields: dict[str, object] = {
        "id": item_id,
        "title": f"Change {rng.choice(WORDS)} {rng.choice(WORDS)} handling",
        "status": "proposed",
        "requested_by": CUSTOMER_EMAIL,
        "created": day,
        "affects": affects,
        "impact": {
            "schedule_days": rng.randint(0, 10),
            "cost": rng.randint(0, 20) * 500,
            "risk": rng.choice(["low", "medium", "high"]),
            "summary": sentence(rng),
        },
    }
    return Item("change", item_id, fields, paragraph(rng, 40))


def config_text(name: str, start: dt.date, today: dt.date) -> str:
    return f"""name: {name}
customer: Example Retail GmbH
language: en
start: {start.isoformat()}
end: {(today + dt.timedelta(days=180)).isoformat()}
goals:
  - Customers order and pay online without calling the sales office
milestones:
  - {{id: M1, title: Pilot, date: {(today + dt.timedelta(days=30)).isoformat()}}}
  - {{id: M2, title: Go-live, date: {(today + dt.timedelta(days=150)).isoformat()}}}
priorities: [must, should, could, wont]
roles:
  pm: [{PM_EMAIL}]
  customer: [{CUSTOMER_EMAIL}]
approvals:
  requirement: [customer]
  change: [customer, pm]
"""


# --------------------------------------------------------------- edits ----


def edit_item(rng: random.Random, item: Item) -> tuple[Item, str]:
    """A copy of ``item`` with one plausible edit, and a short description."""
    new = Item(item.kind, item.id, copy.deepcopy(item.fields), item.body)
    f = new.fields
    if item.kind == "risk":
        nxt = RISK_FORWARD.get(str(f["status"]))
        if nxt and rng.random() < 0.6:
            f["status"] = nxt
            return new, f"{item.id} {nxt}"
        f["probability"] = rng.randint(1, 5)
        return new, f"{item.id} probability"
    if item.kind != "requirement":
        new.body = item.body.rstrip("\n") + " " + sentence(rng)
        return new, f"{item.id} text"
    choice = rng.random()
    nxt = REQ_FORWARD.get(str(f["status"]))
    if choice < 0.4 and nxt:
        f["status"] = nxt
        return new, f"{item.id} {nxt}"
    if choice < 0.6:
        f["title"] = title(rng)
        return new, f"{item.id} title"
    if choice < 0.75:
        f["priority"] = rng.choice([p for p in PRIORITIES if p != f["priority"]])
        return new, f"{item.id} priority"
    acceptance = list(f["acceptance"])  # type: ignore[call-overload]
    acceptance.append(criterion(rng))
    f["acceptance"] = acceptance
    return new, f"{item.id} acceptance"


def cr_edit(rng: random.Random, item: Item, cr_id: str) -> Item:
    """The edit a change request makes to one requirement: title or one criterion."""
    new = Item(item.kind, item.id, copy.deepcopy(item.fields), item.body)
    acceptance = list(new.fields.get("acceptance") or [])  # type: ignore[call-overload]
    if acceptance and rng.random() < 0.5:
        acceptance[rng.randrange(len(acceptance))] = criterion(rng) + f" as per {cr_id}"
        new.fields["acceptance"] = acceptance
    else:
        new.fields["title"] = f"{title(rng)} (per {cr_id})"
    return new


# ------------------------------------------------------------- history ----


@dataclass
class Commit:
    ref: str
    when: int
    author: tuple[str, str]
    message: str
    files: dict[str, str]
    parent_mark: int | None = None
    mark: int = 0


@dataclass
class Plan:
    """Everything the generator decides, independent of how it is written to git."""

    commits: list[Commit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    branches: list[str] = field(default_factory=list)


def interleave(counts: dict[str, int], first: dict[str, int]) -> list[tuple[str, int]]:
    """Items not in the first commit, each kind spread evenly over the sequence."""
    rest: list[tuple[float, str, int]] = []
    for kind, total in counts.items():
        for number in range(first[kind] + 1, total + 1):
            rest.append((number / max(total, 1), kind, number))
    rest.sort()
    return [(kind, number) for _, kind, number in rest]


def split_batches(seq: list[tuple[str, int]], parts: int) -> list[list[tuple[str, int]]]:
    if parts <= 0:
        return []
    size, extra = divmod(len(seq), parts)
    out: list[list[tuple[str, int]]] = []
    start = 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(seq[start:end])
        start = end
    return out


class Builder:
    """Creates items in order and keeps the current state of ``main``."""

    def __init__(self, rng: random.Random, counts: dict[str, int]) -> None:
        self.rng = rng
        self.counts = counts
        self.state: dict[str, Item] = {}
        self.req_ids: list[str] = []

    def create(self, kind: str, number: int, day: dt.date) -> Item:
        total = self.counts[kind]
        if kind == "requirement":
            item = make_requirement(self.rng, number, total)
            self.req_ids.append(item.id)
        elif kind == "risk":
            item = make_risk(self.rng, number, total, day, self.req_ids)
        else:
            item = make_decision(self.rng, number, total, day, self.req_ids)
        self.state[item.path] = item
        return item

    def edit_random(self, count: int, exclude: set[str]) -> tuple[dict[str, str], list[str]]:
        candidates = [p for p in self.state if p not in exclude]
        files: dict[str, str] = {}
        notes: list[str] = []
        for path in self.rng.sample(candidates, min(count, len(candidates))):
            new, note = edit_item(self.rng, self.state[path])
            self.state[path] = new
            files[path] = new.render()
            notes.append(note)
        return files, notes


def commit_times(commits: int, weeks: int, end: int) -> list[int]:
    if commits == 1:
        return [end]
    start = end - weeks * 7 * 86400
    step = (end - start) / (commits - 1)
    return [int(start + i * step) for i in range(commits)]


def summary_message(added: list[Item], notes: list[str]) -> str:
    parts: list[str] = []
    if added:
        parts.append(f"Add {len(added)} items ({added[0].id} .. {added[-1].id})")
    if notes:
        shown = ", ".join(notes[:3]) + (", ..." if len(notes) > 3 else "")
        parts.append(f"update {len(notes)}: {shown}")
    return "; ".join(parts) or "Housekeeping"


def plan_main(
    rng: random.Random, counts: dict[str, int], *, commits: int, weeks: int, end: int, name: str
) -> tuple[list[Commit], Builder]:
    builder = Builder(rng, counts)
    times = commit_times(commits, weeks, end)
    first = {k: (v if commits == 1 else (v + 1) // 2) for k, v in counts.items()}
    batches = split_batches(interleave(counts, first), commits - 1)
    edits_per_commit = max(2, counts["requirement"] // 500)
    out: list[Commit] = []
    for index, when in enumerate(times):
        day = dt.datetime.fromtimestamp(when, dt.timezone.utc).date()
        todo = (
            [(k, n) for k in counts for n in range(1, first[k] + 1)]
            if index == 0
            else batches[index - 1]
        )
        added = [builder.create(kind, number, day) for kind, number in todo]
        files = {item.path: item.render() for item in added}
        notes: list[str] = []
        if index == 0:
            end_day = dt.datetime.fromtimestamp(end, dt.timezone.utc).date()
            files["reqctl.yaml"] = config_text(name, day - dt.timedelta(days=14), end_day)
            files[".gitignore"] = ".reqctl/\n"
            message = f"Initial import: {len(added)} items"
        else:
            edits, notes = builder.edit_random(edits_per_commit, set(files))
            files.update(edits)
            message = summary_message(added, notes)
        author = AUTHORS[index % len(AUTHORS)]
        out.append(Commit("refs/heads/main", when, author, message, files))
    return out, builder


def plan_branches(
    rng: random.Random, builder: Builder, branches: int, start: int, step: int
) -> tuple[list[Commit], list[str]]:
    out: list[Commit] = []
    names: list[str] = []
    for number in range(1, branches + 1):
        when = start + number * step
        day = dt.datetime.fromtimestamp(when, dt.timezone.utc).date()
        affects = sorted(rng.sample(builder.req_ids, min(len(builder.req_ids), rng.randint(1, 3))))
        cr = make_change(rng, number, day, affects)
        branch = f"change/{cr.id}-{slugify(str(cr.fields['title']))}"
        cr.fields["branch"] = branch
        files = {cr.path: cr.render()}
        for req_id in affects:
            path = f"requirements/{req_id}.md"
            files[path] = cr_edit(rng, builder.state[path], cr.id).render()
        message = f"{cr.id}: {cr.fields['title']}"
        out.append(Commit(f"refs/heads/{branch}", when, AUTHORS[1], message, files))
        names.append(branch)
    return out, names


# ----------------------------------------------------------------- git ----


def git(dest: Path, *args: str, stdin: bytes | None = None) -> str:
    result = subprocess.run(
        ["git", "-C", str(dest), *args], input=stdin, capture_output=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {result.stderr.decode().strip()}")
    return result.stdout.decode()


def data_block(payload: str) -> bytes:
    raw = payload.encode("utf-8")
    return b"data %d\n" % len(raw) + raw + b"\n"


def fast_import_stream(commits: list[Commit]) -> Iterator[bytes]:
    for commit in commits:
        name, email = commit.author
        ident = f"{name} <{email}> {commit.when} +0000"
        head = f"commit {commit.ref}\nmark :{commit.mark}\nauthor {ident}\ncommitter {ident}\n"
        yield head.encode() + data_block(commit.message)
        if commit.parent_mark is not None:
            yield b"from :%d\n" % commit.parent_mark
        for path in sorted(commit.files):
            yield f"M 100644 inline {path}\n".encode() + data_block(commit.files[path])
        yield b"\n"
    yield b"done\n"


def write_history(dest: Path, commits: list[Commit]) -> None:
    proc = subprocess.Popen(
        ["git", "-C", str(dest), "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE
    )
    assert proc.stdin is not None
    for chunk in fast_import_stream(commits):
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")


def init_repo(dest: Path) -> None:
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"{dest} exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "config", "user.name", AUTHORS[0][0])
    git(dest, "config", "user.email", AUTHORS[0][1])


def link_commits(main: list[Commit], branches: list[Commit]) -> list[Commit]:
    """Assign marks; main commits chain, each branch commit starts from main's tip."""
    for index, commit in enumerate(main, start=1):
        commit.mark = index
        commit.parent_mark = index - 1 if index > 1 else None
    tip = len(main)
    for index, commit in enumerate(branches, start=tip + 1):
        commit.mark = index
        commit.parent_mark = tip
    return main + branches


# ----------------------------------------------------------------- cli ----


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Generate a synthetic reqctl repository.")
    p.add_argument("dest", type=Path, help="folder to create (must not exist or be empty)")
    p.add_argument("--requirements", "-n", type=int, required=True, metavar="N")
    p.add_argument("--risks", type=int, default=None, metavar="R", help="default N/50")
    p.add_argument("--decisions", type=int, default=None, metavar="D", help="default N/100")
    p.add_argument(
        "--history",
        type=int,
        default=1,
        metavar="COMMITS",
        help="number of commits on main (default 1)",
    )
    p.add_argument(
        "--weeks",
        type=int,
        default=12,
        metavar="W",
        help="weeks the history spans, ending today (default 12)",
    )
    p.add_argument("--cr-branches", type=int, default=0, metavar="B")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--name", default="Example Customer Portal", help="project name")
    args = p.parse_args(argv)
    if args.requirements < 1 or args.history < 1:
        p.error("--requirements and --history must be at least 1")
    if args.cr_branches > 999:
        p.error("--cr-branches must be below 1000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    n = args.requirements
    counts = {
        "requirement": n,
        "risk": args.risks if args.risks is not None else max(1, n // 50),
        "decision": args.decisions if args.decisions is not None else max(1, n // 100),
    }
    rng = random.Random(args.seed)
    now = int(time.time())
    main_end = now - 3600 if args.cr_branches else now
    init_repo(args.dest)
    main_commits, builder = plan_main(
        rng, counts, commits=args.history, weeks=args.weeks, end=main_end, name=args.name
    )
    step = max(1, 3600 // (args.cr_branches + 1))
    branch_commits, branches = plan_branches(rng, builder, args.cr_branches, main_end, step)
    write_history(args.dest, link_commits(main_commits, branch_commits))
    git(args.dest, "reset", "-q", "--hard", "refs/heads/main")
    elapsed = time.perf_counter() - started
    print(
        f"Created {args.dest}: {counts['requirement']} requirements, {counts['risk']} risks, "
        f"{counts['decision']} decisions; {len(main_commits)} commits on main over "
        f"{args.weeks if args.history > 1 else 0} weeks; {len(branches)} CR branches; "
        f"{elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
