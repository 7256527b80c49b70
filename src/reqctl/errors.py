"""The one exception root and the exit codes it maps to.

Every failure a user can cause is a ``ReqctlError``; the CLI's single error
handler prints ``str(error)`` as one line and exits with ``error.exit_code``.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class ReqctlError(Exception):
    """A failure the user can understand and act on (exit code 2)."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message

    def display(self) -> str:
        """``str(self)`` in the language of this run (a ``messages.lazy`` message is translated)."""
        from reqctl.messages import render

        where = self.location()
        text = render(self.message)
        return f"{where}: {text}" if where else text


class UsageError(ReqctlError):
    """Bad arguments: an unknown ID, a malformed value, a bad option combination."""


class NotFoundError(ReqctlError):
    """Something named on the command line does not exist."""


class ProjectNotFoundError(ReqctlError):
    """No ``reqctl.yaml`` in the folder or any parent."""


class FileFormatError(ReqctlError):
    """An item or config file cannot be read: bad encoding, no front matter, bad YAML."""


class ConfigError(ReqctlError):
    """``reqctl.yaml`` is readable but says something invalid."""


class PermissionDeniedError(ReqctlError):
    """The acting person may not do this (e.g. approve without an approver role)."""


class GitError(ReqctlError):
    """A git operation failed or the repository is not in a usable state."""


class TemplateError(ReqctlError):
    """A template failed to load or render (including sandbox violations)."""
