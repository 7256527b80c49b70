"""Template overrides, ``reqctl templates`` and the sandbox."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.conftest import Result, git, run_reqctl
from tests.report_fixtures import build_history


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    build_history(root)
    return root


def test_every_builtin_exists_in_both_languages() -> None:
    from reqctl.render.env import builtin_names

    names = set(builtin_names())
    for doc in ("weekly", "status", "risks", "summary", "srs"):
        for lang in ("en", "zh"):
            for fmt in ("md", "html"):
                assert f"{doc}.{lang}.{fmt}.j2" in names


def test_list_show_copy_and_override(repo: Path) -> None:
    listed = run_reqctl(repo, "templates", "list")
    assert "status.en.md.j2" in listed.out and "built-in" in listed.out
    shown = run_reqctl(repo, "templates", "show", "status.en.md")
    assert shown.code == 0 and "Project status" in shown.out
    copied = run_reqctl(repo, "templates", "copy", "status.en.md.j2")
    assert copied.code == 0, copied.err
    assert "templates/status.en.md.j2" in copied.out
    again = run_reqctl(repo, "templates", "copy", "status.en.md.j2")
    assert again.code == 2 and "already exists" in again.err
    custom = "Custom {{ project.name }}: {{ requirements.total }}\n"
    (repo / "templates" / "status.en.md.j2").write_text(custom, "utf-8")
    assert run_reqctl(repo, "report", "status", "-f", "md").out == "Custom Test project: 3\n"
    assert "project" in run_reqctl(repo, "templates", "list").out


def test_missing_template_name(repo: Path) -> None:
    result = run_reqctl(repo, "templates", "show", "nope")
    assert result.code == 2
    assert result.err.strip() == "error: no template named 'nope.j2' (see 'reqctl templates list')"


@pytest.mark.parametrize("body", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ project.__class__ }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
])
def test_sandbox_blocks_python_internals(repo: Path, body: str) -> None:
    folder = repo / "templates"
    folder.mkdir()
    (folder / "status.en.md.j2").write_text("before\n" + body + "\n", "utf-8")
    result = run_reqctl(repo, "report", "status", "-f", "md", "-o", "out.md")
    assert result.code == 2
    assert not (repo / "out.md").exists()
    assert result.out == ""
    line = result.err.strip()
    assert line.startswith("error: templates/status.en.md.j2")
    assert "Traceback" not in result.err and len(line.splitlines()) == 1


def test_undefined_variable_is_an_error(repo: Path) -> None:
    folder = repo / "templates"
    folder.mkdir()
    (folder / "status.en.md.j2").write_text("line one\n{{ no_such_thing }}\n", "utf-8")
    result = run_reqctl(repo, "report", "status", "-f", "md")
    assert result.code == 2
    assert result.err.strip() == "error: templates/status.en.md.j2:2: template error: 'no_such_thing' is undefined"


def test_syntax_error_names_file_and_line(repo: Path) -> None:
    folder = repo / "templates"
    folder.mkdir()
    (folder / "status.en.md.j2").write_text("ok\n{% if %}\n", "utf-8")
    result = run_reqctl(repo, "report", "status", "-f", "md")
    assert result.code == 2
    assert result.err.startswith("error: templates/status.en.md.j2:2: template syntax error")


# --- a pull request's templates/ is hostile input (issue 7) -------------------------------------

def commit_template(repo: Path, body: str, name: str = "status.en.md.j2") -> None:
    """What a contributor's pull request adds: a committed project template."""
    folder = repo / "templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(body, "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "my template")


def assert_stopped(repo: Path, result: Result, started: float, *, seconds: float = 8.0,
                   where: str = "templates/status.en.md.j2") -> str:
    """Exit 2, one error line naming the template, nothing written, quickly (wall time: CI machines are busy)."""
    assert time.monotonic() - started < seconds
    assert result.code == 2, (result.code, result.err)
    assert result.out == ""
    assert not (repo / "out.md").exists()
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1, result.err
    line = result.err.strip()
    assert line.startswith(f"error: {where}"), line
    return line


@pytest.mark.parametrize(("body", "says"), [
    ("{% include 'status.en.md.j2' %}", "includes, extends or calls itself"),
    ("{% extends 'status.en.md.j2' %}", "includes, extends or calls itself"),
    ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "includes, extends or calls itself"),
    ("{% for i in range(10**9) %}x{% endfor %}", "range() of 1,000,000,000 items"),
    ("{{ 'x' * 10**10 }}", "'*' would build a value larger than"),
    ("{{ [1, 2] * 10**10 }}", "'*' would build a value larger than"),
    ("{{ 10 ** 100000 }}", "'**' would build a number larger than"),
    ("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "'~' would build a value larger than"),
    ("{% import 'status.en.md.j2' as me %}", "includes, extends or calls itself"),
    ("{% include '_macros.html.j2' %}", "includes, extends or calls itself"),  # _macros includes status back
    ("{{ 'x'.ljust(10**10) }}", "str.ljust would build"),
    ("{{ [1]|batch(10**9, 'x')|list }}", "batch would build"),
    ("{{ ('x' * 1000000).join(range(10000)|map('string')) }}", "str.join would build"),
    ("{{ range(10000)|map('string')|join('x' * 1000000) }}", "join would build"),
    ("{{ [1]|slice(10**9)|list }}", "slice would build"),
    ("{{ 'x'|center(10**10) }}", "center would build"),
    ("{{ '%999999999d' % 1 }}", "format width"),
    ("{{ '{:>999999999}'.format(1) }}", "format spec"),
    ("{% macro m() %}{% for i in range(10000) %}{% for j in range(10000) %}" + "0123456789" * 100
     + "{% endfor %}{% endfor %}{% endmacro %}{{ m() }}", "output would be larger than 200,000,000 characters"),
])
def test_a_template_without_end_stops_with_one_line(repo: Path, body: str, says: str) -> None:
    commit_template(repo, "{% include 'status.en.md.j2' %}", name="_macros.html.j2")
    commit_template(repo, body)
    started = time.monotonic()
    result = run_reqctl(repo, "report", "status", "-f", "md", "-o", "out.md")
    assert says in assert_stopped(repo, result, started)


@pytest.mark.parametrize("body", [
    "{% for i in range(10000) %}{% for j in range(10000) %}{{ i }}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% if n < 40 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}",
    "{% for i in range(10000) %}{% for j in range(10000) %}{% include '_macros.html.j2' %}{% endfor %}{% endfor %}",
])
def test_a_template_that_runs_too_long_hits_the_deadline(
    repo: Path, body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQCTL_RENDER_SECONDS", "1")  # the default (10 s of CPU) behaves the same, slower
    commit_template(repo, body)
    started = time.monotonic()
    result = run_reqctl(repo, "report", "status", "-f", "md", "-o", "out.md")
    assert "rendering took longer than 1 s of CPU time" in assert_stopped(repo, result, started)


def test_built_in_templates_alone_render_without_a_budget(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """They are not hostile, and a 100k-requirement SRS may take long; a project template brings the budget."""
    monkeypatch.setenv("REQCTL_RENDER_SECONDS", "0.000001")
    assert run_reqctl(repo, "doc", "srs", "-f", "html", "-o", "srs.html").code == 0
    from reqctl.render.env import builtin_text

    commit_template(repo, str(builtin_text("_macros.html.j2")), name="_macros.html.j2")  # an unchanged copy
    result = run_reqctl(repo, "doc", "srs", "-f", "html", "-o", "srs2.html")
    assert result.code == 2 and "rendering took longer than" in result.err


def test_a_published_page_cannot_change_what_publish_works_with(repo: Path) -> None:
    commit_template(repo, "{{ site.pages.update({'REQ-001': '../../../evil'}) }}{{ items[0].pop('id') }}",
                    name="site_list.html.j2")
    result = run_reqctl(repo, "publish", "site")
    assert result.code == 2, result.err
    line = result.err.strip()
    assert line.startswith("error: templates/site_list.html.j2:1: blocked by the template sandbox"), line
    assert not (repo / "site").exists() and not (repo.parent / "evil").exists()


def test_the_limits_leave_real_reports_alone(repo: Path) -> None:
    commit_template(repo, "{% for i in range(3) %}{% for r in range(2) %}{{ i }}{{ r }} {% endfor %}{% endfor %}"
                    "{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ '%5d' % 42 }} {{ project.name ~ '!' }} "
                    "{{ (['x' * 900000] + ['y' * 900000])|join|length }} {{ range(3)|map('string')|join('-') }}\n")
    result = run_reqctl(repo, "report", "status", "-f", "md")
    assert result.code == 0, result.err
    assert result.out == "00 01 10 11 20 21 ababab 1024    42 Test project! 1800000 0-1-2\n"
    for doc in ("weekly", "status", "risks", "summary"):
        assert run_reqctl(repo, "report", doc, "-f", "html", "-o", f"{doc}.html").code == 0
    assert run_reqctl(repo, "doc", "srs", "-f", "html", "-o", "srs.html").code == 0


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "status.en.md.j2").write_text("SECRET-OUTSIDE-THE-PROJECT\n", "utf-8")
    return outside


def test_a_symlinked_template_is_refused(repo: Path, secret: Path) -> None:
    (repo / "templates").mkdir()
    (repo / "templates" / "status.en.md.j2").symlink_to(secret / "status.en.md.j2")
    (repo / "templates" / "risks.en.md.j2").symlink_to("/etc/passwd")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")
    for name, args in (("status", ("report", "status", "-f", "md", "-o", "out.md")),
                       ("status", ("templates", "show", "status.en.md.j2")),
                       ("risks", ("report", "risks", "-f", "md", "-o", "out.md"))):
        started = time.monotonic()
        result = run_reqctl(repo, *args)
        line = assert_stopped(repo, result, started, where=f"templates/{name}.en.md.j2")
        assert "is a symbolic link" in line and "SECRET" not in line and "root:" not in line
    published = run_reqctl(repo, "publish", "site")
    assert published.code == 0  # the site uses no md template
    assert "SECRET" not in "".join(p.read_text("utf-8") for p in (repo / "site").rglob("*.html"))


def test_a_symlinked_templates_folder_is_refused(repo: Path, secret: Path) -> None:
    (repo / "templates").symlink_to(secret)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    for args in (("report", "status", "-f", "md", "-o", "out.md"), ("templates", "list"),
                 ("templates", "copy", "weekly.en.md.j2"), ("publish", "site")):
        started = time.monotonic()
        result = run_reqctl(repo, *args)
        line = assert_stopped(repo, result, started, where="templates")
        assert "is a symbolic link" in line
    assert sorted(p.name for p in secret.iterdir()) == ["status.en.md.j2"]  # copy wrote nothing outside
    assert not (repo / "site").exists()


def test_a_template_that_is_not_a_regular_file_is_refused_without_blocking(repo: Path) -> None:
    import os

    (repo / "templates").mkdir()
    os.mkfifo(repo / "templates" / "status.en.md.j2")  # reading a FIFO would wait for a writer forever
    (repo / "templates" / "risks.en.md.j2").mkdir()
    for name in ("status", "risks"):
        started = time.monotonic()
        result = run_reqctl(repo, "report", name, "-f", "md", "-o", "out.md")
        assert "is not a regular file" in assert_stopped(repo, result, started, where=f"templates/{name}.en.md.j2")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the memory cap needs Linux's /proc")
def test_the_memory_cap_turns_a_huge_allocation_into_memory_error() -> None:
    """The last line of defence behind the size checks: more than 1 GiB extra fails at once, then is lifted."""
    import resource

    from reqctl.render import limits

    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(MemoryError), limits.memory_cap():
        bytearray(limits.MEMORY_HEADROOM * 2)  # refused by the kernel before any page is touched
    assert resource.getrlimit(resource.RLIMIT_AS) == before
