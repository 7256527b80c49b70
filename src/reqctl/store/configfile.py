"""``reqctl.yaml`` from bytes: the one parser for the working tree and every revision."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from reqctl.errors import ConfigError
from reqctl.locate import CONFIG_FILE
from reqctl.messages import lazy
from reqctl.model.config import Config
from reqctl.model.items import validator_message
from reqctl.store import frontmatter


def parse_config(raw: bytes, where: str = CONFIG_FILE) -> Config:
    """The configuration these bytes hold; ``ConfigError`` (with file and line) when invalid.

    ``where`` names the file in messages (``reqctl.yaml`` or ``reqctl.yaml@main``).
    """
    text = frontmatter.decode(raw, where)
    data: Any = frontmatter.load_yaml(text, where, first_line=1)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(lazy("must be a mapping of 'key: value' lines"), path=where, line=1)
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        detail = error.errors()[0]
        loc = [str(part) for part in detail["loc"]]
        lines = {key: line - 1 for key, line in frontmatter.key_lines(text).items()}
        line = lines.get(loc[0]) if loc else None
        field = ".".join(loc) or lazy("(top level)")
        message = validator_message(detail)
        if detail["type"] == "missing":
            message = lazy("required field is missing")
        if detail["type"] == "extra_forbidden":
            message = lazy("unknown setting")
        raise ConfigError(lazy("{field}: {message}", field=field, message=message), path=where, line=line) from None
