"""A loaded project: configuration, every item file, the validated items and their links."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reqctl.errors import ConfigError, NotFoundError
from reqctl.locate import CONFIG_FILE, find_root
from reqctl.model.config import Config
from reqctl.model.ids import Kind, normalize_id_argument, split_id
from reqctl.model.items import MODELS, Item, Requirement
from reqctl.store import frontmatter
from reqctl.store.reader import ItemFile, read_all, read_file

__all__ = ["Project", "find_root", "load_config", "load_project"]


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A pydantic validation error translated to a field path and a sentence."""

    field: str
    message: str
    line: int | None


@dataclass
class Project:
    root: Path
    config: Config
    files: list[ItemFile]
    items: dict[str, Item] = field(default_factory=dict)
    files_by_id: dict[str, list[ItemFile]] = field(default_factory=dict)
    problems: dict[str, list[FieldProblem]] = field(default_factory=dict)
    models: dict[str, Item] = field(default_factory=dict)  # by file path
    # validates one file; history readers pass a memo so unchanged blobs are validated once
    validate: InitVar[Callable[[ItemFile], tuple[Item | None, list[FieldProblem]]] | None] = None

    def __post_init__(self, validate: Callable[[ItemFile], tuple[Item | None, list[FieldProblem]]] | None) -> None:
        validate = validate or validate_item
        for item_file in self.files:
            if item_file.data is None:
                continue
            item_id = item_file.data.get("id")
            key = item_id if isinstance(item_id, str) else item_file.stem
            self.files_by_id.setdefault(key, []).append(item_file)
            model, problems = validate(item_file)
            if problems:
                self.problems[item_file.path] = problems
            if model is not None:
                self.models[item_file.path] = model
                self.items.setdefault(model.id, model)

    def of_kind(self, kind: Kind) -> Iterator[Item]:
        return (item for item in self.items.values() if item.kind is kind)

    def requirements(self) -> Iterator[Requirement]:
        """The valid requirements, typed as such (most rules and reports want only these)."""
        return (item for item in self.items.values() if isinstance(item, Requirement))

    def file_of(self, item_id: str) -> ItemFile:
        return self.files_by_id[item_id][0]

    def kind_of(self, item_id: str) -> Kind | None:
        parts = split_id(item_id)
        return self.config.kind_for_prefix(parts[0]) if parts else None

    def get(self, raw_id: str, kind: Kind | None = None) -> Item:
        """The item with this ID (as typed by a user); ``NotFoundError`` if there is none."""
        item_id = normalize_id_argument(raw_id)
        item = self.items.get(item_id)
        if item is None:
            item = self._by_number(item_id)
        if item is None or (kind is not None and item.kind is not kind):
            what = kind.value if kind else "item"
            if item_id in self.files_by_id:
                where = self.files_by_id[item_id][0].path
                raise NotFoundError(f"{item_id} is not a valid {what}; run 'reqctl check'", path=where)
            raise NotFoundError(f"no {what} with ID {item_id}")
        return item

    def _by_number(self, item_id: str) -> Item | None:
        """Accept ``REQ-12`` for ``REQ-012``: compare numbers, not zero padding."""
        wanted = split_id(item_id)
        for known in self.items.values():
            if split_id(known.id) == wanted:
                return known
        return None

    def path_of(self, item: Item) -> Path:
        return self.root / self.file_of(item.id).path


def _pydantic_problems(item_file: ItemFile, error: ValidationError) -> list[FieldProblem]:
    problems = []
    for detail in error.errors():
        loc = [str(part) for part in detail["loc"]]
        top = loc[0] if loc else ""
        name = ".".join(loc) if loc else "(front matter)"
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "missing":
            message = "required field is missing"
        problems.append(FieldProblem(name, message, item_file.line_of(top)))
    return problems


def validate_item(item_file: ItemFile) -> tuple[Item | None, list[FieldProblem]]:
    assert item_file.data is not None
    model = MODELS[item_file.kind]
    data = dict(item_file.data)
    data["body"] = item_file.body
    data.setdefault("id", item_file.stem)
    try:
        return model.model_validate(data), []  # type: ignore[return-value]
    except ValidationError as error:
        return None, _pydantic_problems(item_file, error)


def load_config(root: Path) -> Config:
    path = root / CONFIG_FILE
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=CONFIG_FILE) from None
    text = frontmatter.decode(raw, CONFIG_FILE)
    data: Any = frontmatter.load_yaml(text, CONFIG_FILE, first_line=1)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("must be a mapping of 'key: value' lines", path=CONFIG_FILE, line=1)
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        detail = error.errors()[0]
        loc = [str(part) for part in detail["loc"]]
        lines = {key: line - 1 for key, line in frontmatter.key_lines(text).items()}
        line = lines.get(loc[0]) if loc else None
        where = ".".join(loc) or "(top level)"
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "missing":
            message = "required field is missing"
        if detail["type"] == "extra_forbidden":
            message = "unknown setting"
        raise ConfigError(f"{where}: {message}", path=CONFIG_FILE, line=line) from None


def load_with_item(start: Path, raw_id: str, kind: Kind | None = None) -> Project:
    """A project holding just the file of one item, for commands that touch one item.

    Reading one file instead of thousands keeps ``show``, ``status``, ``edit``
    and ``approve`` instant on large projects.  Falls back to the full project
    when the file name does not lead to the item.
    """
    root = find_root(start)
    config = load_config(root)
    item_id = normalize_id_argument(raw_id)
    parts = split_id(item_id)
    item_kind = kind or (config.kind_for_prefix(parts[0]) if parts else None)
    if item_kind is not None and parts is not None:
        folder = root / item_kind.folder
        candidate = folder / f"{item_id}.md"
        if not candidate.is_file() and folder.is_dir():
            same_number = [
                path.name for path in folder.iterdir()
                if path.suffix == ".md" and split_id(path.stem) == parts
            ]
            candidate = folder / same_number[0] if len(same_number) == 1 else candidate
        if candidate.is_file():
            single = Project(root=root, config=config, files=[read_file(root, item_kind, candidate)])
            if single.items or single.files_by_id:
                return single
    return Project(root=root, config=config, files=read_all(root))


def load_without_items(start: Path) -> Project:
    """The project's root and configuration only, for commands that never read its items (``add``)."""
    root = find_root(start)
    return Project(root=root, config=load_config(root), files=[])


def load_project(start: Path, *, use_cache: bool = True) -> Project:
    root = find_root(start)
    config = load_config(root)
    return Project(root=root, config=config, files=read_all(root, use_cache=use_cache))
