"""The Discord stand-in is as strict as Discord where the bot relies on it: message components
(buttons under a message, and clicks on them) and the cap of five message menus. Driven over
HTTP as any client would, with no bot."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import httpx
import pytest

from tests.standins import discord_description
from tests.standins.discord_api import (
    ADMINISTRATOR,
    READ_MESSAGE_HISTORY,
    SPEAK,
    TIMED_OUT_KEEP,
    VIEW_CHANNEL,
    FakeDiscord,
    Guild,
)

Json = dict[str, Any]


def button(custom_id: str = "gist:1:2:3", **extra: Any) -> Json:
    return {"type": 2, "style": 2, "label": "Gist", "custom_id": custom_id, **extra}


def row(*buttons: Json) -> Json:
    return {"type": 1, "components": list(buttons)}


async def post_json(discord_api: FakeDiscord, path: str, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bot {discord_api.token}"}
    async with httpx.AsyncClient() as http:
        return await http.post(f"{discord_api.api_url}{path}", json=body, headers=headers)


MALFORMED = {
    "a button outside an action row": [button()],
    "six action rows": [row(button(f"b{i}")) for i in range(6)],
    "six buttons in a row": [row(*(button(f"b{i}") for i in range(6)))],
    "an empty action row": [row()],
    "a custom_id of 101 characters": [row(button("x" * 101))],
    "an empty custom_id": [row(button(""))],
    "a button without a custom_id": [row({"type": 2, "style": 1, "label": "Go"})],
    "a label of 81 characters": [row(button(label="y" * 81))],
    "a button without label or emoji": [row({"type": 2, "style": 1, "custom_id": "a"})],
    "a style Discord has not": [row(button(style=9))],
    "a link button with a custom_id": [row(button(style=5, url="https://example.com"))],
    "the same custom_id twice": [row(button("same"), button("same"))],
}


@pytest.mark.parametrize("components", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_components_are_refused_as_discord_refuses_them(
    discord_api: FakeDiscord, server: Guild, components: list[Json]
) -> None:
    refused = await post_json(
        discord_api,
        f"/channels/{server.general}/messages",
        {"content": "hi", "components": components},
    )
    assert (refused.status_code, refused.json()["code"]) == (400, 50035)
    assert discord_api.messages == []


async def test_buttons_are_stored_with_the_message_and_returned_with_it(
    discord_api: FakeDiscord, server: Guild
) -> None:
    five = [row(*(button(f"r{r}b{b}", label="z" * 80) for b in range(5))) for r in range(5)]
    sent = await post_json(
        discord_api, f"/channels/{server.general}/messages", {"content": "hi", "components": five}
    )
    headers = {"Authorization": f"Bot {discord_api.token}"}
    async with httpx.AsyncClient() as http:
        url = f"{discord_api.api_url}/channels/{server.general}/messages"
        fetched = await http.get(f"{url}/{sent.json()['id']}", headers=headers)
        [listed] = (await http.get(url, headers=headers)).json()
        only_buttons = await http.post(url, json={"components": [row(button())]}, headers=headers)

    assert sent.status_code == 200 and only_buttons.status_code == 200  # no content needed
    stored = sent.json()["components"]
    assert fetched.json()["components"] == stored == listed["components"]
    assert [r["id"] for r in stored] == [1, 7, 13, 19, 25]  # numbered depth first, as Discord does
    assert [b["custom_id"] for b in stored[0]["components"]] == [f"r0b{b}" for b in range(5)]
    assert len(discord_api.messages[0].buttons) == 25


async def test_a_click_is_a_component_interaction_answered_without_a_placeholder(
    discord_api: FakeDiscord, server: Guild
) -> None:
    alice = discord_api.add_member(server, "alice")
    await post_json(
        discord_api,
        f"/channels/{server.general}/messages",
        {"content": "hi", "components": [row(button())]},
    )
    [under] = discord_api.messages
    clicked = await discord_api.click(under, alice, label="Gist")
    callback = f"/interactions/{clicked.id}/{clicked.token}/callback"
    deferred = await post_json(discord_api, callback, {"type": 6})
    followup = f"/webhooks/{discord_api.application_id}/{clicked.token}"
    answered = await post_json(discord_api, f"{followup}?wait=true", {"content": "the gist"})

    assert clicked.payload["type"] == 3
    assert clicked.payload["data"] == {"custom_id": "gist:1:2:3", "component_type": 2}
    assert clicked.payload["message"]["id"] == str(under.id)
    assert deferred.status_code == 204
    [answer] = clicked.messages  # a message of its own: a defer of type 6 shows no placeholder
    assert answered.json()["id"] == str(answer.id) and answer.content == "the gist"
    assert clicked.original is under  # @original is the message the button is under
    with pytest.raises(AssertionError):  # nobody can click a button that is not there
        await discord_api.click(under, alice, label="Summarise")


async def test_only_its_user_can_click_a_button_under_an_ephemeral_answer(
    discord_api: FakeDiscord, server: Guild
) -> None:
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    await _register(discord_api, [{"name": "say", "description": "Speak", "type": 1}])
    asked = await discord_api.slash(server.general, alice, "say")
    only_hers = {"type": 4, "data": {"content": "hi", "flags": 64, "components": [row(button())]}}
    await post_json(discord_api, f"/interactions/{asked.id}/{asked.token}/callback", only_hers)
    [answer] = asked.messages

    clicked = await discord_api.click(answer, alice)
    assert answer.ephemeral and clicked.payload["data"]["custom_id"] == "gist:1:2:3"
    with pytest.raises(AssertionError):
        await discord_api.click(answer, bob)


async def test_updating_the_message_answers_only_a_component(
    discord_api: FakeDiscord, server: Guild
) -> None:
    alice = discord_api.add_member(server, "alice")
    command = {"name": "say", "description": "Speak", "type": 1}
    await _register(discord_api, [command])
    asked = await discord_api.slash(server.general, alice, "say")
    refused = await post_json(
        discord_api, f"/interactions/{asked.id}/{asked.token}/callback", {"type": 6}
    )
    assert (refused.status_code, refused.json()["code"]) == (400, 50035)


async def test_six_message_menus_are_refused_and_five_accepted(discord_api: FakeDiscord) -> None:
    menus = [{"name": f"Menu {i}", "type": 3} for i in range(6)]
    refused = await _register(discord_api, menus)
    accepted = await _register(discord_api, menus[:5])
    assert (refused.status_code, refused.json()["code"]) == (400, 30032)
    assert accepted.status_code == 200 and len(discord_api.commands) == 5


async def _register(discord_api: FakeDiscord, commands: list[Json]) -> httpx.Response:
    url = f"{discord_api.api_url}/applications/{discord_api.application_id}/commands"
    headers = {"Authorization": f"Bot {discord_api.token}"}
    async with httpx.AsyncClient() as http:
        return await http.put(url, json=commands, headers=headers)


async def test_suggestions_are_refused_past_twenty_five_or_with_a_name_too_long(
    discord_api: FakeDiscord, server: Guild
) -> None:
    """An autocomplete answer holds at most 25 choices, each named in 1 to 100 characters, as
    Discord's API description says; it answers typing only."""
    alice = discord_api.add_member(server, "alice")
    option = {"name": "name", "description": "A voice", "type": 3, "autocomplete": True}
    await _register(discord_api, [{"name": "myvoice", "description": "Voice", "options": [option]}])

    async def answered(data: Json, *, kind: int = 8) -> httpx.Response:
        typed = await discord_api.autocomplete(server.general, alice, "myvoice", "name", "m")
        callback = f"/interactions/{typed.id}/{typed.token}/callback"
        return await post_json(discord_api, callback, {"type": kind, "data": data})

    def choices(count: int, name: str = "Mia") -> Json:
        return {"choices": [{"name": name, "value": f"v{i}"} for i in range(count)]}

    assert (await answered(choices(25))).status_code == 204
    too_many, too_long = await answered(choices(26)), await answered(choices(1, "x" * 101))
    unnamed, not_typing = await answered(choices(1, "")), await answered({"content": "hi"}, kind=4)

    for refused in (too_many, too_long, unnamed, not_typing):
        assert (refused.status_code, refused.json()["code"]) == (400, 50035)
    assert "data.choices" in too_many.json()["errors"]
    assert "data.choices.0.name" in too_long.json()["errors"]


async def test_a_command_for_managers_is_shown_only_to_members_who_may_manage(
    discord_api: FakeDiscord, server: Guild
) -> None:
    """`default_member_permissions` hides a command from members who lack those permissions:
    their client never offers it, so no interaction can come from them."""
    managers, admins = str(1 << 5), "0"  # Manage Server; administrators alone
    commands = [
        {"name": "autotranscribe", "description": "d"},
        {"name": "digest", "description": "d", "default_member_permissions": managers},
        {"name": "purge", "description": "d", "default_member_permissions": admins},
    ]
    assert (await _register(discord_api, commands)).status_code == 200
    member = discord_api.add_member(server, "member")
    manager = discord_api.add_member(server, "manager", manage_guild=True)
    owner = discord_api.add_member(server, "owner", administrator=True)

    await discord_api.slash(server.general, member, "autotranscribe")
    with pytest.raises(AssertionError, match="does not show 'digest'"):
        await discord_api.slash(server.general, member, "digest")
    await discord_api.slash(server.general, manager, "digest")
    with pytest.raises(AssertionError, match="does not show 'purge'"):
        await discord_api.slash(server.general, manager, "purge")
    await discord_api.slash(server.general, owner, "purge")
    assert [i.name for i in discord_api.interactions] == ["autotranscribe", "digest", "purge"]


async def test_an_interaction_carries_the_members_permissions_in_its_own_channel(
    discord_api: FakeDiscord, server: Guild
) -> None:
    """A member overwrite on one channel changes what the member's interactions there carry,
    and nowhere else; without View Channel the member cannot interact there at all; an
    administrator keeps every permission whatever the overwrite."""
    await _register(discord_api, [{"name": "summary", "description": "d"}])
    alice = discord_api.add_member(server, "alice")
    owner = discord_api.add_member(server, "owner", administrator=True)
    await discord_api.deny_in_channel(server.general, alice, READ_MESSAGE_HISTORY)
    await discord_api.deny_in_channel(server.random, alice, VIEW_CHANNEL)
    await discord_api.deny_in_channel(server.general, owner, READ_MESSAGE_HISTORY)

    def held(interaction: Any) -> int:
        return int(interaction.payload["member"]["permissions"])

    in_general = await discord_api.slash(server.general, alice, "summary")
    as_owner = await discord_api.slash(server.general, owner, "summary")
    with pytest.raises(AssertionError, match="no View Channel"):
        await discord_api.slash(server.random, alice, "summary")

    assert held(in_general) & VIEW_CHANNEL and not held(in_general) & READ_MESSAGE_HISTORY
    assert held(as_owner) & ADMINISTRATOR and held(as_owner) & READ_MESSAGE_HISTORY
    overwrites = in_general.payload["channel"]["permission_overwrites"]
    assert overwrites[0] == {
        "id": str(alice), "type": 1, "allow": "0", "deny": str(READ_MESSAGE_HISTORY),
    }  # fmt: skip
    await discord_api.deny_in_channel(server.random, alice, 0)  # the overwrite lifted
    assert held(await discord_api.slash(server.random, alice, "summary")) & READ_MESSAGE_HISTORY


async def test_past_fifty_requests_a_second_the_bot_token_is_rate_limited_globally(
    discord_api: FakeDiscord, server: Guild
) -> None:
    headers = {"Authorization": f"Bot {discord_api.token}"}
    url = f"{discord_api.api_url}/channels/{server.general}/typing"
    second = time.monotonic()
    discord_api.clock = lambda: second  # every request within the same second
    async with httpx.AsyncClient() as http:
        answers = [await http.post(url, headers=headers) for _ in range(51)]

    assert [a.status_code for a in answers[:50]] == [204] * 50
    refused = answers[50]
    assert refused.status_code == 429
    assert refused.json()["global"] is True
    assert refused.headers["X-RateLimit-Global"] == "true"
    assert 0 < refused.json()["retry_after"] <= 1.0


async def test_interaction_answers_do_not_count_against_the_global_limit(
    discord_api: FakeDiscord, server: Guild
) -> None:
    alice = discord_api.add_member(server, "alice")
    headers = {"Authorization": f"Bot {discord_api.token}"}
    url = f"{discord_api.api_url}/channels/{server.general}/typing"
    commands = f"{discord_api.api_url}/applications/{discord_api.application_id}/commands"
    async with httpx.AsyncClient() as http:
        usage = [{"name": "usage", "description": "What you used today", "type": 1}]
        assert (await http.put(commands, json=usage, headers=headers)).is_success
        second = time.monotonic() + 10  # later than the request above: a second of its own
        discord_api.clock = lambda: second  # every request below within that one second
        for _ in range(50):  # the whole second's budget
            assert (await http.post(url, headers=headers)).status_code == 204
        interaction = await discord_api.slash(server.general, alice, "usage")
        answered = await http.post(
            f"{discord_api.api_url}/interactions/{interaction.id}/{interaction.token}/callback",
            json={"type": 4, "data": {"content": "hi"}},
        )
        typing = await http.post(url, headers=headers)
    assert answered.status_code == 204
    assert typing.status_code == 429


async def test_permissions_come_from_roles_and_overwrites_as_discord_computes_them(
    discord_api: FakeDiscord, server: Guild
) -> None:
    """@everyone's permissions and the member's roles, then the channel's overwrites: @everyone's,
    the roles' (a denial of one role lifted by another's allowance), the member's own; an
    administrator keeps everything; a timed-out member keeps only View Channel and Read
    Message History."""
    ann, bob = discord_api.add_member(server, "ann"), discord_api.add_member(server, "bob")
    admin = discord_api.add_member(server, "admin", administrator=True)
    guests = await discord_api.add_role(server, "Guests", 0)
    staff = await discord_api.add_role(server, "Staff", 0)
    await discord_api.give_role(server, ann, guests)
    await discord_api.give_role(server, bob, guests)
    await discord_api.give_role(server, bob, staff)
    await discord_api.overwrite(server.random, server.id, deny=VIEW_CHANNEL, role=True)
    await discord_api.overwrite(server.random, guests, deny=READ_MESSAGE_HISTORY, role=True)
    await discord_api.overwrite(server.random, staff, allow=VIEW_CHANNEL | READ_MESSAGE_HISTORY,
                                role=True)  # fmt: skip
    before = discord_api.permissions_in(server.lounge, ann)
    await discord_api.time_out(server, ann, datetime.now(UTC) + timedelta(hours=1))

    assert discord_api.permissions_in(server.random, ann) == 0  # no View Channel: nothing
    assert discord_api.permissions_in(server.random, bob) & READ_MESSAGE_HISTORY
    assert discord_api.permissions_in(server.random, admin) & ADMINISTRATOR
    assert before & SPEAK
    assert discord_api.permissions_in(server.lounge, ann) == TIMED_OUT_KEEP


async def test_history_pages_as_discord_does_and_needs_the_bots_permissions(
    discord_api: FakeDiscord, server: Guild
) -> None:
    """GET /channels/{id}/messages: newest first, at most 100 a page, `before` and `after`
    (alone: the oldest after it); without Read Message History no messages, without View
    Channel 403, as Discord answers the bot."""
    ann = discord_api.add_member(server, "ann")
    start = datetime.now(UTC) - timedelta(days=3)
    posted = [
        await discord_api.post_message(server.general, ann, f"m{n}", at=start + timedelta(hours=n))
        for n in range(5)
    ]
    ids = [int(message["id"]) for message in posted]
    headers = {"Authorization": f"Bot {discord_api.token}"}
    url = f"{discord_api.api_url}/channels/{server.general}/messages"

    async def page(**query: Any) -> httpx.Response:
        async with httpx.AsyncClient() as http:
            return await http.get(url, params=query, headers=headers)

    newest = (await page(limit=2)).json()
    before = (await page(before=ids[2], limit=100)).json()
    after = (await page(after=ids[0], limit=2)).json()
    too_many = await page(limit=101)
    bot = discord_api.application_id
    await discord_api.deny_in_channel(server.general, bot, READ_MESSAGE_HISTORY)
    no_history = await page(limit=10)
    await discord_api.deny_in_channel(server.general, bot, VIEW_CHANNEL)
    hidden = await page(limit=10)

    assert [m["content"] for m in newest] == ["m4", "m3"]
    assert [m["content"] for m in before] == ["m1", "m0"]
    assert [m["content"] for m in after] == ["m2", "m1"]  # the oldest two after m0, newest first
    assert too_many.status_code == 400
    assert (no_history.status_code, no_history.json()) == (200, [])
    assert (hidden.status_code, hidden.json()["code"]) == (403, 50001)


# -- answers in the shapes Discord's OpenAPI description gives ---------------------------------


async def _get_route(discord_api: FakeDiscord, path: str) -> httpx.Response:
    headers = {"Authorization": f"Bot {discord_api.token}"}
    async with httpx.AsyncClient() as http:
        return await http.get(f"{discord_api.api_url}{path}", headers=headers)


def _lacks(method: str, route: str, answer: Any) -> list[str]:
    """What Discord's description requires of this route's answer and the answer lacks."""
    schema = discord_description.discord_api_description().response_schema(method, route, 200)
    assert schema is not None
    return discord_description.discord_api_description().missing(schema, answer, "")


async def test_thread_members_come_in_the_thread_member_objects_shape(
    discord_api: FakeDiscord, server: Guild
) -> None:
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    thread = await discord_api.add_thread(server.general, alice, "plans", private=True,
                                          members=[bob, discord_api.application_id])  # fmt: skip
    listed = await _get_route(discord_api, f"/channels/{thread}/thread-members")

    assert listed.status_code == 200
    assert {member["user_id"] for member in listed.json()} == {
        str(alice),
        str(bob),
        str(discord_api.application_id),
    }
    assert _lacks("GET", "/channels/{channel_id}/thread-members", listed.json()) == []
    assert discord_api.unshaped == []


async def test_a_message_with_an_attachment_and_an_interactions_answers_have_discords_shape(
    discord_api: FakeDiscord, server: Guild
) -> None:
    alice = discord_api.add_member(server, "alice")
    headers = {"Authorization": f"Bot {discord_api.token}"}
    payload = {"content": "the notes", "attachments": [{"id": 0, "filename": "notes.txt"}]}
    async with httpx.AsyncClient() as http:
        sent = await http.post(
            f"{discord_api.api_url}/channels/{server.general}/messages",
            files={"files[0]": ("notes.txt", b"hello", "text/plain")},
            data={"payload_json": json.dumps(payload)},
            headers=headers,
        )
    assert sent.status_code == 200 and sent.json()["attachments"][0]["filename"] == "notes.txt"
    assert _lacks("POST", "/channels/{channel_id}/messages", sent.json()) == []

    await _register(discord_api, [{"name": "say", "description": "Speak", "type": 1}])
    asked = await discord_api.slash(server.general, alice, "say")
    deferred = await post_json(discord_api, f"/interactions/{asked.id}/{asked.token}/callback",
                          {"type": 5})  # fmt: skip
    followup = f"/webhooks/{discord_api.application_id}/{asked.token}"
    answered = await post_json(discord_api, f"{followup}?wait=true", {"content": "said"})
    original = await _get_route(discord_api, f"{followup}/messages/@original")

    assert deferred.status_code == 204 and answered.status_code == 200
    assert _lacks("POST", "/webhooks/{webhook_id}/{webhook_token}", answered.json()) == []
    assert _lacks("GET", "/webhooks/{a}/{b}/messages/@original", original.json()) == []
    assert discord_api.unshaped == []


async def test_an_answer_missing_what_discord_requires_is_the_stand_ins_own_failure(
    discord_api: FakeDiscord, server: Guild, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = discord_api.add_member(server, "alice")
    thread = await discord_api.add_thread(server.general, alice, "plans", private=False)
    member = discord_api._thread_member
    monkeypatch.setattr(
        discord_api, "_thread_member",
        lambda thread_id, user_id: {
            k: v for k, v in member(thread_id, user_id).items() if k != "join_timestamp"
        },
    )  # fmt: skip
    listed = await _get_route(discord_api, f"/channels/{thread}/thread-members")

    assert listed.status_code == 500
    assert discord_api.unshaped == ["GET /channels/{channel_id}/thread-members: [0].join_timestamp"]


async def test_the_bots_own_messages_come_back_to_it_over_the_gateway(
    discord_api: FakeDiscord, server: Guild
) -> None:
    """Discord sends a bot its own messages, edits and deletions as it sends everyone's, their
    content whole without the Message Content intent too: a bot that mistook its own line for
    a member's would be caught by the tests only so."""
    headers = {"Authorization": f"Bot {discord_api.token}"}
    intents = 1 << 0 | 1 << 9  # GUILDS, GUILD_MESSAGES; no MESSAGE_CONTENT
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{discord_api.gateway_url}?v=10&encoding=json") as ws,
    ):
        hello = await ws.receive_json()
        assert hello["op"] == 10
        identify = {"token": discord_api.token, "intents": intents, "properties": {}}
        await ws.send_json({"op": 2, "d": identify})
        await _event(ws, "READY")
        await _event(ws, "GUILD_CREATE")
        async with httpx.AsyncClient(base_url=discord_api.api_url, headers=headers) as http:
            messages = f"/channels/{server.general}/messages"
            sent = (await http.post(messages, json={"content": "hello"})).json()
            created = await _event(ws, "MESSAGE_CREATE")
            await http.patch(f"{messages}/{sent['id']}", json={"content": "hello again"})
            updated = await _event(ws, "MESSAGE_UPDATE")
            await http.delete(f"{messages}/{sent['id']}")
            deleted = await _event(ws, "MESSAGE_DELETE")

    assert created["id"] == sent["id"]
    assert created["author"]["id"] == str(discord_api.application_id)
    assert created["content"] == "hello" and created["member"]["roles"] == []
    assert (updated["id"], updated["content"]) == (sent["id"], "hello again")
    assert updated["edited_timestamp"] is not None
    assert deleted == {"id": sent["id"], "channel_id": str(server.general),
                       "guild_id": str(server.id)}  # fmt: skip


async def _event(ws: aiohttp.ClientWebSocketResponse, name: str) -> Json:
    """The next dispatch named `name` (other events skipped), within a few seconds."""
    while True:
        payload = await asyncio.wait_for(ws.receive_json(), timeout=10)
        if payload["op"] == 0 and payload["t"] == name:
            data: Json = payload["d"]
            return data
