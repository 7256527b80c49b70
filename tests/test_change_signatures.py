"""``check --verify-approvals`` with ``verify_signatures``: approvals must be in commits the approver signed.

Keys are real ed25519 keys made with ssh-keygen; commits are signed with git's
SSH signing.  An attacker controls author, committer and any key they like;
only a key the allowed-signers list binds to exactly the approver's e-mail
counts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CUSTOMER, PM, git, run_reqctl
from test_gitio import commit_all, person, requirement

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen (OpenSSH) to make keys")

EVE = "eve@contractor.example"


def signing_key(folder: Path, name: str) -> Path:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


def public(key: Path) -> str:
    kind, blob = key.with_suffix(".pub").read_text(encoding="utf-8").split()[:2]
    return f"{kind} {blob}"


def fingerprint(key: Path) -> str:
    command = ["ssh-keygen", "-lf", str(key.with_suffix(".pub"))]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return out.stdout.split()[1]


def commit_signed(root: Path, email: str, key: Path | None, message: str) -> str:
    git(root, "add", "-A")
    signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}"] if key else []
    git(root, *signing, "commit", "-q", *(["-S"] if key else []), "-m", message, env=person(email))
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "keys"
    folder.mkdir()
    return {name: signing_key(folder, name) for name in ("customer", "pm", "eve")}


def signed_project(project: Path, keys: dict[str, Path], eve_principal: str | None = None) -> Path:
    """Signatures required; ``.reqctl-signers`` binds the customer's and the PM's keys (and Eve's, if named)."""
    lines = [f"{CUSTOMER} {public(keys['customer'])}", f'{PM} namespaces="git" {public(keys["pm"])}']
    if eve_principal:
        lines.append(f"{eve_principal} {public(keys['eve'])}")
    (project / ".reqctl-signers").write_text("# who signs\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with (project / "reqctl.yaml").open("a", encoding="utf-8") as handle:
        handle.write("check:\n  verify_signatures: true\n  allowed_signers: .reqctl-signers\n")
    requirement(project, "REQ-001", "Login")
    commit_all(project, "requirements and signers", PM)
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    return project


def g003(out: str) -> list[str]:
    return [line for line in out.splitlines() if "G003" in line]


def test_approval_signed_by_the_customer_passes(project: Path, keys: dict[str, Path]) -> None:
    signed_project(project, keys)
    commit_signed(project, CUSTOMER, keys["customer"], "approve REQ-001")
    result = run_reqctl(project, "check", "--verify-approvals")
    assert result.code == 0, result.out


@pytest.mark.parametrize(
    "principal",
    [f"{CUSTOMER}.evil.example", f"x{CUSTOMER}", f"{EVE},not-{CUSTOMER}", "*@example.com", f'"{CUSTOMER[:-1]}*"'],
)
def test_a_key_whose_name_merely_contains_the_approvers_email_fails(
    project: Path, keys: dict[str, Path], tmp_path: Path, principal: str
) -> None:
    signed_project(project, keys, eve_principal=principal)
    # Eve clones, types the customer's approval, poses as the customer and signs with her own key.
    eve = tmp_path / "eve"
    git(tmp_path, "clone", "-q", str(project), str(eve))
    assert run_reqctl(eve, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    sha = commit_signed(eve, CUSTOMER, keys["eve"], "approve REQ-001")
    git(eve, "push", "-q", "origin", "HEAD:refs/heads/pr")
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--branch", "pr", str(project), str(ci))
    result = run_reqctl(ci, "check", "--verify-approvals")
    assert result.code == 1, result.out
    [line] = g003(result.out)
    assert sha[:10] in line and fingerprint(keys["eve"]) in line and "no allowed signer entry binds" in line


def test_a_key_bound_to_someone_else_fails(project: Path, keys: dict[str, Path]) -> None:
    signed_project(project, keys)
    sha = commit_signed(project, CUSTOMER, keys["pm"], "approve REQ-001")  # the PM's real, allowed key
    result = run_reqctl(project, "check", "--verify-approvals")
    [line] = g003(result.out)
    assert result.code == 1 and sha[:10] in line and fingerprint(keys["pm"]) in line


def test_unsigned_spoofed_identity_is_only_a_claim(project: Path, keys: dict[str, Path]) -> None:
    signed_project(project, keys)
    sha = commit_signed(project, CUSTOMER, None, "approve REQ-001")  # author and committer both set by PM
    config = project / "reqctl.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("verify_signatures: true", "verify_signatures: false"), encoding="utf-8")
    assert run_reqctl(project, "check", "--verify-approvals").code == 0  # without signatures, a claim passes
    config.write_text(text, encoding="utf-8")
    result = run_reqctl(project, "check", "--verify-approvals")
    [line] = g003(result.out)
    assert result.code == 1 and sha[:10] in line and "not signed" in line


def test_fingerprints_pinned_in_reqctl_yaml(project: Path, keys: dict[str, Path]) -> None:
    with (project / "reqctl.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            f"check:\n  verify_signatures: true\n  signers:\n    {CUSTOMER}: ['{fingerprint(keys['customer'])}']\n"
        )
    requirement(project, "REQ-001", "Login")
    requirement(project, "REQ-002", "Logout")
    commit_all(project, "requirements", PM)
    assert run_reqctl(project, "approve", "REQ-001", "--by", CUSTOMER).code == 0
    commit_signed(project, CUSTOMER, keys["customer"], "approve REQ-001")
    assert run_reqctl(project, "approve", "REQ-002", "--by", CUSTOMER).code == 0
    forged = commit_signed(project, CUSTOMER, keys["eve"], "approve REQ-002")
    result = run_reqctl(project, "check", "--verify-approvals")
    [line] = g003(result.out)
    assert result.code == 1 and "REQ-002" in line and forged[:10] in line


def test_signatures_without_any_signer_is_a_config_error(project: Path) -> None:
    with (project / "reqctl.yaml").open("a", encoding="utf-8") as handle:
        handle.write("check:\n  verify_signatures: true\n")
    result = run_reqctl(project, "check", "--verify-approvals")
    assert result.code == 2 and "check.allowed_signers" in result.err and len(result.err.splitlines()) == 1


def test_bad_fingerprint_in_config_is_refused(project: Path) -> None:
    with (project / "reqctl.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"check:\n  signers:\n    {CUSTOMER}: [{CUSTOMER}]\n")
    result = run_reqctl(project, "check")
    assert result.code == 2 and "not a key fingerprint" in result.err


def test_symlinked_signers_file_is_refused(project: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    signed_project(project, keys)
    outside = tmp_path / "outside-signers"
    outside.write_text(f"{CUSTOMER} {public(keys['eve'])}\n", encoding="utf-8")
    (project / ".reqctl-signers").unlink()
    (project / ".reqctl-signers").symlink_to(outside)
    result = run_reqctl(project, "check", "--verify-approvals")
    assert result.code == 2 and "symlink" in result.err


def test_signers_from_the_base_ignore_the_branchs_list(project: Path, keys: dict[str, Path]) -> None:
    """The branch adds Eve's key for the customer to its own signers file: the base's list decides."""
    from reqctl.history.snapshots import HistoryReader
    from reqctl.store.store import Store
    from reqctl.validation.gate import signers_at, verify_approvals

    signed_project(project, keys)
    git(project, "switch", "-q", "-c", "pr")
    with (project / ".reqctl-signers").open("a", encoding="utf-8") as handle:
        handle.write(f"{CUSTOMER} {public(keys['eve'])}\n")
    sha = commit_signed(project, CUSTOMER, keys["eve"], "approve REQ-001")
    assert run_reqctl(project, "check", "--verify-approvals").code == 0  # the branch vouches for itself

    loaded = Store.open(project).project()
    reader = HistoryReader(loaded.root)
    base = reader.repo.resolve("main")
    findings = verify_approvals(loaded, reader, signers=signers_at(reader, loaded.config, base))
    assert [(f.code, f.item_id) for f in findings] == [("G003", "REQ-001")]
    assert sha[:10] in findings[0].message
    gated = run_reqctl(project, "check", "--verify-approvals", "--base", "main", "--format", "json")
    assert gated.code == 1  # end to end: with --base, the keys come from the base
    assert [(f["code"], f["item"]) for f in json.loads(gated.out)["findings"]] == [("G003", "REQ-001")]


def test_signers_file_symlinked_at_the_base_is_refused(project: Path, keys: dict[str, Path]) -> None:
    from reqctl.errors import GitError
    from reqctl.history.snapshots import HistoryReader
    from reqctl.store.store import Store
    from reqctl.validation.gate import signers_at

    signed_project(project, keys)
    (project / ".reqctl-signers").unlink()
    (project / ".reqctl-signers").symlink_to("/etc/passwd")
    commit_signed(project, PM, None, "symlinked signers")
    loaded = Store.open(project).project()
    reader = HistoryReader(loaded.root)
    with pytest.raises(GitError, match="not a regular file"):
        signers_at(reader, loaded.config, reader.repo.resolve("HEAD"))
