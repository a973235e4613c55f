"""Make ``discord-openapi-reduced.json`` from Discord's OpenAPI description of its HTTP API.

Discord publishes the whole description (github.com/discord/discord-api-spec, specs/openapi.json,
about 600 KB minified); the Discord stand-in needs only the routes it serves. This keeps, of those
routes' operations, the request bodies and the responses, and of the components the schemas they
refer to (following every ``$ref``), without descriptions, examples or headers. Run it again when
the stand-in serves a new route (add the route to `ROUTES`) or Discord's description changes:

    .venv/bin/python tests/standins/descriptions/reduce_discord_openapi.py PATH/TO/openapi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
REDUCED = HERE / "discord-openapi-reduced.json"

# The routes the stand-in serves (tests/standins/discord_api.py, FakeDiscord._routes), as the
# description spells them.
ROUTES = [
    ("get", "/users/@me"),
    ("get", "/oauth2/applications/@me"),
    ("get", "/gateway/bot"),
    ("get", "/channels/{channel_id}"),
    ("get", "/guilds/{guild_id}"),
    ("put", "/applications/{application_id}/commands"),
    ("post", "/interactions/{interaction_id}/{interaction_token}/callback"),
    ("post", "/webhooks/{webhook_id}/{webhook_token}"),
    ("get", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"),
    ("patch", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"),
    ("delete", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"),
    ("patch", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"),
    ("post", "/channels/{channel_id}/messages"),
    ("patch", "/channels/{channel_id}/messages/{message_id}"),
    ("delete", "/channels/{channel_id}/messages/{message_id}"),
    ("get", "/channels/{channel_id}/messages"),
    ("get", "/channels/{channel_id}/messages/{message_id}"),
    ("get", "/channels/{channel_id}/thread-members"),
    ("post", "/channels/{channel_id}/typing"),
    ("put", "/channels/{channel_id}/voice-status"),
    ("patch", "/guilds/{guild_id}/members/@me"),
    ("get", "/guilds/{guild_id}/members/{user_id}"),
]
_DROPPED = frozenset({"description", "summary", "examples", "example", "headers", "externalDocs"})


def reduce(spec: dict[str, Any]) -> dict[str, Any]:
    """The part of `spec` the stand-in's routes use."""
    components = spec["components"]
    paths: dict[str, Any] = {}
    for method, path in ROUTES:
        operation = spec["paths"][path][method]
        kept = {
            key: operation[key]
            for key in ("operationId", "requestBody", "responses")
            if key in operation
        }
        paths.setdefault(path, {})[method] = _stripped(kept)
    wanted: dict[str, dict[str, Any]] = {}
    pending = list(_refs(paths))
    while pending:
        ref = pending.pop()
        _, _, kind, name = ref.split("/", 3)
        if name in wanted.setdefault(kind, {}):
            continue
        found = _stripped(components[kind][name])
        wanted[kind][name] = found
        pending.extend(_refs(found))
    return {
        "openapi": spec["openapi"],
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "x-reduced-from": "github.com/discord/discord-api-spec specs/openapi.json (18 July 2026)",
        "paths": paths,
        "components": {kind: dict(sorted(found.items())) for kind, found in wanted.items()},
    }


def _stripped(value: Any, *, names: bool = False) -> Any:
    """`value` without prose; `names`: a schema's ``properties``, whose keys are field names
    (a field may be called "description")."""
    if isinstance(value, dict):
        return {
            k: _stripped(v, names=k == "properties" and not names)
            for k, v in value.items()
            if names or k not in _DROPPED
        }
    if isinstance(value, list):
        return [_stripped(item) for item in value]
    return value


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return found + [ref for item in value.values() for ref in _refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _refs(item)]
    return []


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    REDUCED.write_text(json.dumps(reduce(spec), indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
