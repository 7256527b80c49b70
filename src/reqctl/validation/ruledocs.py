"""What each rule means and how to fix its findings: the help SARIF viewers show.

The same words are in docs/RULES.md (one section per code, anchor ``#r001``…);
tests/test_formats.py keeps the two in step. Nothing is fetched at run time:
``help_uri`` only names the page a viewer may open.
"""

from __future__ import annotations

from dataclasses import dataclass

from reqctl.validation.findings import RuleInfo, Severity

DOCS_URL = "https://github.com/reqctl/reqctl/blob/main/docs/RULES.md"


@dataclass(frozen=True, slots=True)
class RuleHelp:
    """``details`` says what the rule checks and why; ``fix`` what to change in the files."""

    details: str
    fix: str


RULE_HELP: dict[str, RuleHelp] = {
    "R001": RuleHelp(
        "An item file must be UTF-8 text that starts with a YAML front matter block between two `---` lines, "
        "at most 1 MB, whose YAML neither expands through aliases (an alias bomb) nor nests too deep. "
        "reqctl cannot read any field of a file that fails this rule.",
        "Open the file at the reported line: fix the YAML syntax, re-save it as UTF-8, or restore the "
        "`---` lines around the front matter.",
    ),
    "R002": RuleHelp(
        "Every field must have the type and one of the values the item's kind allows (a status from the "
        "kind's list, a date as YYYY-MM-DD, a list where a list is expected), and required fields such as "
        "`title` must be present.",
        "Correct the value named in the message; docs/FORMAT.md lists the fields of each kind and their "
        "allowed values.",
    ),
    "R003": RuleHelp(
        "A field reqctl does not know is kept but ignored by every report, so it is usually a typo of a "
        "known field (`depend_on` for `depends_on`).",
        "Rename the field to the one meant, or remove it. Turn the rule off in reqctl.yaml "
        "(`check.severity.R003: off`) if the project keeps its own extra fields.",
    ),
    "R004": RuleHelp(
        "The `id` field must be present and equal the file name without `.md`, so that references, "
        "history and approvals name the same item.",
        "Set `id:` to the file name, or rename the file (`git mv`) to match the ID.",
    ),
    "R005": RuleHelp(
        "IDs are PREFIX-NNN with the prefix configured for the item's folder in reqctl.yaml (REQ- for "
        "requirements by default) and a number.",
        "Rename the file and its `id` to the folder's prefix, or move the file to the folder its prefix "
        "belongs to. `reqctl add` always allocates a valid ID.",
    ),
    "R006": RuleHelp(
        "Two files must not hold the same ID (or the same prefix and number): references and approvals "
        "would be ambiguous. The finding names every file holding the ID.",
        "Keep the ID on one file and give the others a new ID with `reqctl add` (copy the content over), "
        "then update references to them.",
    ),
    "R007": RuleHelp(
        "Every reference (`depends_on`, `affects`, `relates`, `source`, `supersedes`, `milestone`) must "
        "name an item or milestone that exists and is of the right kind.",
        "Correct the ID in the reference, restore the deleted item, or add the milestone to reqctl.yaml.",
    ),
    "R008": RuleHelp(
        "Requirements must not depend on each other in a cycle: no order of implementation could satisfy "
        "them. The finding names the cycle.",
        "Remove one `depends_on` entry of the cycle, usually the one that is a relation rather than a "
        "true prerequisite.",
    ),
    "R009": RuleHelp(
        "A requirement's `priority` must be one of the priorities listed in reqctl.yaml, so that reports "
        "can sort and count them.",
        "Use one of the configured priorities, or add the new priority to `priorities:` in reqctl.yaml.",
    ),
    "R010": RuleHelp(
        "A requirement whose status is `approved` or later must carry an approval record (who approved "
        "it, when, and the fingerprint of the approved content).",
        "Approve it with `reqctl approve ID`, or set its status back to one before `approved`.",
    ),
    "R011": RuleHelp(
        "The fingerprint stored with an approval must match the requirement's current normative content "
        "(title, body, priority, acceptance criteria, dependencies): otherwise it changed after it was "
        "approved and the requirement is suspect.",
        "Review the change (`reqctl req history ID`), then approve the requirement again with "
        "`reqctl approve ID`, or revert the change.",
    ),
    "R012": RuleHelp(
        "Approvals must come from people who hold an approver role for the item's kind in reqctl.yaml.",
        "Have a person with an approver role approve the item, or add the approver to the role in "
        "reqctl.yaml (a change the team should review).",
    ),
    "R013": RuleHelp(
        "An approved requirement needs at least one acceptance criterion, so that its implementation can "
        "be verified.",
        "Add criteria under `acceptance:` (the requirement then needs approving again), or set the status "
        "back to before `approved`.",
    ),
    "R014": RuleHelp(
        "A change request that is `approved` or `baselined` (`implemented` in older files) must carry an "
        "approval from every role reqctl.yaml requires for change requests.",
        "Collect the missing approvals with `reqctl change approve CR`, or set the status back to "
        "`assessed`.",
    ),
    "R015": RuleHelp(
        "An open risk's `review_by` date has passed: the risk has not been looked at when the team said "
        "it would.",
        "Review the risk, update its assessment and mitigation, and set a new `review_by` date (or close "
        "the risk).",
    ),
    "R016": RuleHelp(
        "The release gate (`check --require-approved`, optionally with `--milestone M`) fails on every "
        "requirement that is not approved, rejected or deprecated.",
        "Approve the requirement with `reqctl approve ID`, reject or deprecate it, or move it to a later "
        "milestone.",
    ),
    "R017": RuleHelp(
        "A line starting with `<<<<<<<`, `|||||||`, `=======` or `>>>>>>>` in an item file is a merge conflict "
        "git left unresolved; approving such a file would fingerprint both sides of the conflict.",
        "Resolve the conflict: keep the right text, delete the marker lines, then run `reqctl check` again.",
    ),
    "R018": RuleHelp(
        "A follow-up visit's `next_visit` date has passed and no later visit with the same contact is "
        "recorded: the visit promised to the customer did not happen (or was not written down).",
        "Visit or call the customer and record it with `reqctl followup add`, or set a new `next_visit` date "
        "on the last visit.",
    ),
    "G001": RuleHelp(
        "With `check --base REF` (the pull-request gate): the normative content of a requirement that was "
        "approved at the fork point may change only under an approved change request that lists it in "
        "`affects`.",
        "Propose a change request for the requirement (`reqctl change propose TITLE --affects ID`), get it "
        "approved, and make the change on its branch.",
    ),
    "G002": RuleHelp(
        "With `check --base REF`: a change request's approvals must still match the change request and "
        "the items it changes; an edit after approval makes them stale.",
        "Have the approvers approve the change request again with `reqctl change approve CR`, or "
        "revert the edit.",
    ),
    "G003": RuleHelp(
        "With `check --verify-approvals`: each approval must have been committed (or signed) by the "
        "approver named in it, as the git history shows.",
        "Let the approver add the approval in their own commit (`reqctl approve ID`), removing the one "
        "added by someone else.",
    ),
    "G004": RuleHelp(
        "With `check --base REF`: the policy in reqctl.yaml (roles, approvals, check settings) is taken from "
        "the base, so a branch cannot make its author an approver or switch rules off. A branch that changes "
        "the policy needs an approved change request whose approvals, by the approvers the base names, "
        "cover the new policy.",
        "Propose a change request on the branch, have the base's approvers approve it after the reqctl.yaml "
        "edit (`reqctl change approve CR`), or revert the policy change.",
    ),
}


def help_uri(code: str) -> str:
    return f"{DOCS_URL}#{code.lower()}"


def plain(text: str) -> str:
    """The help's Markdown code spans as plain text."""
    return text.replace("`", "")


def help_text(rule: RuleInfo, help_: RuleHelp) -> str:
    return plain(f"{rule.description}.\n\n{help_.details}\n\nHow to fix: {help_.fix}\n\n{_severity_note(rule)}")


def help_markdown(rule: RuleInfo, help_: RuleHelp) -> str:
    return (
        f"**{rule.code} {rule.name}**: {rule.description}.\n\n{help_.details}\n\n"
        f"**How to fix:** {help_.fix}\n\n{_severity_note(rule, markdown=True)}\n\n"
        f"[Rule reference]({help_uri(rule.code)})"
    )


def _severity_note(rule: RuleInfo, *, markdown: bool = False) -> str:
    code = f"`check.severity.{rule.code}`" if markdown else f"check.severity.{rule.code}"
    default = "off" if rule.default_severity is Severity.OFF else rule.default_severity.value
    return f"Default severity: {default}; change it in reqctl.yaml under {code} (error, warning or off)."
