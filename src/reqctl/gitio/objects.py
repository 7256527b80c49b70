"""Item files at any revision, read from git objects (never by checking anything out).

``ls-tree`` lists the item folders at a revision; the blobs come from one
``git cat-file --batch`` process per call.  Callers key their caches on blob
shas, which never change meaning, so walking many revisions only reads the
blobs that changed between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from reqctl.gitio.repo import GitRepo
from reqctl.model.config import CONFIG_FILE
from reqctl.model.ids import FOLDERS, Kind, is_item_file_name

_KIND_OF_FOLDER = {folder: kind for kind, folder in FOLDERS.items()}


@dataclass(frozen=True, slots=True)
class TreeFile:
    """One item file in a tree: its kind, project-relative path and blob sha."""

    kind: Kind
    path: str
    sha: str


def kind_of_path(rel: str) -> Kind | None:
    """The kind of an item file path (``requirements/REQ-001.md``), or None for other files."""
    folder, sep, name = rel.partition("/")
    if not sep or "/" in name or not is_item_file_name(name):
        return None
    return _KIND_OF_FOLDER.get(folder)


def item_files_at(repo: GitRepo, rev: str, kinds: tuple[Kind, ...] = tuple(Kind)) -> list[TreeFile]:
    """Every item file of the given kinds at ``rev``, sorted by path."""
    found = []
    for rel, sha in repo.ls_tree(rev, [kind.folder for kind in kinds]):
        kind = kind_of_path(rel)
        if kind is not None and kind in kinds:
            found.append(TreeFile(kind, rel, sha))
    return sorted(found, key=lambda entry: entry.path)


_NO_BLOB = {"000000", "160000"}  # absent, or a submodule (a commit, not a file)


@dataclass(frozen=True, slots=True)
class TreeChange:
    """An item file whose blob differs between two trees; a sha is None where the file is absent."""

    kind: Kind
    path: str
    old_sha: str | None
    new_sha: str | None


def item_changes(repo: GitRepo, old: str, new: str, kinds: tuple[Kind, ...] = tuple(Kind)) -> list[TreeChange]:
    """Item files of the given kinds that differ between the trees of ``old`` and ``new``.

    One ``git diff-tree`` compares the trees by hash, so the cost follows the
    number of changed files, not the size of the project.  Applying the result
    to ``item_files_at(old)`` gives exactly ``item_files_at(new)``.
    """
    specs = [repo.project_path(kind.folder + "/") for kind in kinds]
    out = repo.run("diff-tree", "-r", "-z", "--raw", "--no-renames", "--no-abbrev", old, new, "--", *specs)
    tokens = out.split(b"\0")
    found: list[TreeChange] = []
    for index in range(0, len(tokens) - 1, 2):
        meta, raw_path = tokens[index], tokens[index + 1]
        parts = meta.decode().lstrip(":").split()
        if len(parts) < 5:
            continue
        rel = repo.from_top(raw_path.decode("utf-8", "surrogateescape"))
        kind = kind_of_path(rel) if rel is not None else None
        if rel is None or kind is None or kind not in kinds:
            continue
        old_sha = None if parts[0] in _NO_BLOB else parts[2]
        new_sha = None if parts[1] in _NO_BLOB else parts[3]
        if old_sha != new_sha:
            found.append(TreeChange(kind, rel, old_sha, new_sha))
    return found


def config_blob_at(repo: GitRepo, rev: str) -> str | None:
    return repo.ls_tree_files(rev, [CONFIG_FILE]).get(CONFIG_FILE)


def read_blobs(repo: GitRepo, shas: list[str]) -> dict[str, bytes]:
    return repo.cat_blobs(shas)
