"""``check --verify-approvals`` with ``verify_signatures``: approvals must be in commits the approver signed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CUSTOMER, PM, git, run_reqctl
from test_gitio import commit_all, requirement

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")


def signing_key(folder: Path, email: str) -> Path:
    key = folder / email.split("@", maxsplit=1)[0]
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", email, "-f", str(key)], check=True)
    return key


def test_signed_approvals(project: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    customer_key = signing_key(keys, CUSTOMER)
    pm_key = signing_key(keys, PM)
    allowed = keys / "allowed"
    allowed.write_text(
        "".join(
            f"{email} {(key.with_suffix('.pub')).read_text(encoding='utf-8').split(' ')[0]} "
            f"{key.with_suffix('.pub').read_text(encoding='utf-8').split(' ')[1]}\n"
            for email, key in ((CUSTOMER, customer_key), (PM, pm_key))
        ),
        encoding="utf-8",
    )
    git(project, "config", "gpg.format", "ssh")
    git(project, "config", "gpg.ssh.allowedSignersFile", str(allowed))
    with (project / "reqctl.yaml").open("a", encoding="utf-8") as handle:
        handle.write("check:\n  verify_signatures: true\n")
    requirement(project, "REQ-001", "Login")
    requirement(project, "REQ-002", "Logout")
    commit_all(project, "requirements")

    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    git(project, "add", "-A")
    git(project, "-c", f"user.signingkey={customer_key}", "commit", "-q", "-S", "-m", "approve 1")
    assert run_reqctl(project, "approve", "REQ-002", "--by", CUSTOMER).code == 0
    git(project, "add", "-A")
    git(project, "-c", f"user.signingkey={pm_key}", "commit", "-q", "-S", "-m", "approve 2")  # by the PM
    sha = git(project, "rev-parse", "HEAD").strip()

    result = run_reqctl(project, "check", "--verify-approvals")
    assert result.code == 1, result.out
    lines = [line for line in result.out.splitlines() if "G003" in line]
    assert len(lines) == 1 and "REQ-002" in lines[0] and sha[:10] in lines[0] and "signed by" in lines[0]
