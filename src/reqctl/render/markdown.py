"""Markdown bodies to HTML with markdown-it-py; raw HTML in a body is never passed through."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # 'html': False escapes raw HTML blocks and inline tags; commonmark also
    # refuses javascript: and data: link targets through validateLink.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def to_html(text: object) -> Markup:
    """Render Markdown to safe HTML (usable from templates as ``|markdown``)."""
    if text is None:
        return Markup("")
    return Markup(_parser().render(str(text)))
