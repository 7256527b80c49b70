"""The filters of ``list``: one small predicate over items, shared by every kind.

The CLI only forwards its options here, so scripts and the CLI agree on what
``--tag`` or ``--text`` match.  Each filter takes several values ("any of");
different filters combine ("all of").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reqctl.errors import UsageError
from reqctl.messages import Word, lazy
from reqctl.model.config import Config
from reqctl.model.ids import Kind
from reqctl.model.items import MODELS, Item


@dataclass(frozen=True)
class ItemFilter:
    """What ``list`` keeps; an empty field does not filter."""

    status: tuple[str, ...] = ()
    milestone: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    text: str = ""

    def fields(self) -> dict[str, tuple[str, ...]]:
        """The field filters that are set, by the item field they look at."""
        named = {"status": self.status, "milestone": self.milestone, "priority": self.priority,
                 "tags": self.tag, "owner": self.owner}
        return {name: values for name, values in named.items() if values}


_OPTION = {"tags": "--tag"}


def check_filter(kind: Kind, wanted: ItemFilter, config: Config) -> None:
    """Refuse filters this kind cannot match: a field it has not, a status or priority that does not exist."""
    model = MODELS[kind]
    for name in wanted.fields():
        option = _OPTION.get(name, f"--{name}")
        if name not in model.model_fields:
            raise UsageError(lazy("{option}: a {kind} has no {name}", option=option, kind=Word(kind.value), name=name))
    for status in wanted.status:
        if model.statuses and status not in model.statuses:
            raise UsageError(lazy("--status {status}: a {kind} status is one of {values}", status=status,
                                  kind=Word(kind.value), values=", ".join(model.statuses)))
    for priority in wanted.priority:
        if priority not in config.priorities:
            raise UsageError(lazy("--priority {priority}: use one of {values}", priority=priority,
                                  values=", ".join(config.priorities)))


def _values(item: Item, name: str) -> list[str]:
    value = getattr(item, name, None)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def matches(item: Item, wanted: ItemFilter) -> bool:
    """Whether ``item`` passes every filter that is set.

    Owners and tags compare case-insensitively (e-mails and labels are typed
    by hand); ``text`` is a case-insensitive substring of the title or body,
    which works the same for Chinese text.
    """
    for name, accepted in wanted.fields().items():
        have = _values(item, name)
        if name in ("owner", "tags"):
            folded = {v.casefold() for v in accepted}
            if not any(v.casefold() in folded for v in have):
                return False
        elif not any(v in accepted for v in have):
            return False
    if wanted.text:
        needle = wanted.text.casefold()
        if needle not in item.title.casefold() and needle not in item.body.casefold():
            return False
    return True


def filter_items(items: Iterable[Item], wanted: ItemFilter) -> list[Item]:
    return [item for item in items if matches(item, wanted)]


def as_filter(
    *,
    status: Sequence[str] = (),
    milestone: Sequence[str] = (),
    priority: Sequence[str] = (),
    tag: Sequence[str] = (),
    owner: Sequence[str] = (),
    text: str | None = None,
) -> ItemFilter:
    return ItemFilter(tuple(status), tuple(milestone), tuple(priority), tuple(tag), tuple(owner), text or "")
