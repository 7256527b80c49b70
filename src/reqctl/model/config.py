"""The project file ``reqctl.yaml``, declared with pydantic (unknown keys are errors)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from reqctl.locate import CONFIG_FILE
from reqctl.messages import lazy
from reqctl.model.ids import DEFAULT_PREFIXES, PREFIX_PATTERN, Kind

__all__ = ["CONFIG_FILE", "Config", "Milestone", "Person"]

DEFAULT_PRIORITIES = ["must", "should", "could", "wont"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Milestone(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = ""
    date: dt.date | None = None


class Person(_Strict):
    """One entry of the ``people:`` directory: how an e-mail address is shown to people."""

    name: str = Field(min_length=1)
    organisation: str | None = None
    phone: str | None = None
    im: str | None = None  # an IM handle: WeChat, DingTalk, Slack…


class Budget(_Strict):
    currency: str = "EUR"
    planned: float | None = None
    spent: float | None = None


def _yaml_off(value: Any) -> Any:
    """YAML 1.1 reads a bare ``off`` as false; in a severity it means the rule is off."""
    return "off" if value is False else value


SeverityName = Annotated[Literal["error", "warning", "off"], BeforeValidator(_yaml_off)]


_KEY_FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64}")


class CheckPolicy(_Strict):
    severity: dict[str, SeverityName] = Field(default_factory=dict)
    verify_signatures: bool = False
    # A file in git's gpg.ssh.allowedSignersFile format (project-relative path).
    allowed_signers: str | None = None
    # e-mail -> fingerprints of the keys that person signs with (SSH 'SHA256:...', GPG hex).
    signers: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("allowed_signers")
    @classmethod
    def _inside_project(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or value.startswith("/") or ".." in value.split("/")):
            raise ValueError(lazy("must be a path inside the project, like .reqctl-signers"))
        return value

    @field_validator("signers")
    @classmethod
    def _fingerprints(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for email, keys in value.items():
            for key in keys:
                if not _KEY_FINGERPRINT.fullmatch(key):
                    raise ValueError(lazy(
                        "{email}: '{key}' is not a key fingerprint (SHA256:… from 'ssh-keygen -lf', "
                        "or a 40/64-digit GPG fingerprint)", email=email, key=key))
        return value


class ChangePolicy(_Strict):
    main_branch: str | None = None
    branch_pattern: str = "change/{id}-{slug}"


class CiSettings(_Strict):
    """The CI jobs ``reqctl init`` writes: how they install reqctl (``init --ci-install``)."""

    install: str | None = None


class ReviewSettings(_Strict):
    """``reqctl serve``: the identity that commits approvals given through a review link.

    ``check --verify-approvals`` credits a ``via: review link`` record only to
    commits whose committer is this e-mail (see docs/SECURITY.md).
    """

    recorder: str | None = None
    recorder_name: str = "reqctl review server"

    @field_validator("recorder")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", value.strip()):
            raise ValueError(lazy("'{value}' is not an e-mail address", value=value))
        return value.strip() if value is not None else None


class ExportSettings(_Strict):
    """``reqctl export``: the spreadsheet columns of each kind, in order (``export.columns.requirement``)."""

    columns: dict[Kind, list[str]] = Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _no_repeats(cls, value: dict[Kind, list[str]]) -> dict[Kind, list[str]]:
        for kind, names in value.items():
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                raise ValueError(lazy("{kind} lists the column '{column}' twice", kind=kind.value,
                                      column=repeated[0]))
        return value


# The counts the weekly report's overall status (red/amber/green) is computed from; see docs/FORMAT.md.
StatusMetric = Literal[
    "overdue_milestones", "critical_risks", "high_risks", "overdue_risk_reviews", "suspect_requirements",
    "pending_approvals", "overdue_actions", "overdue_customer_actions",
]
DEFAULT_RED: dict[StatusMetric, int] = {"overdue_milestones": 1, "critical_risks": 2}
DEFAULT_AMBER: dict[StatusMetric, int] = {
    "critical_risks": 1, "overdue_risk_reviews": 1, "suspect_requirements": 1,
    "overdue_actions": 2, "overdue_customer_actions": 1,
}


class StatusRules(_Strict):
    """``weekly.status``: a colour applies when any of its counts reaches its threshold (red before amber).

    A colour left out keeps its defaults; ``{}`` turns it off.
    """

    red: dict[StatusMetric, Annotated[int, Field(ge=1)]] = Field(default_factory=lambda: dict(DEFAULT_RED))
    amber: dict[StatusMetric, Annotated[int, Field(ge=1)]] = Field(default_factory=lambda: dict(DEFAULT_AMBER))


class WeeklySettings(_Strict):
    """``reqctl report weekly``: who the customer is and how the overall status is computed."""

    # Roles whose members are the customer; their organisations and e-mail domains are the customer's too.
    customer_roles: list[str] = Field(default_factory=lambda: ["customer"])
    status: StatusRules = Field(default_factory=StatusRules)


class DisplayNames(_Strict):
    """How priority and status keys are shown (``must`` → 高); the files keep the keys."""

    priority: dict[str, str] = Field(default_factory=dict)
    status: dict[str, str] = Field(default_factory=dict)

    def names(self) -> dict[str, str]:
        return {**self.priority, **self.status}


class Display(DisplayNames):
    """``display:`` in reqctl.yaml: names for every language, and per language (``display.zh.priority``).

    Only reports, the site and terminal tables use them: stored values,
    fingerprints and approvals never change.
    """

    en: DisplayNames = Field(default_factory=DisplayNames)
    zh: DisplayNames = Field(default_factory=DisplayNames)


def _known_statuses() -> set[str]:
    from reqctl.model.items import MODELS

    return {status for model in MODELS.values() for status in model.statuses}


class Config(_Strict):
    name: str = Field(min_length=1)
    customer: str = ""
    language: Literal["en", "zh"] = "en"
    start: dt.date | None = None
    end: dt.date | None = None
    goals: list[str] = Field(default_factory=list)
    budget: Budget | None = None
    milestones: list[Milestone] = Field(default_factory=list)
    priorities: list[str] = Field(default_factory=lambda: list(DEFAULT_PRIORITIES))
    prefixes: dict[Kind, str] = Field(default_factory=dict)
    roles: dict[str, list[str]] = Field(default_factory=dict)
    # e-mail -> name, organisation, phone, IM handle: reports show the name, files keep the e-mail.
    people: dict[str, Person] = Field(default_factory=dict)
    approvals: dict[Kind, list[str]] = Field(default_factory=dict)
    check: CheckPolicy = Field(default_factory=CheckPolicy)
    changes: ChangePolicy = Field(default_factory=ChangePolicy)
    ci: CiSettings = Field(default_factory=CiSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    export: ExportSettings = Field(default_factory=ExportSettings)
    weekly: WeeklySettings = Field(default_factory=WeeklySettings)
    # lessons exports of earlier projects ('reqctl lessons export'), as paths inside this project
    knowledge: list[str] = Field(default_factory=list)
    display: Display = Field(default_factory=Display)

    @field_validator("prefixes")
    @classmethod
    def _prefixes_are_ids(cls, value: dict[Kind, str]) -> dict[Kind, str]:
        import re

        for kind, prefix in value.items():
            if not re.fullmatch(PREFIX_PATTERN, prefix):
                raise ValueError(lazy("prefix for {kind} must be upper case letters, got {prefix}",
                                      kind=kind.value, prefix=repr(prefix)))
        return value

    @field_validator("knowledge")
    @classmethod
    def _knowledge_inside(cls, value: list[str]) -> list[str]:
        for path in value:
            parts = path.replace("\\", "/").split("/")
            if not path.strip() or path.startswith(("/", "~")) or ".." in parts or re.match(r"^[A-Za-z]:", path):
                raise ValueError(lazy(
                    "'{path}' is not a path inside the project; copy the export into the project "
                    "(e.g. knowledge/acme.json) or use 'reqctl lessons import'", path=path))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        seen: set[str] = set()
        for milestone in self.milestones:
            if milestone.id in seen:
                raise ValueError(lazy("milestone {id} is listed twice", id=milestone.id))
            seen.add(milestone.id)
        for kind, roles in self.approvals.items():
            for role in roles:
                if role not in self.roles:
                    raise ValueError(lazy("approvals.{kind} names role '{role}', not defined under roles",
                                          kind=kind.value, role=role))
        statuses = _known_statuses()
        for where, names in (("", self.display), ("en.", self.display.en), ("zh.", self.display.zh)):
            for key in names.priority:
                if key not in self.priorities:
                    known = ", ".join(self.priorities)
                    raise ValueError(lazy("display.{where}priority names '{key}', not one of the priorities ({known})",
                                          where=where, key=key, known=known))
            for key in names.status:
                if key not in statuses:
                    raise ValueError(lazy("display.{where}status names '{key}', which is no item's status",
                                          where=where, key=key))
        prefixes = [self.prefix(kind) for kind in Kind]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError(lazy("two kinds share one ID prefix"))
        return self

    def prefix(self, kind: Kind) -> str:
        return self.prefixes.get(kind, DEFAULT_PREFIXES[kind])

    def kind_for_prefix(self, prefix: str) -> Kind | None:
        for kind in Kind:
            if self.prefix(kind) == prefix:
                return kind
        return None

    def milestone(self, milestone_id: str) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)

    def roles_of(self, email: str) -> list[str]:
        wanted = email.strip().lower()
        return [role for role, people in self.roles.items() if wanted in (p.lower() for p in people)]

    def person(self, email: str | None) -> Person | None:
        """The directory entry of an e-mail address (case-insensitive), if there is one."""
        if not email:
            return None
        wanted = email.strip().lower()
        return next((p for key, p in self.people.items() if key.strip().lower() == wanted), None)

    def person_name(self, email: str | None) -> str:
        """How a person is shown in reports, the site and the terminal: the name, else what is stored."""
        entry = self.person(email)
        if entry is not None:
            return entry.name
        return "" if email is None else str(email)

    def people_names(self) -> dict[str, str]:
        """Lower-cased e-mail -> name, the map report templates' ``person`` filter reads."""
        return {key.strip().lower(): person.name for key, person in self.people.items()}

    def display_names(self, lang: str) -> dict[str, str]:
        """Stored priority/status key -> the name shown in ``lang`` (the language's own names win)."""
        per_language = self.display.zh if lang == "zh" else self.display.en
        return {**self.display.names(), **per_language.names()}

    def approver_roles(self, kind: Kind) -> list[str]:
        return self.approvals.get(kind, [])
