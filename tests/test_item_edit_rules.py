"""``req edit`` runs the rules of ``check`` before saving (issue 11, point 4).

An edit that ``check`` would reject (an unknown priority, a dependency cycle)
is refused like a YAML error: one line, exit 2, the file unchanged and the
edit kept.  Changing what an approval covers asks first.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import CUSTOMER, Result, run_reqctl, write_item


def editor(tmp_path: Path, code: str) -> dict[str, str]:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\nt = p.read_text(encoding='utf-8')\n"
        f"{code}\np.write_text(t, encoding='utf-8')\n",
        encoding="utf-8",
    )
    return {"EDITOR": f"{sys.executable} {script}", "VISUAL": ""}


def one_line(result: Result) -> str:
    assert result.code == 2, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


REQ = "title: Login   # keep\nstatus: proposed\npriority: should\nacceptance: [works]"


def test_unknown_priority_is_refused_and_the_edit_kept(project: Path, tmp_path: Path) -> None:
    path = write_item(project, "requirements", "REQ-001", REQ)
    before = path.read_bytes()
    result = run_reqctl(project, "req", "edit", "REQ-001", env=editor(tmp_path, "t = t.replace('should', 'urgent')"))
    line = one_line(result)
    assert line.startswith("error: requirements/REQ-001.md:5: R009 priority 'urgent' is not one of must, should")
    assert "REQ-001.md is unchanged, your edit is saved in " in line
    kept = Path(line.rsplit(" saved in ", 1)[1])
    assert "priority: urgent" in kept.read_text(encoding="utf-8")
    assert path.read_bytes() == before


def test_dependency_cycle_is_refused(project: Path, tmp_path: Path) -> None:
    write_item(project, "requirements", "REQ-001", "title: A\ndepends_on: [REQ-002]")
    path = write_item(project, "requirements", "REQ-002", "title: B\nstatus: draft")
    before = path.read_bytes()
    result = run_reqctl(project, "req", "edit", "REQ-002",
                        env=editor(tmp_path, "t = t.replace('status: draft', 'status: draft\\ndepends_on: [REQ-001]')"))
    line = one_line(result)
    assert "R008 dependency cycle: REQ-001 → REQ-002 → REQ-001" in line or "R008 dependency cycle: REQ-002" in line
    assert path.read_bytes() == before


def test_unknown_reference_is_refused(project: Path, tmp_path: Path) -> None:
    path = write_item(project, "requirements", "REQ-002", "title: B\nstatus: draft")
    before = path.read_bytes()
    result = run_reqctl(project, "req", "edit", "REQ-002",
                        env=editor(tmp_path, "t = t.replace('status: draft', 'status: draft\\ndepends_on: [REQ-404]')"))
    assert "R007" in one_line(result)
    assert path.read_bytes() == before


def test_old_problems_elsewhere_do_not_block_an_edit(project: Path, tmp_path: Path) -> None:
    write_item(project, "requirements", "REQ-009", "title: Broken\npriority: someday")  # already an R009
    path = write_item(project, "requirements", "REQ-001", REQ)
    result = run_reqctl(project, "req", "edit", "REQ-001", env=editor(tmp_path, "t = t.replace('Login', 'Sign in')"))
    assert result.code == 0, result.err
    assert "title: Sign in   # keep" in path.read_text(encoding="utf-8")


def approved(project: Path) -> Path:
    path = write_item(project, "requirements", "REQ-001", REQ)
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    return path


def test_normative_edit_of_approved_needs_yes_without_a_terminal(project: Path, tmp_path: Path) -> None:
    path = approved(project)
    before = path.read_bytes()
    result = run_reqctl(project, "req", "edit", "REQ-001", env=editor(tmp_path, "t = t.replace('should', 'must')"))
    line = one_line(result)
    assert line.startswith(
        "error: REQ-001 is approved and this edit changes priority: this makes it suspect: pass --yes to save it anyway"
    )
    assert path.read_bytes() == before


def test_yes_saves_and_the_requirement_is_suspect(project: Path, tmp_path: Path) -> None:
    path = approved(project)
    result = run_reqctl(project, "req", "edit", "REQ-001", "--yes",
                        env=editor(tmp_path, "t = t.replace('should', 'must')"))
    assert result.code == 0, result.err
    assert result.out == "REQ-001: saved\n"
    assert result.err == "warning: REQ-001 is suspect now: re-approve it with 'reqctl approve REQ-001'\n"
    assert yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])["priority"] == "must"
    assert "suspect" in run_reqctl(project, "req", "list").out


def test_non_normative_edit_of_approved_does_not_ask(project: Path, tmp_path: Path) -> None:
    approved(project)
    add_owner = "t = t.replace('priority: should', 'priority: should\\nowner: ann@x.org')"
    result = run_reqctl(project, "req", "edit", "REQ-001", env=editor(tmp_path, add_owner))
    assert result.code == 0, result.err
    assert result.err == ""


def _edit_on_a_terminal(project: Path, env: dict[str, str], answer: bytes) -> tuple[int, str]:
    """Run the real command with a pseudo-terminal as stdin and answer the question."""
    controller, terminal = pty.openpty()
    src = Path(__file__).resolve().parents[1] / "src"
    proc = subprocess.Popen(
        [sys.executable, "-m", "reqctl", "req", "edit", "REQ-001"], cwd=project, stdin=terminal,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, **env, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"},
    )
    os.close(terminal)
    os.write(controller, answer)
    _, err = proc.communicate(timeout=120)
    os.close(controller)
    return proc.returncode, err.decode("utf-8")


def test_terminal_confirmation(project: Path, tmp_path: Path) -> None:
    path = approved(project)
    before = path.read_bytes()
    env = editor(tmp_path, "t = t.replace('should', 'must')")
    code, err = _edit_on_a_terminal(project, env, b"n\n")
    assert code == 2
    assert "this makes it suspect until it is re-approved. Save? [y/N]" in err
    assert "error: REQ-001 is approved and this edit changes priority: this makes it suspect: not saved;" in err
    assert path.read_bytes() == before
    code, err = _edit_on_a_terminal(project, env, b"y\n")
    assert code == 0, err
    assert "priority: must" in path.read_text(encoding="utf-8")


def test_old_problems_elsewhere_do_not_block_a_link_edit(project: Path, tmp_path: Path) -> None:
    write_item(project, "requirements", "REQ-009", "title: Broken\ndepends_on: [REQ-404]")  # already an R007
    write_item(project, "requirements", "REQ-002", "title: B")
    path = write_item(project, "requirements", "REQ-001", REQ)
    link = "t = t.replace('status: proposed', 'status: proposed\\ndepends_on: [REQ-002]')"
    result = run_reqctl(project, "req", "edit", "REQ-001", env=editor(tmp_path, link))
    assert result.code == 0, result.err
    assert "depends_on: [REQ-002]" in path.read_text(encoding="utf-8")
