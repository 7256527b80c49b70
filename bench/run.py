#!/usr/bin/env python3
"""Time reqctl commands on a generated repository and print a Markdown table.

Every command runs as its own child process (the ``reqctl`` executable, never
reqctl's Python internals). Wall time is measured around the child; peak RSS is
the child's ``ru_maxrss`` as reported by ``os.wait4`` (this includes any
grandchildren it waited for).

Usage:
    python bench/run.py [--requirements 10000] [--keep DIR | --reuse DIR]
        [--runs 5] [--reqctl CMD] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEMORY_LIMIT_MB = 300.0
PROBE_TIMEOUT_S = 60.0


# ------------------------------------------------------------ measuring ----


@dataclass
class Sample:
    wall: float
    rss_mb: float
    code: int
    error: str = ""
    crashed: bool = False  # a Python traceback on stderr, whatever the exit code


def clear_state(worktree: Path) -> None:
    """Delete reqctl's caches of a work tree: its state folder in git's directory (and a legacy .reqctl/)."""
    shutil.rmtree(worktree / ".reqctl", ignore_errors=True)
    git_dir = git(worktree, "rev-parse", "--absolute-git-dir")
    if git_dir:
        shutil.rmtree(Path(git_dir) / "reqctl", ignore_errors=True)


def error_line(stderr: str) -> str:
    """First non-empty stderr line; for a Python traceback its last line instead."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1] if lines[0].startswith("Traceback") else lines[0]


def run_once(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Sample:
    """Run ``cmd`` once in its own child process; measure wall time and peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )
        except OSError as exc:
            return Sample(0.0, 0.0, 127, f"{cmd[0]}: {exc.strerror or exc}")
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    code = proc.returncode
    message = error_line(stderr)
    if code < 0:
        message = f"killed by signal {-code}" + (
            f" after {timeout:.0f} s timeout" if wall >= timeout else ""
        )
    crashed = "Traceback (most recent call last)" in stderr
    return Sample(wall, usage.ru_maxrss / 1024.0, code, message, crashed)


# ------------------------------------------------------------- benches ----


@dataclass
class Bench:
    label: str
    args: list[str]
    target_s: float | None = None
    probe: list[str] | None = None  # subcommand whose `--help` must succeed
    probe_needle: str | None = None  # text that `--help` must contain
    setup: Callable[[], str | None] | None = None  # once; returns a skip reason or None
    prepare: Callable[[], None] | None = None  # before every run
    teardown: Callable[[], None] | None = None
    ok_codes: frozenset[int] = frozenset({0})
    cwd: Path | None = None
    max_runs: int | None = None


@dataclass
class Row:
    label: str
    runs: int = 0
    best: float | None = None
    median: float | None = None
    rss_mb: float | None = None
    target: str = ""
    result: str = ""
    notes: list[str] = field(default_factory=list)


def target_text(bench: Bench) -> str:
    time_part = f"< {bench.target_s:g} s, " if bench.target_s is not None else ""
    return f"{time_part}< {MEMORY_LIMIT_MB:.0f} MB"


def verdict(bench: Bench, median: float, rss_mb: float) -> str:
    failed = []
    if bench.target_s is not None and median >= bench.target_s:
        failed.append("time")
    if rss_mb >= MEMORY_LIMIT_MB:
        failed.append("memory")
    return f"FAIL ({', '.join(failed)})" if failed else "PASS"


class Runner:
    def __init__(self, reqctl: list[str], repo: Path, runs: int, timeout: float) -> None:
        self.reqctl = reqctl
        self.repo = repo
        self.runs = runs
        self.timeout = timeout
        self.env = dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="120")

    def probe(self, bench: Bench) -> tuple[bool, str]:
        """Whether the subcommand exists; a missing executable is an error, not a skip."""
        if bench.probe is None:
            return True, ""
        cmd = [*self.reqctl, *bench.probe, "--help"]
        try:
            result = subprocess.run(
                cmd,
                cwd=self.repo,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=PROBE_TIMEOUT_S,
                check=False,
            )
        except OSError as exc:
            return False, f"ERROR: {cmd[0]}: {exc.strerror or exc}"
        except subprocess.TimeoutExpired:
            return False, f"ERROR: `{shlex.join(cmd)}` timed out"
        name = " ".join(bench.probe)
        missing = result.returncode == 2 or "no such command" in result.stderr.lower()
        if result.returncode != 0 and missing:
            return False, f"SKIPPED: no `reqctl {name}` (probe exit {result.returncode})"
        if result.returncode != 0:
            return False, (
                f"ERROR: `reqctl {name} --help` exit {result.returncode}: "
                f"{error_line(result.stderr)}"
            )
        if bench.probe_needle and bench.probe_needle not in result.stdout:
            return False, f"SKIPPED: `reqctl {name}` has no {bench.probe_needle}"
        return True, ""

    def measure(self, bench: Bench) -> Row:
        row = Row(bench.label, target=target_text(bench))
        available, reason = self.probe(bench)
        if not available:
            row.result = reason
            return row
        try:
            skip = bench.setup() if bench.setup else None
            row.label = bench.label  # setup may have made the label more specific
            if skip:
                row.result = f"SKIPPED: {skip}"
                return row
            self._repeat(bench, row)
        finally:
            if bench.teardown:
                bench.teardown()
        return row

    def _repeat(self, bench: Bench, row: Row) -> None:
        runs = min(self.runs, bench.max_runs or self.runs)
        samples: list[Sample] = []
        for _ in range(runs):
            if bench.prepare:
                bench.prepare()
            sample = run_once(
                [*self.reqctl, *bench.args], bench.cwd or self.repo, self.env, self.timeout
            )
            if sample.code not in bench.ok_codes or sample.crashed:
                row.result = f"ERROR (exit {sample.code}): {sample.error or 'no stderr'}"
                return
            samples.append(sample)
        walls = [s.wall for s in samples]
        row.runs = len(samples)
        row.best = min(walls)
        row.median = statistics.median(walls)
        row.rss_mb = max(s.rss_mb for s in samples)
        row.result = verdict(bench, row.median, row.rss_mb)
        codes = sorted({s.code for s in samples} - {0})
        if codes:
            row.notes.append(f"exit {', '.join(map(str, codes))} (findings)")


# ------------------------------------------------------------ scenario ----


def git_run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )


def git(repo: Path, *args: str) -> str:
    """Stdout of a git command, or "" when it fails."""
    result = git_run(repo, *args)
    return result.stdout.strip() if result.returncode == 0 else ""


def find_requirement(repo: Path, number: int = 42) -> str:
    """The ID of requirement ``number`` (REQ-0042 or REQ-042), else the first one."""
    files = sorted((repo / "requirements").glob("*.md"))
    for path in files:
        digits = path.stem.rsplit("-", 1)[-1]
        if digits.isdigit() and int(digits) == number:
            return path.stem
    return files[0].stem if files else "REQ-0042"


class Scenario:
    """Builds the list of benches for one repository and holds their side effects."""

    def __init__(self, repo: Path, out: Path) -> None:
        self.repo = repo
        self.out = out
        self.req_id = find_requirement(repo)
        self.worktree = out / "cr-worktree"
        self.fork_point = ""
        self.cr_bench = Bench(
            "check --base <fork point>",
            ["check", "--base", "?"],
            3.0,
            probe=["check"],
            probe_needle="--base",
            setup=self.add_worktree,
            prepare=self.clear_worktree_cache,
            teardown=self.remove_worktree,
            ok_codes=frozenset({0, 1}),
            cwd=self.worktree,
        )

    def clear_cache(self) -> None:
        clear_state(self.repo)

    def touch(self) -> None:
        path = self.repo / "requirements" / f"{self.req_id}.md"
        if path.exists():
            os.utime(path, None)

    def warm_up(self, runner: Runner) -> Callable[[], str | None]:
        def setup() -> str | None:
            run_once([*runner.reqctl, "check"], self.repo, runner.env, runner.timeout)
            return None

        return setup

    def need_commits(self, count: int) -> Callable[[], str | None]:
        def setup() -> str | None:
            have = int(git(self.repo, "rev-list", "--count", "HEAD") or 0)
            return None if have > count else f"only {have} commits"

        return setup

    def add_worktree(self) -> str | None:
        branches = git(
            self.repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/change/"
        ).splitlines()
        if not branches:
            return "no change/CR-* branch"
        self.remove_worktree()
        base = "main" if git(self.repo, "rev-parse", "--verify", "-q", "main") else "HEAD"
        self.fork_point = git(self.repo, "merge-base", base, branches[0])
        added = git_run(self.repo, "worktree", "add", "-q", str(self.worktree), branches[0])
        if added.returncode != 0:  # e.g. the branch is checked out elsewhere
            added = git_run(
                self.repo, "worktree", "add", "-q", "--detach", str(self.worktree), branches[0]
            )
        if added.returncode != 0:
            return f"cannot add a worktree: {error_line(added.stderr)}"
        self.cr_bench.args = ["check", "--base", self.fork_point]
        self.cr_bench.label = f"check --base <fork point> ({branches[0].split('/')[1][:6]})"
        return None

    def remove_worktree(self) -> None:
        git_run(self.repo, "worktree", "remove", "--force", str(self.worktree))
        shutil.rmtree(self.worktree, ignore_errors=True)
        git_run(self.repo, "worktree", "prune")

    def clear_worktree_cache(self) -> None:
        clear_state(self.worktree)

    def clear_site(self) -> None:
        shutil.rmtree(self.out / "site", ignore_errors=True)

    def benches(self, runner: Runner) -> list[Bench]:
        check_ok = frozenset({0, 1})  # 1 = findings, a normal outcome of a check
        return [
            Bench("--help", ["--help"], 0.3),
            Bench("check (cold)", ["check"], 2.0, prepare=self.clear_cache, ok_codes=check_ok),
            Bench("check (warm)", ["check"], 0.5, setup=self.warm_up(runner), ok_codes=check_ok),
            Bench(
                "check (1 file touched)",
                ["check"],
                0.5,
                setup=self.warm_up(runner),
                prepare=self.touch,
                ok_codes=check_ok,
            ),
            Bench(f"req show {self.req_id}", ["req", "show", self.req_id], 0.3),
            Bench("req list --json", ["req", "list", "--json"]),
            Bench(
                "diff HEAD~50",
                ["diff", "HEAD~50"],
                2.0,
                probe=["diff"],
                setup=self.need_commits(50),
            ),
            Bench("change list", ["change", "list"], 2.0, probe=["change", "list"]),
            self.cr_bench,
            Bench("report weekly", ["report", "weekly"], 3.0, probe=["report", "weekly"]),
            Bench(
                "doc srs --format html",
                ["doc", "srs", "--format", "html", "-o", str(self.out / "srs.html")],
                5.0,
                probe=["doc", "srs"],
                max_runs=3,
            ),
            Bench(
                "publish",
                ["publish", str(self.out / "site")],
                20.0,
                probe=["publish"],
                prepare=self.clear_site,
                max_runs=3,
            ),
        ]


# -------------------------------------------------------------- output ----


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def table(rows: list[Row]) -> str:
    header = ["Command", "Runs", "Min (s)", "Median (s)", "Peak RSS (MB)", "Target", "Result"]
    body = []
    for row in rows:
        result = row.result.replace("|", "\\|")[:160]
        if row.notes:
            result += f" — {'; '.join(row.notes)}"
        body.append(
            [
                f"`reqctl {row.label}`",
                str(row.runs or "—"),
                fmt(row.best),
                fmt(row.median),
                fmt(row.rss_mb, 0),
                row.target,
                result,
            ]
        )
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in [header, *body]
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def environment(runner: Runner, repo: Path, generated: str) -> str:
    version = (
        subprocess.run(
            [*runner.reqctl, "--version"], capture_output=True, text=True, check=False, cwd=repo
        )
        if shutil.which(runner.reqctl[0])
        else None
    )
    reqs = len(list((repo / "requirements").glob("*.md")))
    commits = git(repo, "rev-list", "--count", "HEAD") or "?"
    lines = [
        f"- date: {dt.datetime.now().isoformat(timespec='seconds')}",
        f"- reqctl: `{shlex.join(runner.reqctl)}` -> {shutil.which(runner.reqctl[0])}"
        + (
            f" ({version.stdout.strip().splitlines()[0]})"
            if version and version.returncode == 0 and version.stdout.strip()
            else ""
        ),
        f"- repository: {repo} — {reqs} requirements, {commits} commits on HEAD",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        f"- runs per command: {runner.runs} (doc/publish at most 3); "
        "PASS/FAIL uses the median and the peak RSS",
    ]
    if generated:
        lines.append(f"- generated: {generated}")
    return "\n".join(lines)


# ----------------------------------------------------------------- cli ----


def resolve_reqctl(spec: str) -> list[str]:
    """Split ``--reqctl``; make a relative executable path absolute (commands run in DEST)."""
    cmd = shlex.split(spec)
    if cmd and os.sep in cmd[0] and Path(cmd[0]).exists():
        cmd[0] = str(Path(cmd[0]).resolve())
    return cmd


def generate(args: argparse.Namespace, dest: Path) -> str:
    cmd = [
        sys.executable,
        str(HERE / "generate.py"),
        str(dest),
        "--requirements",
        str(args.requirements),
        "--history",
        str(args.history),
        "--weeks",
        str(args.weeks),
        "--cr-branches",
        str(args.cr_branches),
        "--seed",
        str(args.seed),
    ]
    print(f"generating: {shlex.join(cmd)}", file=sys.stderr)
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"generate.py failed: {result.stderr.strip()}")
    return result.stdout.strip()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Benchmark reqctl commands.")
    p.add_argument("--requirements", "-n", type=int, default=10000)
    p.add_argument("--history", type=int, default=200, help="commits on main (default 200)")
    p.add_argument("--weeks", type=int, default=26)
    p.add_argument("--cr-branches", type=int, default=20)
    p.add_argument("--seed", type=int, default=42)
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--keep", type=Path, metavar="DIR", help="generate into DIR and keep it afterwards"
    )
    where.add_argument(
        "--reuse",
        type=Path,
        metavar="DIR",
        help="use an existing repository instead of generating one",
    )
    p.add_argument("--runs", type=int, default=5, help="runs per command (default 5)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    p.add_argument(
        "--reqctl",
        default="reqctl",
        metavar="CMD",
        help="command to run (default: reqctl from PATH)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=HERE / "out",
        help="folder for outputs and results.md (default bench/out)",
    )
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    return args


def prepare_repo(args: argparse.Namespace) -> tuple[Path, str, Path | None]:
    """The repository to use, the generator's summary, and a folder to delete at the end."""
    if args.reuse:
        repo = args.reuse.resolve()
        if not (repo / "reqctl.yaml").is_file():
            raise SystemExit(f"{repo} has no reqctl.yaml")
        return repo, "", None
    if args.keep:
        repo = args.keep.resolve()
        return repo, generate(args, repo), None
    scratch = Path(tempfile.mkdtemp(prefix="repo-", dir=args.out))
    return scratch, generate(args, scratch), scratch


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    repo, generated, scratch = prepare_repo(args)
    if generated:
        print(generated, file=sys.stderr)
    try:
        runner = Runner(resolve_reqctl(args.reqctl), repo, args.runs, args.timeout)
        scenario = Scenario(repo, args.out)
        rows = []
        for bench in scenario.benches(runner):
            print(f"timing: reqctl {bench.label}", file=sys.stderr)
            rows.append(runner.measure(bench))
        report = f"{environment(runner, repo, generated)}\n\n{table(rows)}\n"
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print(report)
    (args.out / "results.md").write_text(report, encoding="utf-8")
    print(f"(also written to {args.out / 'results.md'})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
