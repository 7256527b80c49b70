"""Images and files referenced from item bodies: copied into the site when safe, left as text otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.conftest import git, run_reqctl, write_item

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def body_project(project: Path, body: str) -> Path:
    write_item(project, "requirements", "REQ-001", "title: Sign in\nstatus: draft\npriority: must", body)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "items")
    return project


def publish(root: Path, site: Path) -> tuple[str, str]:
    result = run_reqctl(root, "publish", str(site))
    assert result.code == 0, result.err
    return (site / "items" / "REQ-001.html").read_text(encoding="utf-8"), result.err


def test_relative_image_and_file_are_copied_and_resolve(project: Path, tmp_path: Path) -> None:
    (project / "attachments").mkdir()
    (project / "attachments" / "login.png").write_bytes(PNG)
    (project / "attachments" / "spec sheet.pdf").write_bytes(b"%PDF-1.4\n")
    root = body_project(project, "Screen:\n\n![login](../attachments/login.png)\n\n"
                                 "[Spec](<../attachments/spec sheet.pdf>)\n")
    site = tmp_path / "site"
    page, err = publish(root, site)
    assert '<img src="../files/attachments/login.png" alt="login"' in page
    assert '<a href="../files/attachments/spec%20sheet.pdf">Spec</a>' in page
    assert (site / "files" / "attachments" / "login.png").read_bytes() == PNG
    assert (site / "items" / "../files/attachments/spec sheet.pdf").resolve().is_file()
    assert "warning" not in err
    srs = (site / "reports" / "srs.html").read_text(encoding="utf-8")
    assert '<img src="../files/attachments/login.png"' in srs
    # the approval fingerprint reads the file, not the rewritten page: nothing turns suspect
    assert run_reqctl(root, "check").code == 0


@pytest.mark.parametrize(("target", "why"), [
    ("../../outside.png", "outside the project"),
    ("../.git/config", "in a hidden folder"),
    ("../attachments/missing.png", "no such file"),
])
def test_references_outside_or_missing_stay_text(project: Path, tmp_path: Path, target: str, why: str) -> None:
    (tmp_path / "outside.png").write_bytes(PNG)
    root = body_project(project, f"![shot]({target})\n")
    site = tmp_path / "site"
    page, err = publish(root, site)
    assert f"warning: requirements/REQ-001.md: {target}: {why}; left as text" in err
    assert "<img" not in page
    assert not (site / "files").exists()
    assert sorted(p.name for p in site.iterdir()) == sorted(
        [".reqctl-site", "assets", "index.html", "items", "reports", "requirements.html"])


def test_a_symlinked_attachment_is_never_followed(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"SECRET" + PNG)
    (project / "attachments").mkdir()
    (project / "attachments" / "login.png").symlink_to(secret)
    (project / "linked").symlink_to(tmp_path, target_is_directory=True)
    root = body_project(project, "![a](../attachments/login.png)\n\n![b](../linked/secret.png)\n")
    site = tmp_path / "site"
    page, err = publish(root, site)
    assert "../attachments/login.png: is a symbolic link (links are never followed); left as text" in err
    assert "../linked/secret.png: is a symbolic link (links are never followed); left as text" in err
    assert "<img" not in page
    assert not any(b"SECRET" in p.read_bytes() for p in site.rglob("*") if p.is_file())


def test_a_fifo_or_folder_is_not_read(project: Path, tmp_path: Path) -> None:
    (project / "attachments").mkdir()
    os.mkfifo(project / "attachments" / "pipe.png")
    root = body_project(project, "![p](../attachments/pipe.png)\n\n[dir](../attachments)\n")
    _page, err = publish(root, tmp_path / "site")
    assert "../attachments/pipe.png: not a regular file; left as text" in err
    assert "../attachments: not a regular file; left as text" in err


def test_an_oversized_attachment_is_left_as_text(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reqctl.ops import attachments

    monkeypatch.setattr(attachments, "MAX_BYTES", 16)
    (project / "attachments").mkdir()
    (project / "attachments" / "big.png").write_bytes(PNG)
    root = body_project(project, "![big](../attachments/big.png)\n")
    page, err = publish(root, tmp_path / "site")
    assert "../attachments/big.png: larger than" in err
    assert "<img" not in page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_document_embeds_images_and_names_what_it_cannot(project: Path, lang: str) -> None:
    (project / "attachments").mkdir()
    (project / "attachments" / "login.png").write_bytes(PNG)
    (project / "attachments" / "notes.pdf").write_bytes(b"%PDF")
    root = body_project(project, "![login](../attachments/login.png)\n\n[notes](../attachments/notes.pdf)\n")
    result = run_reqctl(root, "doc", "srs", "--format", "html", "--lang", lang)
    assert result.code == 0, result.err
    assert '<img src="data:image/png;base64,iVBORw0KGgo' in result.out
    assert ("warning: requirements/REQ-001.md: ../attachments/notes.pdf: is not an image and cannot be "
            "embedded in one HTML file; publish the site; left as text") in result.err
    assert "notes (../attachments/notes.pdf)" in result.out


def test_an_untracked_file_is_not_published(project: Path, tmp_path: Path) -> None:
    """A pull request naming an ignored local file (CI credentials) does not put it on the site."""
    (project / ".gitignore").write_text(".reqctl/\ncredentials.json\n", encoding="utf-8")
    root = body_project(project, "[creds](../credentials.json)\n")
    (root / "credentials.json").write_text('{"token": "SECRET"}', encoding="utf-8")
    site = tmp_path / "site"
    _page, err = publish(root, site)
    assert "../credentials.json: is not tracked by git ('git add' it); left as text" in err
    assert not any(b"SECRET" in p.read_bytes() for p in site.rglob("*") if p.is_file())
