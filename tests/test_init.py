"""`reqctl init`: a new folder, an existing repository, idempotence, languages, examples, -C."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import PM, git, run_reqctl

CI_FILES = (".github/workflows/reqctl.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml")
FOLDERS = ("requirements", "changes", "risks", "decisions", "meetings")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (outside .git and the cache) with its bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not {".git", ".reqctl"} & set(path.relative_to(root).parts)
    }


def test_init_new_folder_creates_everything(tmp_path: Path) -> None:
    result = run_reqctl(tmp_path, "init", "myproj")
    assert result.code == 0, result.err
    root = tmp_path / "myproj"
    assert (root / ".git").is_dir()
    config = yaml.safe_load((root / "reqctl.yaml").read_text(encoding="utf-8"))
    assert config["name"] == "myproj"
    assert config["language"] == "en"
    assert PM in config["roles"]["pm"]
    assert config["approvals"]["requirement"] == ["pm"]
    assert config["approvals"]["change"] == ["pm"]
    for folder in FOLDERS:
        assert (root / folder).is_dir()
    assert ".reqctl/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    for rel in CI_FILES:
        assert (root / rel).is_file(), rel
    workflow = yaml.safe_load((root / ".github/workflows/reqctl.yml").read_text(encoding="utf-8"))
    assert "reqctl check" in str(workflow)
    assert "reqctl check" in (root / ".gitlab-ci.yml").read_text(encoding="utf-8")
    hooks = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert any(h["id"] == "reqctl-check" for repo in hooks["repos"] for h in repo["hooks"])
    assert f"{PM} is the project manager" in result.out
    # The fresh project is healthy and usable at once.
    check = run_reqctl(root, "check")
    assert check.code == 0, check.out + check.err


def test_init_in_existing_repository_keeps_its_history(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README.md").write_text("hello\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "first")
    result = run_reqctl(tmp_path, "init")
    assert result.code == 0, result.err
    assert "initialized a git repository" not in result.out
    assert git(tmp_path, "log", "--format=%s").split() == ["first"]
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "hello\n"
    lines = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "*.pyc"
    assert ".reqctl/" in lines
    assert (tmp_path / "reqctl.yaml").is_file()


def test_init_twice_overwrites_nothing(tmp_path: Path) -> None:
    assert run_reqctl(tmp_path, "init", "p").code == 0
    root = tmp_path / "p"
    # The person customises files after the first init.
    (root / "reqctl.yaml").write_text(
        (root / "reqctl.yaml").read_text(encoding="utf-8").replace('name: "p"', 'name: "Mine"'),
        encoding="utf-8",
    )
    (root / ".gitlab-ci.yml").write_text("# my own CI\n", encoding="utf-8")
    before = snapshot(root)
    second = run_reqctl(tmp_path, "init", "p")
    assert second.code == 0, second.err
    assert snapshot(root) == before
    assert "created  reqctl.yaml" not in second.out
    assert "kept     reqctl.yaml" in second.out


def test_existing_pre_commit_config_gets_the_hook_and_keeps_comments(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    original = (
        "# Team hooks - do not remove this comment\n"
        "repos:\n"
        "  - repo: https://github.com/psf/black\n"
        "    rev: 24.1.0  # pinned on purpose\n"
        "    hooks:\n"
        "      - id: black\n"
    )
    (tmp_path / ".pre-commit-config.yaml").write_text(original, encoding="utf-8")
    assert run_reqctl(tmp_path, "init").code == 0
    text = (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert text.startswith(original)
    data = yaml.safe_load(text)
    ids = [h["id"] for repo in data["repos"] for h in repo["hooks"]]
    assert ids == ["black", "reqctl-check"]
    # A second init does not add the hook again.
    assert run_reqctl(tmp_path, "init").code == 0
    assert (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8") == text


def test_init_lang_zh(tmp_path: Path) -> None:
    assert run_reqctl(tmp_path, "init", "zh", "--lang", "zh").code == 0
    config = yaml.safe_load((tmp_path / "zh" / "reqctl.yaml").read_text(encoding="utf-8"))
    assert config["language"] == "zh"
    assert run_reqctl(tmp_path / "zh", "check").code == 0


def test_init_unknown_language_fails_cleanly(tmp_path: Path) -> None:
    result = run_reqctl(tmp_path, "init", "x", "--lang", "fr")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    assert not (tmp_path / "x" / "reqctl.yaml").exists()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_init_example_passes_check(tmp_path: Path, lang: str) -> None:
    result = run_reqctl(tmp_path, "init", "ex", "--example", "--lang", lang)
    assert result.code == 0, result.err
    root = tmp_path / "ex"
    assert len(list((root / "requirements").glob("REQ-*.md"))) >= 15
    check = run_reqctl(root, "check")
    assert check.code == 0, check.out + check.err


def test_dash_c_runs_in_another_folder(tmp_path: Path) -> None:
    assert run_reqctl(tmp_path, "-C", str(tmp_path), "init", "p").code == 0
    root = tmp_path / "p"
    assert (root / "reqctl.yaml").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    added = run_reqctl(elsewhere, "-C", str(root), "req", "add", "From afar")
    assert added.code == 0, added.err
    assert added.out.strip() == "REQ-001"
    assert (root / "requirements" / "REQ-001.md").is_file()
    assert not (elsewhere / "requirements").exists()


def test_commands_find_reqctl_yaml_upwards(tmp_path: Path) -> None:
    assert run_reqctl(tmp_path, "init", "p").code == 0
    root = tmp_path / "p"
    deep = root / "docs" / "notes"
    deep.mkdir(parents=True)
    added = run_reqctl(deep, "req", "add", "From a subfolder")
    assert added.code == 0, added.err
    assert (root / "requirements" / "REQ-001.md").is_file()
    assert run_reqctl(root / "requirements", "req", "show", "REQ-001").code == 0
    assert run_reqctl(deep, "check").code == 0


@pytest.mark.parametrize(
    "args", [("check",), ("req", "list"), ("req", "add", "x"), ("approve", "REQ-001")]
)
def test_outside_a_project_fails_with_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run_reqctl(tmp_path, *args)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "not a reqctl project" in lines[0]
    assert "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == []


def test_init_in_a_subfolder_puts_ci_at_the_repository_top(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    repo.mkdir()
    git(repo, "init", "-q")
    result = run_reqctl(repo, "init", "docs/reqs")
    assert result.code == 0, result.err
    assert "created  ../../.github/workflows/reqctl-docs-reqs.yml" in result.out
    workflow = (repo / ".github" / "workflows" / "reqctl-docs-reqs.yml").read_text(encoding="utf-8")
    assert "reqctl -C docs/reqs check --verify-approvals --format github" in workflow
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]["hooks"]
    assert hooks[0]["args"] == ["-C", "docs/reqs"] and hooks[0]["files"].startswith("^docs/reqs/(")
    assert not (repo / "docs" / "reqs" / ".github").exists()
    again = run_reqctl(repo / "docs" / "reqs", "init")
    assert "kept     ../../.gitlab-ci.yml (already there)" in again.out
