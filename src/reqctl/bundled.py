"""Where the files shipped beside the code live: report templates and example projects.

In a wheel they are package data (``reqctl/templates``, ``reqctl/examples``,
mapped from the repository's top-level folders by the wheel target's
``sources`` in pyproject.toml). An editable install (``pip install -e .``)
only puts ``src/`` on the path, so there the repository's top-level folders
are used.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

SOURCE_TREE = Path(__file__).resolve().parents[2]  # src/reqctl/bundled.py -> repository root


def bundled(name: str) -> Traversable:
    """The shipped folder ``name`` (``templates`` or ``examples``)."""
    packaged = resources.files("reqctl").joinpath(name)
    if packaged.is_dir():
        return packaged
    return SOURCE_TREE / name
