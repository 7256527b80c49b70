"""A loaded project: configuration, every item file, the validated items and their links.

Projects are built by ``store.Store`` (from the working tree) and by
``history.snapshots`` (from a revision); this module reads no file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import InitVar, dataclass, field
from pathlib import Path

from pydantic import ValidationError

from reqctl.errors import NotFoundError
from reqctl.messages import Word, lazy
from reqctl.model.config import Config
from reqctl.model.ids import Kind, normalize_id_argument, split_id
from reqctl.model.items import MODELS, Item, Requirement, validator_message
from reqctl.store.reader import ItemFile

__all__ = ["FieldProblem", "Project", "validate_item"]


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
            what = Word(kind.value) if kind else lazy("item")
            if item_id in self.files_by_id:
                where = self.files_by_id[item_id][0].path
                raise NotFoundError(lazy("{id} is not a valid {what}; run 'reqctl check'", id=item_id, what=what),
                                    path=where)
            raise NotFoundError(lazy("no {what} with ID {id}", what=what, id=item_id))
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


def _quoted(value: object) -> str:
    """The offending value as a user wrote it, shortened so a finding stays one line."""
    text = " ".join(str(value).split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _pydantic_problems(item_file: ItemFile, error: ValidationError) -> list[FieldProblem]:
    problems = []
    for detail in error.errors():
        loc = [str(part) for part in detail["loc"]]
        top = loc[0] if loc else ""
        name = ".".join(loc) if loc else "(front matter)"
        message = validator_message(detail)
        if detail["type"] == "missing":
            message = lazy("required field is missing")
        elif detail["type"] in ("literal_error", "enum"):
            allowed = str((detail.get("ctx") or {}).get("expected", "")).replace("'", "").replace(" or ", ", ")
            message = lazy("{value} is not one of {allowed}", value=_quoted(detail.get("input")), allowed=allowed)
        elif detail["type"] != "value_error" and detail.get("input") not in (None, "") \
                and not isinstance(detail["input"], (dict, list)):
            message = lazy("{value}: {message}", value=_quoted(detail["input"]), message=message)
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
