"""One declared model per item kind.

Models validate the front matter of an item file.  Unknown keys are kept out
of the model (``extra="ignore"``) and reported by a rule as warnings, so a
team can add its own fields without breaking ``check``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from reqctl.messages import N_, Message, lazy
from reqctl.model.ids import Kind

# pydantic's own messages by error type, worded exactly as pydantic words them (``validator_message``
# checks), so English stays the same and the catalog has the Chinese.
# What pydantic's date parser says inside "Input should be a valid date, {error}" (the usual typos).
_PARSER_PROBLEMS = frozenset({
    N_("input is too short"), N_("input is too long"), N_("month value is outside expected range of 1-12"),
    N_("day value is outside expected range"), N_("invalid date separator, expected `-`"),
    N_("invalid character in year"), N_("invalid character in month"), N_("invalid character in day"),
    N_("invalid datetime separator, expected `T`, `t`, `_` or space"),
})

_PYDANTIC_MESSAGES = {
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "int_type": N_("Input should be a valid integer"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "float_type": N_("Input should be a valid number"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "bool_type": N_("Input should be a valid boolean"),
    "string_type": N_("Input should be a valid string"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, {error}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
}


def validator_message(detail: Mapping[str, Any]) -> str:
    """One pydantic error's message, as a lazy message (shown in the run's language) where possible.

    pydantic keeps only the English text in ``msg``; the exception a validator raised is in
    ``ctx["error"]``, so a ``ValueError(lazy(...))`` is still shown translated.  pydantic's own
    messages are matched by type and used only when they read exactly as pydantic wrote them.
    """
    context = detail.get("ctx") or {}
    error = context.get("error")
    if isinstance(error, ValueError) and error.args and isinstance(error.args[0], Message):
        return error.args[0]
    text = str(detail["msg"]).removeprefix("Value error, ")
    template = _PYDANTIC_MESSAGES.get(str(detail.get("type")))
    if template is not None:
        params = {key: lazy(value) if value in _PARSER_PROBLEMS else value
                  for key, value in context.items() if isinstance(value, (str, int, float))}
        try:
            message = lazy(template, **params)
        except (KeyError, IndexError, ValueError):
            return text
        if message == text:
            return message
    return text


def _as_list(value: Any) -> Any:
    """Accept a single scalar where a list of IDs is expected (``depends_on: REQ-001``)."""
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [value]
    return value


IdList = Annotated[list[str], BeforeValidator(_as_list)]
TextList = Annotated[list[str], BeforeValidator(_as_list)]
Score = Annotated[int, Field(ge=1, le=5)]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _one_line(value: str) -> str:
    if not value:
        raise ValueError(lazy("must not be empty"))
    if "\n" in value or "\r" in value:
        raise ValueError(lazy("must be a single line (put details in the body)"))
    return value


# A title is one line of text: tables, reports and commit messages rely on it.
Title = Annotated[str, BeforeValidator(_strip), AfterValidator(_one_line)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    kind: ClassVar[Kind]
    statuses: ClassVar[tuple[str, ...]] = ()
    # Fields whose content an approval fingerprints (see model/fingerprint.py).
    normative: ClassVar[tuple[str, ...]] = ("title",)

    id: str
    title: Title
    body: str = ""

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ()


class Approval(BaseModel):
    """One person's approval of a requirement's content in one role.

    ``role`` is absent only in the legacy single ``approval:`` record; such a
    record counts for the first required role its approver holds.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    by: str
    role: str | None = None
    at: dt.date
    fingerprint: str
    change: str | None = None
    via: str | None = None  # 'review link': given in a browser through 'reqctl serve'
    invitation: str | None = None  # the review invitation (INV-…) it was given with


class Requirement(_Item):
    kind = Kind.REQUIREMENT
    statuses = ("draft", "proposed", "approved", "implemented", "verified", "rejected", "deprecated")
    normative = ("title", "body", "priority", "acceptance", "depends_on")

    status: Literal[
        "draft", "proposed", "approved", "implemented", "verified", "rejected", "deprecated"
    ] = "draft"
    priority: str | None = None
    owner: str | None = None
    source: str | None = None
    milestone: str | None = None
    depends_on: IdList = Field(default_factory=list)
    acceptance: TextList = Field(default_factory=list)
    tags: TextList = Field(default_factory=list)
    approval: Approval | None = None  # legacy single record; 'reqctl approve' migrates it
    approvals: list[Approval] = Field(default_factory=list)

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ("depends_on",)

    @property
    def approval_records(self) -> tuple[Approval, ...]:
        """Every approval record: the legacy ``approval`` first, then ``approvals``."""
        legacy = (self.approval,) if self.approval is not None else ()
        return (*legacy, *self.approvals)


class Money(BaseModel):
    """An amount with its currency (``cost: {amount: 12000, currency: CNY}``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    amount: float
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code: CNY, EUR, USD")


_COST_FORM = lazy("write a number, or {example}", example="{amount: 12000, currency: CNY}")


def _cost(value: Any) -> Any:
    """Check ``cost`` here, so a mistake reads as one plain sentence, not one per member of the union."""
    if value is None or isinstance(value, Money):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, dict)):
        raise ValueError(lazy("{value} is not a cost: {form}", value=repr(value), form=_COST_FORM))
    if isinstance(value, dict):
        extra = sorted(str(k) for k in value if k not in ("amount", "currency"))
        if extra:
            raise ValueError(lazy("unknown key '{key}': {form}", key=extra[0], form=_COST_FORM))
        amount, currency = value.get("amount"), value.get("currency")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise ValueError(lazy("amount {amount} is not a number: {form}", amount=repr(amount), form=_COST_FORM))
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
            raise ValueError(lazy("currency {currency} is not a three-letter ISO 4217 code such as CNY, EUR or USD",
                                  currency=repr(currency)))
        return Money(amount=amount, currency=currency)
    return value


class Impact(BaseModel):
    """A change request's assessed impact, in the terms a PM quotes to the customer.

    ``effort_days`` is the work (person-days, 人天); ``schedule_days`` how much
    later delivery gets (calendar days) - two different numbers.  ``cost`` is
    either a bare number (in the budget's currency, the older form) or an
    amount with its currency.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    schedule_days: float | None = None
    effort_days: float | None = Field(default=None, ge=0)
    cost: Annotated[float | Money | None, BeforeValidator(_cost)] = None
    risk: Literal["low", "medium", "high"] | None = None
    summary: str | None = None

    @model_serializer(mode="wrap")
    def _without_new_blanks(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Leave out an unset ``effort_days``: fingerprints of CRs approved before it existed stay valid."""
        data = handler(self)
        if isinstance(data, dict) and data.get("effort_days") is None:
            data.pop("effort_days", None)
        return data

    @property
    def amount(self) -> float | None:
        return self.cost.amount if isinstance(self.cost, Money) else self.cost

    @property
    def currency(self) -> str | None:
        return self.cost.currency if isinstance(self.cost, Money) else None


class ChangeApproval(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    by: str
    role: str
    at: dt.date
    decision: Literal["approved", "rejected"] = "approved"
    fingerprint: str | None = None
    items: dict[str, str] = Field(default_factory=dict)
    via: str | None = None  # 'review link': given in a browser through 'reqctl serve'
    invitation: str | None = None  # the review invitation (INV-…) it was given with


def _legacy_change_status(value: Any) -> Any:
    """``implemented`` was the status of a merged CR before 'baselined'; it means the same thing."""
    return "baselined" if value == "implemented" else value


CHANGE_STATUSES = ("proposed", "assessed", "approved", "rejected", "baselined", "withdrawn")
# Closed CRs: nothing more to assess, approve or reject.
CLOSED_CHANGE_STATUSES = frozenset({"rejected", "withdrawn", "baselined"})


class Change(_Item):
    kind = Kind.CHANGE
    statuses = CHANGE_STATUSES
    normative = ("title", "body", "affects", "impact")

    # 'baselined': merged into the agreed scope (纳入基线) - not built yet.  The status is not
    # fingerprinted, so reading an old 'implemented' as 'baselined' leaves every approval valid.
    status: Annotated[
        Literal["proposed", "assessed", "approved", "rejected", "baselined", "withdrawn"],
        BeforeValidator(_legacy_change_status),
    ] = "proposed"
    requested_by: str | None = None
    created: dt.date | None = None
    affects: IdList = Field(default_factory=list)
    impact: Impact | None = None
    approvals: list[ChangeApproval] = Field(default_factory=list)
    branch: str | None = None
    reason: str | None = None

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ("affects",)


class Risk(_Item):
    kind = Kind.RISK
    statuses = ("open", "mitigating", "closed", "occurred")
    normative = ("title", "body", "probability", "impact", "mitigation", "contingency")

    status: Literal["open", "mitigating", "closed", "occurred"] = "open"
    probability: Score
    impact: Score
    owner: str | None = None
    mitigation: str | None = None
    contingency: str | None = None
    review_by: dt.date | None = None
    identified: dt.date | None = None
    relates: IdList = Field(default_factory=list)

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ("relates",)


class Decision(_Item):
    kind = Kind.DECISION
    statuses = ("proposed", "accepted", "superseded", "deprecated")
    normative = ("title", "body", "deciders")

    status: Literal["proposed", "accepted", "superseded", "deprecated"] = "proposed"
    date: dt.date | None = None
    deciders: TextList = Field(default_factory=list)
    supersedes: IdList = Field(default_factory=list)
    relates: IdList = Field(default_factory=list)

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ("supersedes", "relates")


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    what: str = Field(min_length=1)
    owner: str | None = None
    due: dt.date | None = None
    done: bool = False


class Meeting(_Item):
    kind = Kind.MEETING
    normative = ("title", "body")

    date: dt.date
    kind_of_meeting: str | None = Field(default=None, alias="kind")
    attendees: TextList = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    relates: IdList = Field(default_factory=list)

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ("relates",)


class Feedback(_Item):
    kind = Kind.FEEDBACK
    normative = ("title", "body", "score")

    date: dt.date | None = None
    from_: str | None = Field(default=None, alias="from")
    score: Score
    relates: IdList = Field(default_factory=list)

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ("relates",)


class Lesson(_Item):
    kind = Kind.LESSON
    normative = ("title", "body")

    date: dt.date | None = None
    category: str | None = None
    context: str | None = None  # the situation it comes from ("ERP go-live, fixed-price"): for other projects
    links: TextList = Field(default_factory=list)  # URLs or documents that tell more
    relates: IdList = Field(default_factory=list)

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ("relates",)


class Training(_Item):
    """A training session given to the customer's users (客户培训): who, what, how it was received."""

    kind = Kind.TRAINING
    normative = ("title", "body")

    date: dt.date
    audience: TextList = Field(default_factory=list)
    trainer: str | None = None
    topics: TextList = Field(default_factory=list)
    materials: TextList = Field(default_factory=list)
    attendance: int | None = Field(default=None, ge=0)
    score: Score | None = None
    relates: IdList = Field(default_factory=list)

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ("relates",)


SUPPORT_STATUSES = ("open", "in-progress", "resolved", "closed")
SEVERITIES = ("low", "medium", "high", "critical")


class Support(_Item):
    """A support ticket after delivery: reported, (first) responded and resolved dates give the times."""

    kind = Kind.SUPPORT
    statuses = SUPPORT_STATUSES
    normative = ("title", "body")

    status: Literal["open", "in-progress", "resolved", "closed"] = "open"
    reported: dt.date
    from_: str | None = Field(default=None, alias="from")
    category: str | None = None
    severity: Literal["low", "medium", "high", "critical"] = "medium"
    responded: dt.date | None = None
    resolved: dt.date | None = None
    relates: IdList = Field(default_factory=list)
    resolution: str | None = None

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ("relates",)


class Followup(_Item):
    """A follow-up visit or call with the customer (回访) for long-term cooperation."""

    kind = Kind.FOLLOWUP
    normative = ("title", "body")

    date: dt.date
    contact: str | None = None
    channel: str | None = None
    satisfaction: Score | None = None
    topics: TextList = Field(default_factory=list)
    next_visit: dt.date | None = None
    opportunities: TextList = Field(default_factory=list)
    relates: IdList = Field(default_factory=list)

    @classmethod
    def reference_fields(cls) -> tuple[str, ...]:
        return ("relates",)


Item = Requirement | Change | Risk | Decision | Meeting | Feedback | Lesson | Training | Support | Followup

MODELS: dict[Kind, type[_Item]] = {
    Kind.REQUIREMENT: Requirement,
    Kind.CHANGE: Change,
    Kind.RISK: Risk,
    Kind.DECISION: Decision,
    Kind.MEETING: Meeting,
    Kind.FEEDBACK: Feedback,
    Kind.LESSON: Lesson,
    Kind.TRAINING: Training,
    Kind.SUPPORT: Support,
    Kind.FOLLOWUP: Followup,
}

# Status order used for "at or past approved" decisions.
APPROVED_OR_LATER = frozenset({"approved", "implemented", "verified"})
CLOSED_REQUIREMENT_STATUSES = frozenset({"rejected", "deprecated"})


@functools.cache
def known_fields(kind: Kind) -> frozenset[str]:
    model = MODELS[kind]
    names = {field.alias or name for name, field in model.model_fields.items()}
    return frozenset(names)
