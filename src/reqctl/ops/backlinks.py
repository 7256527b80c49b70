"""Links read backwards: which items point at this one.

Item files hold links one way (``depends_on``, ``affects``, ``relates``,
``supersedes``, a requirement's ``source``); ``show`` and the site's item
pages list the other direction ("required by", the change requests that
affect it, the risks, decisions, meetings and feedback that relate to it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from reqctl.messages import lazy
from reqctl.model.ids import Kind
from reqctl.model.items import MODELS, Item, Requirement
from reqctl.model.project import Project
from reqctl.store.reader import ItemFile
from reqctl.store.store import Store

# What the referencing item's field says about the item it names, for people reading 'show' (shown translated).
RELATION = {
    "depends_on": lazy("depends on it"),
    "affects": lazy("changes it"),
    "relates": lazy("relates to it"),
    "supersedes": lazy("supersedes it"),
    "source": lazy("cites it as its source"),
}


@dataclass(frozen=True)
class Backlink:
    """``id`` (a ``kind``) names the item in its field ``field``."""

    id: str
    kind: str
    title: str
    field: str
    status: str | None = None

    @property
    def relation(self) -> str:
        return RELATION.get(self.field, self.field)

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


def _targets(item: Item, project: Project) -> list[tuple[str, str]]:
    found = [(name, target) for name in MODELS[item.kind].reference_fields() for target in getattr(item, name)]
    if isinstance(item, Requirement) and item.source and item.source.strip().upper() in project.items:
        found.append(("source", item.source.strip().upper()))
    return found


def backlinks(project: Project) -> dict[str, list[Backlink]]:
    """For every item some other item names: who names it, in ID order (one pass over the project)."""
    index: dict[str, list[Backlink]] = {}
    order = {kind: n for n, kind in enumerate(Kind)}
    for item in project.items.values():
        for name, target in dict.fromkeys(_targets(item, project)):
            if target == item.id:
                continue
            status = getattr(item, "status", None)
            index.setdefault(target, []).append(Backlink(item.id, item.kind.value, item.title, name, status))
    for links in index.values():
        links.sort(key=lambda link: (order[Kind(link.kind)], _number(link.id), link.field))
    return index


def _number(item_id: str) -> tuple[str, int]:
    prefix, _, number = item_id.partition("-")
    return (prefix, int(number) if number.isdigit() else 0)


def referenced_by(store: Store, item_id: str) -> list[Backlink]:
    """Who names ``item_id``, reading only the files that can: ``show`` stays fast on large projects."""
    files = files_naming(store, item_id)
    project = Project(root=store.root, config=store.config(), files=files)
    return backlinks(project).get(item_id, [])


def files_naming(store: Store, item_id: str) -> list[ItemFile]:
    """The item files whose text may hold ``item_id`` (a superset), with the item's own file.

    A cached parse whose stored text does not contain the ID cannot name the
    item, so only the others are decoded and validated; files changed since
    they were cached are read again.  Without a cache every file is read.
    """
    entries = store.scan()
    cache = store.cache
    if not cache.enabled:
        return store.read_all(entries)
    keys = cache.parse_keys()
    naming = cache.parses_containing(item_id)
    wanted = [entry for entry in entries if keys.get(entry.rel) != entry.key or entry.rel in naming]
    return store.read_all(wanted, subset=True)
