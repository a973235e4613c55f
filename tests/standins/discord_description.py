"""Discord's OpenAPI description of its HTTP API (v10), for the Discord stand-in to hold its answers
and the bot's request bodies against.

``descriptions/discord-openapi-reduced.json`` is the part of Discord's own description
(github.com/discord/discord-api-spec, specs/openapi.json) that the stand-in's routes use, made by
``descriptions/reduce_discord_openapi.py``. From it:

- `missing` lists the properties an answer lacks that the route's response schema requires (a
  thread member without ``join_timestamp``, a message without ``attachments``...): the stand-in
  raises on them, so every test checks its answers;
- `unknown` lists the properties of a request body that its schema does not have where the
  schema says ``additionalProperties: false``, which the stand-in refuses as Discord does (400,
  50035).

A route is named as the stand-in names it (``POST /webhooks/{application_id}/{token}``); the
description's own parameter names differ, so routes are matched with the names left out.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DESCRIPTION = Path(__file__).parent / "descriptions" / "discord-openapi-reduced.json"

_PARAMETER = re.compile(r"\{[^}]*\}")
Schema = dict[str, Any]


class DiscordApiDescription:
    def __init__(self, spec: dict[str, Any]) -> None:
        self._spec = spec
        self._operations: dict[tuple[str, str], dict[str, Any]] = {}
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                self._operations[(method.upper(), _PARAMETER.sub("{}", path))] = operation

    def operation(self, method: str, template: str) -> dict[str, Any] | None:
        return self._operations.get((method.upper(), _PARAMETER.sub("{}", template)))

    def response_schema(self, method: str, template: str, status: int) -> Schema | None:
        operation = self.operation(method, template)
        if operation is None:
            return None
        answer = operation["responses"].get(str(status))
        if answer is None:
            return None
        answer = self._resolved(answer)
        return answer.get("content", {}).get("application/json", {}).get("schema")

    def request_schema(self, method: str, template: str) -> Schema | None:
        operation = self.operation(method, template)
        if operation is None or "requestBody" not in operation:
            return None
        schema: Schema | None = (
            operation["requestBody"].get("content", {}).get("application/json", {}).get("schema")
        )
        return schema

    def missing(self, schema: Schema, value: Any, path: str) -> list[str]:
        """The required properties `value` lacks (as ``path.name``), by the schema; for a
        union, those of the alternative it comes nearest to."""
        schema = self._resolved(schema)
        alternatives = schema.get("oneOf") or schema.get("anyOf")
        if alternatives:
            fitting = [alt for alt in alternatives if self._fits_type(alt, value)]
            nearest: list[str] | None = None
            for alternative in fitting or alternatives:
                found = self.missing(alternative, value, path)
                if nearest is None or len(found) < len(nearest):
                    nearest = found
                if not nearest:
                    break  # one it fits wholly: none comes nearer
            return nearest or []
        problems: list[str] = []
        for part in schema.get("allOf", []):
            problems.extend(self.missing(part, value, path))
        if isinstance(value, dict):
            problems.extend(
                f"{path}.{name}" for name in schema.get("required", []) if name not in value
            )
            for name, about in schema.get("properties", {}).items():
                if name in value and value[name] is not None:
                    problems.extend(self.missing(about, value[name], f"{path}.{name}"))
        elif isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                problems.extend(self.missing(schema["items"], item, f"{path}[{index}]"))
        return problems

    def unknown(self, schema: Schema, value: Any, path: str) -> Iterator[str]:
        """The properties of `value` its schema forbids (``additionalProperties: false``)."""
        schema = self._resolved(schema)
        alternatives = schema.get("oneOf") or schema.get("anyOf")
        if alternatives:
            fewest: list[str] | None = None
            for alternative in alternatives:
                found = list(self.unknown(alternative, value, path))
                if fewest is None or len(found) < len(fewest):
                    fewest = found
                if not fewest:
                    break  # one that allows it all: none allows more
            yield from fewest or []
            return
        for part in schema.get("allOf", []):
            yield from self.unknown(part, value, path)
        if isinstance(value, dict):
            properties = schema.get("properties", {})
            for name, item in value.items():
                if name in properties:
                    yield from self.unknown(properties[name], item, f"{path}.{name}")
                elif schema.get("additionalProperties") is False:
                    yield f"{path}.{name}"
        elif isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                yield from self.unknown(schema["items"], item, f"{path}[{index}]")

    def _fits_type(self, schema: Schema, value: Any) -> bool:
        """Whether `value` is of the JSON type the schema names (any, when it names none)."""
        schema = self._resolved(schema)
        kinds = schema.get("type")
        if kinds is None:
            return True
        kinds = kinds if isinstance(kinds, list) else [kinds]
        actual = {
            dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null",
        }.get(type(value))  # fmt: skip
        if actual is None:
            actual = "integer" if isinstance(value, int) else "number"
        return actual in kinds or (actual == "integer" and "number" in kinds)

    def _resolved(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            _, _, kind, name = schema["$ref"].split("/", 3)
            schema = self._spec["components"][kind][name]
        return schema


@functools.cache
def discord_api_description() -> DiscordApiDescription:
    return DiscordApiDescription(json.loads(DESCRIPTION.read_text(encoding="utf-8")))
