#!/usr/bin/env python3
"""Time ``reqctl import xlsx`` and ``reqctl import reqif`` of 10,000 requirements into an empty project.

Standard library only, like run.py: the source project comes from
generate.py, the XLSX and ReqIF files from ``reqctl export`` on it, and each
import runs as its own ``reqctl`` process in a fresh empty project (a git
repository with only reqctl.yaml).  Target: under 10 s on two cores.

Usage:
    python bench/import_bench.py [--requirements 10000] [--runs 3] [--reqctl CMD] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_S = 10.0


def run(cmd: list[str], cwd: Path, timeout: float = 600.0) -> tuple[float, float, int, str]:
    """Run one child process: wall time, CPU time (user + system), exit code, last line of stderr.

    CPU time is reported too because on a shared machine the wall time mostly
    measures the other processes.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    return wall, cpu, proc.returncode, lines[-1] if lines else ""


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True)


def empty_project(root: Path, config: Path) -> Path:
    """A committed project with the source's reqctl.yaml (its milestones and priorities) and no item."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    shutil.copyfile(config, root / "reqctl.yaml")
    (root / ".gitignore").write_text(".reqctl/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "init")
    return root


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requirements", "-n", type=int, default=10000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--reqctl", default="reqctl", help="command that runs reqctl (default: reqctl on PATH)")
    p.add_argument("--out", type=Path, default=HERE / "out")
    args = p.parse_args(argv)
    reqctl = shlex.split(args.reqctl)
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="import-", dir=args.out))
    try:
        source = scratch / "source"
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(source), "--requirements", str(args.requirements),
             "--risks", "0", "--decisions", "0", "--history", "1", "--cr-branches", "0"],
            check=True, capture_output=True,
        )
        files = {"xlsx": scratch / "reqs.xlsx", "reqif": scratch / "reqs.reqif"}
        for fmt, path in files.items():
            wall, _cpu, code, err = run([*reqctl, "export", fmt, "--kind", "requirement", "-o", str(path)], source)
            if code != 0:
                raise SystemExit(f"reqctl export {fmt} failed: {err}")
            print(f"export {fmt}: {wall:.2f} s, {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
        rows = []
        for fmt, path in files.items():
            walls: list[float] = []
            cpus: list[float] = []
            note = ""
            for number in range(args.runs):
                target = empty_project(scratch / f"{fmt}-{number}", source / "reqctl.yaml")
                wall, cpu, code, err = run([*reqctl, "import", fmt, str(path)], target)
                if code != 0:
                    note = f"exit {code}: {err}"
                    break
                made = sum(1 for _ in (target / "requirements").iterdir())
                if made != args.requirements:
                    note = f"created {made} files, expected {args.requirements}"
                    break
                walls.append(wall)
                cpus.append(cpu)
            if walls:
                median = statistics.median(walls)
                verdict = "ok" if median < TARGET_S else f"over the {TARGET_S:.0f} s target"
                rows.append(f"| import {fmt} | {args.requirements} | {median:.2f} | {min(walls):.2f} | "
                            f"{statistics.median(cpus):.2f} | {verdict} |")
            else:
                rows.append(f"| import {fmt} | {args.requirements} | - | - | - | {note} |")
        report = "\n".join([
            f"reqctl import bench: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
            f"{args.runs} runs, command {' '.join(reqctl)}",
            "",
            "| command | rows | median wall s | min wall s | median CPU s | |",
            "|---|---:|---:|---:|---:|---|",
            *rows,
        ])
        print(report)
        (args.out / "import-results.md").write_text(report + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
