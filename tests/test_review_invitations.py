"""``reqctl review invite/list/revoke``: links for role holders, only hashes kept, outside the working tree."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from tests.conftest import CUSTOMER, git, run_reqctl

from reqctl.review import invitations
from reqctl.store.statedir import state_dir

LINK = re.compile(r"^(http://127\.0\.0\.1:8765/r/)([A-Za-z0-9_-]{43,})$", re.MULTILINE)


def _invite(root: Path, *args: str) -> str:
    result = run_reqctl(root, "review", "invite", CUSTOMER, *args)
    assert result.code == 0, result.err
    match = LINK.search(result.out)
    assert match, result.out
    return match.group(2)


def test_invite_prints_a_link_and_stores_only_the_hash_outside_the_tree(project: Path) -> None:
    secret = _invite(project)
    assert len(secret) >= 43  # token_urlsafe(32): 256 bits
    stored = (state_dir(project) / invitations.FILE_NAME).read_text(encoding="utf-8")
    assert secret not in stored
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    data = json.loads(stored)["invitations"][0]
    assert data["email"] == CUSTOMER and data["roles"] == ["customer"] and data["revoked"] is False
    assert data["id"].startswith("INV-")
    assert ".git" in str(state_dir(project))
    assert git(project, "status", "--porcelain") == ""  # nothing in the working tree
    assert all(secret not in p.read_text(errors="replace") for p in project.rglob("*") if p.is_file()
               and ".git" not in p.parts)


def test_invite_refuses_someone_without_a_role(project: Path) -> None:
    result = run_reqctl(project, "review", "invite", "stranger@example.org")
    assert result.code == 2
    assert "stranger@example.org holds no role in reqctl.yaml" in result.err
    assert not (state_dir(project) / invitations.FILE_NAME).exists()


def test_invite_options(project: Path) -> None:
    result = run_reqctl(project, "review", "invite", CUSTOMER, "--expires", "2h", "--base-url", "https://rv.example/x/")
    assert result.code == 0, result.err
    assert "https://rv.example/x/r/" in result.out
    assert run_reqctl(project, "review", "invite", CUSTOMER, "--expires", "soon").code == 2
    bad = run_reqctl(project, "review", "invite", CUSTOMER, "--base-url", "javascript:alert(1)")
    assert bad.code == 2 and "--base-url" in bad.err


def test_list_and_revoke(project: Path) -> None:
    secret = _invite(project)
    listed = run_reqctl(project, "review", "list")
    assert listed.code == 0 and CUSTOMER in listed.out and "not opened yet" in listed.out
    assert secret not in listed.out
    as_json = json.loads(run_reqctl(project, "review", "list", "--json").out)
    assert as_json[0]["email"] == CUSTOMER and "secret_sha256" not in as_json[0]
    revoked = run_reqctl(project, "review", "revoke", CUSTOMER)
    assert revoked.code == 0 and "revoked INV-" in revoked.out
    assert "no open review invitations" in run_reqctl(project, "review", "list").out
    again = run_reqctl(project, "review", "revoke", CUSTOMER)
    assert again.code == 2 and "has no open review invitation" in again.err


def test_redeem_refuses_forged_revoked_expired_and_replayed_links(project: Path) -> None:
    import dataclasses
    import datetime as dt

    import pytest

    from reqctl.errors import PermissionDeniedError

    secret = _invite(project)
    with pytest.raises(PermissionDeniedError, match="not valid"):
        invitations.redeem(project, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert invitations.redeem(project, secret).email == CUSTOMER
    with pytest.raises(PermissionDeniedError, match="already used"):
        invitations.redeem(project, secret)
    second = _invite(project)
    run_reqctl(project, "review", "revoke", CUSTOMER)
    with pytest.raises(PermissionDeniedError, match="revoked"):
        invitations.redeem(project, second)
    third = _invite(project)
    stored = invitations.load(project)
    past = invitations.now() - dt.timedelta(seconds=1)
    invitations._save(project, [dataclasses.replace(stored[-1], expires=past), *stored[:-1]])
    with pytest.raises(PermissionDeniedError, match="expired"):
        invitations.redeem(project, third)
