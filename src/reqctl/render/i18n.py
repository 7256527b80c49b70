"""Display words per language: statuses, priorities, kinds, field names, chart labels.

Templates carry the sentences; these tables carry the words that come from the
data (a status value is ``approved`` in a file and 已批准 in a Chinese report).
Each table maps a stored key to its English display word, marked for the
gettext catalog (``src/reqctl/locale``) under a context (``word``, ``field``,
``chart``) so one English word can have different translations in different
places.  To add a word: add it here at the end of its table, then
``pybabel extract``/``update``, translate and ``compile`` (docs/TRANSLATING.md).
A project's ``display:`` names in reqctl.yaml come before these (``word``'s
``names``).
"""

from __future__ import annotations

from collections.abc import Mapping

from reqctl.messages import LANGUAGES, NP_, translator

WORDS: Mapping[str, str] = {
    # requirement statuses
    "draft": NP_("word", "draft"), "proposed": NP_("word", "proposed"), "approved": NP_("word", "approved"),
    "implemented": NP_("word", "implemented"), "verified": NP_("word", "verified"),
    "rejected": NP_("word", "rejected"), "deprecated": NP_("word", "deprecated"),
    # change request statuses
    "assessed": NP_("word", "assessed"), "withdrawn": NP_("word", "withdrawn"),
    # risk statuses
    "open": NP_("word", "open"), "mitigating": NP_("word", "mitigating"), "closed": NP_("word", "closed"),
    "occurred": NP_("word", "occurred"),
    # decision statuses
    "accepted": NP_("word", "accepted"), "superseded": NP_("word", "superseded"),
    # priorities
    "must": NP_("word", "Must"), "should": NP_("word", "Should"), "could": NP_("word", "Could"),
    "wont": NP_("word", "Won't"),
    # kinds
    "requirement": NP_("word", "requirement"), "change": NP_("word", "change request"), "risk": NP_("word", "risk"),
    "decision": NP_("word", "decision"), "meeting": NP_("word", "meeting"), "feedback": NP_("word", "feedback"),
    "lesson": NP_("word", "lesson"),
    # risk levels
    "low": NP_("word", "low"), "medium": NP_("word", "medium"), "high": NP_("word", "high"),
    "critical": NP_("word", "critical"),
    # approval states
    "none": NP_("word", "not approved"), "suspect": NP_("word", "suspect (changed since approval)"),
    # approver roles (the usual ones; other role names are shown as written)
    "pm": NP_("word", "pm"), "customer": NP_("word", "customer"), "sponsor": NP_("word", "sponsor"),
    # meeting kinds
    "kickoff": NP_("word", "kickoff"), "status": NP_("word", "status"), "workshop": NP_("word", "workshop"),
    "review": NP_("word", "review"), "demo": NP_("word", "demo"), "retro": NP_("word", "retro"),
    "retrospective": NP_("word", "retrospective"),
    # support ticket statuses ("open" and "closed" are the risk words above)
    "in-progress": NP_("word", "in progress"), "resolved": NP_("word", "resolved"),
    # after delivery: kinds and follow-up channels
    "training": NP_("word", "training"), "support": NP_("word", "support"),
    "followup": NP_("word", "follow-up visit"), "visit": NP_("word", "visit"), "phone": NP_("word", "phone"),
    "video": NP_("word", "video"), "email": NP_("word", "email"), "im": NP_("word", "im"),
    # milestone states
    "met": NP_("word", "met"), "in_progress": NP_("milestone", "in progress"), "missed": NP_("word", "missed"),
    # yes/no fields (review_overdue)
    "True": NP_("word", "True"), "False": NP_("word", "False"),
    # requirement approval state between none and approved ('req list')
    "partial": NP_("word", "partial"),
    # change request merged into the agreed scope (not built yet)
    "baselined": NP_("word", "baselined"),
    # an approval given to content that has changed since ('change list': customer(stale))
    "stale": NP_("word", "stale"),
}

# Item field names as shown on site item pages and terminal tables (keys are front-matter fields;
# English shows the key itself).
FIELDS: tuple[str, ...] = (
    NP_("field", "status"), NP_("field", "priority"), NP_("field", "owner"), NP_("field", "source"),
    NP_("field", "milestone"), NP_("field", "depends_on"), NP_("field", "tags"), NP_("field", "created"),
    NP_("field", "requested_by"), NP_("field", "affects"), NP_("field", "branch"), NP_("field", "date"),
    NP_("field", "kind"), NP_("field", "attendees"), NP_("field", "relates"), NP_("field", "open_actions"),
    NP_("field", "probability"), NP_("field", "impact"), NP_("field", "score"), NP_("field", "level"),
    NP_("field", "mitigation"), NP_("field", "contingency"), NP_("field", "review_by"),
    NP_("field", "review_overdue"), NP_("field", "identified"), NP_("field", "supersedes"),
    NP_("field", "deciders"), NP_("field", "from"), NP_("field", "category"), NP_("field", "acceptance"),
    NP_("field", "audience"), NP_("field", "trainer"), NP_("field", "topics"), NP_("field", "materials"),
    NP_("field", "attendance"), NP_("field", "severity"), NP_("field", "reported"), NP_("field", "responded"),
    NP_("field", "resolved"), NP_("field", "resolution"), NP_("field", "contact"), NP_("field", "channel"),
    NP_("field", "satisfaction"), NP_("field", "next_visit"), NP_("field", "opportunities"),
    NP_("field", "context"), NP_("field", "links"),
    # columns of the terminal lists
    NP_("field", "id"), NP_("field", "title"), NP_("field", "approval"), NP_("field", "approved"),
    NP_("field", "file"), NP_("field", "approvals"), NP_("field", "ahead/behind"), NP_("field", "p×i"),
    NP_("field", "open actions"), NP_("field", "effort_days"), NP_("field", "schedule_days"), NP_("field", "cost"),
    # an approval record's keys (release notes: "approvals: added (by …, role …)")
    NP_("field", "by"), NP_("field", "role"), NP_("field", "at"), NP_("field", "via"), NP_("field", "change"),
)

CHART_LABELS: Mapping[str, str] = {
    "total": NP_("chart", "Scope"), "approved": NP_("chart", "Approved"),
    "done": NP_("chart", "Done (implemented or verified)"), "date": NP_("chart", "Week"),
    "count": NP_("chart", "Requirements"), "no_data": NP_("chart", "No data"),
    "probability": NP_("chart", "Probability"), "impact": NP_("chart", "Impact"), "low": NP_("chart", "Low"),
    "medium": NP_("chart", "Medium"), "high": NP_("chart", "High"), "critical": NP_("chart", "Critical"),
    "total_count": NP_("chart", "Total"),
}

_CONTEXTS = {"in_progress": "milestone"}


def word(value: object, lang: str, names: Mapping[str, str] | None = None) -> str:
    """The display word for a data value (``approved`` → 已批准 in Chinese).

    ``names``: the project's display names for this language (``Config.display_names``), which win.
    """
    text = "" if value is None else str(value)
    if names and text in names:
        return names[text]
    english = WORDS.get(text)
    if english is None:
        return text
    return translator(lang).pgettext(_CONTEXTS.get(text, "word"), english)


def chart_labels(lang: str) -> dict[str, str]:
    catalog = translator(lang)
    labels = {key: catalog.pgettext("chart", english) for key, english in CHART_LABELS.items()}
    for status in ("draft", "proposed", "approved", "implemented", "verified", "rejected", "deprecated"):
        labels.setdefault(status, word(status, lang))
    return labels


def field(key: object, lang: str) -> str:
    """The display name of an item field (``depends_on`` → 依赖 in Chinese; English keeps the key)."""
    text = "" if key is None else str(key)
    return translator(lang).pgettext("field", text) if text in FIELDS else text


__all__ = ["CHART_LABELS", "FIELDS", "LANGUAGES", "WORDS", "chart_labels", "field", "word"]
