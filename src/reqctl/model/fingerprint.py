"""Fingerprints of an item's normative content.

The fingerprint hashes a canonical JSON serialization (sorted keys, fixed
separators) of the normative fields, so different content can never hash
alike the way joined-without-separator fields can.  Whitespace that a reader
cannot see (trailing spaces, blank lines at the ends of the body) does not
count; the order of acceptance criteria does; the order of dependencies does not.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from reqctl.model.config import Config
from reqctl.model.items import Item

PREFIX = "sha256:"
_UNORDERED = frozenset({"depends_on", "affects", "deciders", "relates"})


def normalize_body(body: str) -> str:
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def normative_content(item: Item) -> dict[str, Any]:
    dumped = item.model_dump(mode="json", by_alias=True)
    content: dict[str, Any] = {"kind": item.kind.value}
    for name in item.normative:
        value = item.body if name == "body" else dumped.get(name)
        if name == "body":
            value = normalize_body(str(value))
        elif isinstance(value, str):
            value = value.strip()
        elif name in _UNORDERED and isinstance(value, list):
            value = sorted(value)
        content[name] = value
    return content


def fingerprint(item: Item) -> str:
    canonical = json.dumps(
        normative_content(item), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


POLICY_KEY = "reqctl.yaml"  # how approval records name the policy in their ``items``


def policy_fingerprint(config: Config) -> str:
    """A fingerprint of the approval policy: roles, approvals and check settings of ``reqctl.yaml``."""
    # review settings count once set (so projects without them keep the fingerprints they approved)
    fields = {"roles", "approvals", "check"} | ({"review"} if config.review.recorder else set())
    policy = config.model_dump(mode="json", include=fields)
    canonical = json.dumps(policy, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def short(value: str) -> str:
    return value.removeprefix(PREFIX)[:12]
