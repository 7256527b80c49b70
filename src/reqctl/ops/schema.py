"""JSON Schemas (draft 2020-12) of item front matter and ``reqctl.yaml``, for editors and other tools.

Generated from the pydantic models ``reqctl check`` validates with, so the
schema and the checker cannot drift apart.  The schema describes what a user
writes in the file, not the loaded model: keys under their file names
(``kind``, ``from``), no ``body`` (that is the Markdown after the front
matter), ``id`` optional (the file name supplies it), and the leniencies the
loader grants (a single ID where a list is expected, YAML 1.1's bare ``off``).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from reqctl.errors import UsageError
from reqctl.messages import lazy
from reqctl.model import config as config_model
from reqctl.model import items as items_model
from reqctl.model.ids import Kind

DIALECT = "https://json-schema.org/draft/2020-12/schema"
CONFIG = "config"
SCHEMA_KINDS: tuple[str, ...] = (*(kind.value for kind in Kind), CONFIG)


class _FileSchema(GenerateJsonSchema):
    """Describe the input a file may hold: where a validator widens it, widen the schema too."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        inner = super().function_before_schema(schema)
        function = schema["function"]["function"]
        if function is items_model._as_list and inner.get("type") == "array":
            return {"anyOf": [inner["items"], inner, {"type": "null"}]}  # 'depends_on: REQ-001', 'tags:'
        if function is items_model._legacy_change_status:  # 'implemented': the older word for 'baselined'
            return {"anyOf": [inner, {"const": "implemented", "deprecated": True}]}
        if function is config_model._yaml_off:
            return {"anyOf": [inner, {"const": False}]}  # 'R001: off' read by a YAML 1.1 parser
        return inner


def _model(kind: str) -> type[BaseModel]:
    if kind == CONFIG:
        return config_model.Config
    try:
        return items_model.MODELS[Kind(kind)]
    except ValueError:
        raise UsageError(lazy("unknown schema '{kind}': use one of {values}", kind=kind,
                              values=", ".join(SCHEMA_KINDS))) from None


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind's front matter, or of ``reqctl.yaml`` for ``config``."""
    model = _model(kind)
    generated = model.model_json_schema(by_alias=True, mode="validation", schema_generator=_FileSchema)
    if kind == CONFIG:
        title = "reqctl project file (reqctl.yaml)"
        description = "Project settings: name, customer, milestones, priorities, roles, approvals, check policy."
    else:
        generated["properties"].pop("body", None)
        generated["required"] = [name for name in generated.get("required", []) if name not in ("id", "body")]
        title = f"reqctl {kind} (front matter)"
        description = (f"The YAML front matter of a {kind} file ({Kind(kind).folder}/ID.md); keys not listed are "
                       "allowed and reported by 'reqctl check' as warnings.")
    return {"$schema": DIALECT, "title": title, "description": description,
            **{key: value for key, value in generated.items() if key not in ("title", "description")}}


def render(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
