"""Building the discord.py bot around the use cases the runtime built: what it asks of
discord.py, its command tree, its events; its cogs are `bots.discord.application.feature_cogs`, its
connection `bots.discord.application.gateway_connection`.

discord.py holds its REST base and its gateway in class attributes
(`discordpy_internals.point_rest_at`, `point_gateway_at`), so DISCORD_API_URL and
DISCORD_GATEWAY_URL are process-wide: one Discord bot per process, which is what `voicebridge run`
starts. Without DISCORD_GATEWAY_URL the gateway is the one GET /gateway/bot names, as Discord asks
clients to do (and as a REST proxy forwards).

The bot is sharded (discord.py's AutoShardedBot): one process runs as many shards as Discord
recommends, or DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS split them across processes. Everything
shared between shards (claims, limits, preferences) is in the database, so it makes no difference
to a chat which process its server's shard runs in.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.client_fields import VoicebridgeClient
from bots.discord.answers.discord_replies import Interaction
from bots.discord.answers.error_handler import on_app_command_error
from bots.discord.answers.interaction_acks import (
    acknowledge_first,
    answered_by_use_case,
    claim,
    decide_answer,
    declared_ack,
)
from bots.discord.answers.persistent_buttons import Answerers, AnswersClicks
from bots.discord.application.feature_cogs import feature_cogs
from bots.discord.claims_and_redo.crash_redo import CrashRedo, RawInteractions, RebuildsModals
from bots.discord.claims_and_redo.work_in_progress import WorkInProgress, message_claim
from bots.discord.commands.discord_allowlist import (
    STRANGER_MESSAGE,
    admits,
    admits_message,
    answer_stranger,
    refuse_stranger,
)
from bots.discord.commands.localized_names import CatalogueTranslator
from bots.discord.commands.user_installs import EVERYWHERE_CONTEXTS, EVERYWHERE_INSTALLS
from bots.discord.discordpy_internals import (
    cog_listeners,
    gateway_parsers,
    hold_event_tasks,
    keep_member,
    pace_requests,
    point_gateway_at,
    point_rest_at,
    recommended_gateway,
)
from bots.discord.global_request_limit import PER_SECOND, RequestPace
from bots.discord.listening.call_side_factory import ListenedCallSides
from bots.discord.voice_channels.call_connection import DiscordVoiceChannels
from bots.discord.voice_channels.speech_playback import VoiceClientClass, VoicePlayer
from core.app.rules.work_claims import Claims
from core.domain.rules.claim_values import Claim

if TYPE_CHECKING:  # what the composition root built; importing it here would load it all
    from core.bootstrap import Runtime

logger = logging.getLogger(__name__)

__all__ = ["VoicebridgeBot", "build_bot", "process_share"]

# A stop lets the listeners still running finish this long before it closes what they use
# (`VoicebridgeBot.close`): each is a database write or a message, not a job.
LISTENERS_GRACE_SECONDS = 5.0


def intents(*, members: bool) -> discord.Intents:
    """Only what the features need: servers and their channels (with their roles and permission
    overwrites), messages in servers and DMs, message content (voice message attachments count
    as content), voice states (who sits in which voice channel), and, with `members`
    (DISCORD_MEMBERS_INTENT), members' updates (their roles and timeouts change what a listener
    of the channel reader may hear) and who joins and leaves a private thread. Message content
    and members are privileged intents, granted in the developer portal; without the members
    one, Discord sends none of those and refuses to list a thread's members
    (`discord_memory_commands.members_of`)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    wanted.voice_states = True
    wanted.members = members
    return wanted


def member_cache() -> discord.MemberCacheFlags:
    """Only the members sitting in voice channels are held (the listeners whose permissions the
    channel reader checks), not every member who joins: memory stays flat in a large server."""
    return discord.MemberCacheFlags(voice=True, joined=False)


class VoicebridgeTree(app_commands.CommandTree["VoicebridgeBot"]):
    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """A command is acknowledged as it arrives (`bots.discord.answers.interaction_acks`: Discord
        waits 3 s), then run by the first delivery that claims it
        (`bots.discord.claims_and_redo.work_in_progress`), its answer decided once as it starts
        (`decide_answer` there); strangers (the allowlist) are refused before that, and nothing new
        starts once the bot is stopping."""
        if not self.client.work.take_on():
            return False
        if await refuse_stranger(self.client.limiter, interaction):
            return False
        keep_as_sent(self.client, interaction)
        if not await acknowledge_first(interaction):
            return False
        ack = declared_ack(interaction)
        if not await claim(interaction, ack):
            return False
        # A command answered with a modal first has no time to spare (Discord's 3 s).
        if ack is None or answered_by_use_case(interaction):
            return True
        return await decide_answer(interaction)

    async def on_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        await on_app_command_error(interaction, error)
        await self.client.work.finish_claimed(interaction)


def keep_as_sent(bot: discord.Client, interaction: Interaction) -> None:
    """Without the Server Members intent Discord sends no member's new roles or timeout: the
    member of a command, as Discord sends them with it, replaces the one cached as they joined
    voice (whether they may stop a listening or a reading is decided from it). Only a member
    already cached is: the cache holds those in voice alone (`member_cache`)."""
    member, guild = interaction.user, interaction.guild
    if bot.intents.members or guild is None or not isinstance(member, discord.Member):
        return
    if guild.get_member(member.id) is not None:
        keep_member(member)


def process_share(shard_count: int | None, shard_ids: list[int] | None) -> float:
    """This process's part of the bot's requests: all of them unless it runs only some of the
    shards (DISCORD_SHARD_IDS), when its shards' part of them all."""
    if not shard_count or not shard_ids:
        return 1.0
    return min(1.0, len(shard_ids) / shard_count)


def client_options(*, members: bool) -> dict[str, Any]:
    """What the bot asks of discord.py, whatever its shards; `members`: DISCORD_MEMBERS_INTENT."""
    return {
        "command_prefix": commands.when_mentioned,
        "intents": intents(members=members),
        "member_cache_flags": member_cache(),
        # Nobody's list is needed at start: members are known as they sit in voice.
        "chunk_guilds_at_startup": False,
        "help_command": None,
        "tree_cls": VoicebridgeTree,
        # Transcripts quote people: "@everyone" in one must not ping a whole server.
        "allowed_mentions": discord.AllowedMentions.none(),
        "max_messages": None,  # no message cache: /summary reads history through the API
        # Every command, and every one added later, is usable wherever its user talks unless
        # it says `@server_only` (`bots.discord.commands.user_installs`).
        "allowed_installs": EVERYWHERE_INSTALLS,
        "allowed_contexts": EVERYWHERE_CONTEXTS,
    }


class VoicebridgeBot(commands.AutoShardedBot):
    """Application commands only; one cog per feature, each handed the use cases it needs.

    `shard_count` None: as many shards as GET /gateway/bot recommends; `shard_ids` None: all of
    them, else only these (this process's part of the bot)."""

    def __init__(
        self,
        *,
        runtime: Runtime,
        gateway_url: str | None,
        voice_client: VoiceClientClass | None,
        claims: Claims | None = None,
        shard_count: int | None = None,
        shard_ids: list[int] | None = None,
    ) -> None:
        super().__init__(
            shard_count=shard_count,
            shard_ids=shard_ids,  # type: ignore[arg-type]  # None is its own default
            **client_options(members=runtime.settings.discord_members_intent),
        )
        # Every REST request waits for room under Discord's global limit (`global_request_limit`),
        # which all the bot's processes share: each takes its shards' part of it.
        pace_requests(self, RequestPace(PER_SECOND * process_share(shard_count, shard_ids)))
        self.runtime = runtime  # what the cogs are built from, in `setup_hook`
        self.limiter = runtime.limiter  # the allowlist, before anything else
        self._warned_if_open = False
        self.audiences = runtime.audiences
        self.clicks = Answerers()  # the cogs register who answers each kind of button
        self.gateway_url = gateway_url
        self._in_voice(runtime, voice_client)
        # Interactions a claim may have to redo, held as Discord sent them
        # (`bots.discord.claims_and_redo.crash_redo`).
        raw_interactions = RawInteractions()
        raw_interactions.install(gateway_parsers(self))
        self.work = WorkInProgress(claims, raw_interactions)
        self.crash_redo = CrashRedo(
            self, claims=claims, chats=self.audiences, start_message=self._start_claimed_message
        )
        self._leases = contextlib.AsyncExitStack()  # held from setup until close
        self._listening_now = hold_event_tasks(self)  # what a close lets finish first

    def _in_voice(self, runtime: Runtime, voice_client: VoiceClientClass | None) -> None:
        """The servers' voice channels, as the core sees them, and the services the runtime
        builds on them: the bot's voice call in each server (where /say, the reading and the
        listening take seats), the channel reader, and the listened calls, whose Discord side is
        built as each joins."""
        self.voice_channels = DiscordVoiceChannels(
            self, voice_client, processes=runtime.processes,
            admits=functools.partial(admits, self.limiter),
        )  # fmt: skip
        self.listened_call_sides = ListenedCallSides(runtime.calls, self)
        voice = runtime.calls_for(self.voice_channels, self.listened_call_sides)
        self.voice_calls, self.reader, self.listened = voice.calls, voice.reader, voice.listened
        self.player = VoicePlayer(voice_client, calls=voice.calls, processes=runtime.processes)

    async def setup_hook(self) -> None:
        cogs = feature_cogs(
            self, self.runtime, player=self.player, reader=self.reader,
            channels=self.voice_channels, listened=self.listened, clicks=self.clicks,
            earlier_reply=self.crash_redo.earlier_reply,
        )  # fmt: skip
        for cog in cogs:
            await self.add_cog(cog)
            if isinstance(cog, RebuildsModals):
                self.crash_redo.modal_rebuilders.update(cog.modal_rebuilders())
        # Every name and description of the commands, in each language we have.
        await self.tree.set_translator(CatalogueTranslator())
        if self.shard_ids is None or 0 in self.shard_ids:
            # Commands belong to the application, not to a shard: one process registers them.
            synced = await self.tree.sync()
            logger.info("synced %d Discord application commands", len(synced))
        await self.crash_redo.take_over(self._leases)  # before new work
        await self._choose_gateway()

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """A message reaches its listeners in a task of our own, which a stop waits for; a
        voice message only through the first delivery that claims it, so a message the gateway
        delivers twice (a resumed session replaying events) is answered once. A message from
        outside the allowlist reaches no listener, only the allowlist's answer
        (`discord_allowlist.answer_stranger`), and is never claimed.
        Other events are dispatched as discord.py does."""
        message = args[0] if event_name == "message" and args else None
        if not isinstance(message, discord.Message):
            super().dispatch(event_name, *args, **kwargs)
            return
        if self.work.stopping:
            return  # as if it came once the bot was gone: nothing is claimed or started
        if not admits_message(self.limiter, message):
            answer = functools.partial(self._run_listener, STRANGER_MESSAGE, answer_stranger)
            self.work.start_message(message, None, answer)
            return
        self.work.start_message(message, message_claim(message), self._listen_to_message)

    def _start_claimed_message(self, claim: Claim, message: discord.Message) -> None:
        """A voice message fetched again after a crash, handled under the claim taken over."""
        self.work.start_message(message, claim, self._listen_to_message)

    async def _listen_to_message(self, message: discord.Message) -> None:
        await self._listen("message", message)

    async def _listen(self, event: str, message: discord.Message) -> None:
        """Run every listener of `event` and wait for them all, so the work is over (and its
        claim can be finished) when they are. The cogs listen; the bot's own `on_message` does
        nothing."""
        listeners = cog_listeners(self, event)
        await asyncio.gather(*(self._run_listener(event, each, message) for each in listeners))

    async def _run_listener(self, event: str, listener: Any, message: discord.Message) -> None:
        try:
            await listener(message)
        except Exception:
            await self.on_error(f"on_{event}", message)

    async def close(self) -> None:
        await self._listeners_finished()
        await self._leases.aclose()
        await super().close()

    async def _listeners_finished(self) -> None:
        """Let the listeners still running finish (a command's claim being marked done, a
        cog's `on_ready`) before the storage they use is closed; those that outlast
        `LISTENERS_GRACE_SECONDS` are cancelled, and their clean-up awaited."""
        running = self._listening_now - {asyncio.current_task()}
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=LISTENERS_GRACE_SECONDS)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def on_app_command_completion(self, interaction: Interaction, command: Any) -> None:
        # The person's language, where it is noted (`discord_asker.notes_commander`), was noted
        # with the answer, as it was decided (`interaction_acks.decide_answer`, or the use case).
        await self.work.finish_claimed(interaction)

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: every command is an application command (the cogs still listen)."""

    async def on_ready(self) -> None:
        shards = ", ".join(map(str, sorted(self.shards)))
        logger.info(
            "Discord bot %s is ready in %d server(s), shard(s) %s of %s",
            self.user, len(self.guilds), shards, self.shard_count,
        )  # fmt: skip
        if not self._warned_if_open:  # once: on_ready comes again after a new session
            self._warned_if_open = True
            await self.limiter.warn_if_open("discord", chats=len(self.guilds))

    async def _choose_gateway(self) -> None:
        """Settle the gateway URL and the shard count before connecting.

        Asked for neither, discord.py would take both from GET /gateway/bot itself, but then it
        connects to the URL Discord named and ignores DISCORD_GATEWAY_URL; so the count is read
        here and the URL stays the configured one."""
        url = self.gateway_url
        if url is None or self.shard_count is None:
            recommended, named = await recommended_gateway(self)
            url = url or named
            self.shard_count = self.shard_count or recommended
        point_gateway_at(url)
        logger.info("Discord gateway: %s, %d shard(s) in all", url, self.shard_count)


_TYPED: type[VoicebridgeClient] = VoicebridgeBot  # mypy: the bot has every field modules read
_CLICKED: type[AnswersClicks] = VoicebridgeBot  # ...and the one buttons read


def build_bot(
    *,
    api_url: str,
    gateway_url: str | None,
    runtime: Runtime,
    voice_client: VoiceClientClass | None,
    claiming: bool = True,
    shard_count: int | None = None,
    shard_ids: list[int] | None = None,
) -> VoicebridgeBot:
    """The bot, talking to the REST API at `api_url`; `voice_client` joins voice channels
    (`speech_playback.installed_voice_client()`, or None where the voice extras are missing).
    With `claiming`, each message and command that leads to work is claimed first."""
    point_rest_at(api_url)
    return VoicebridgeBot(
        runtime=runtime,
        gateway_url=gateway_url,
        voice_client=voice_client,
        claims=runtime.claims if claiming else None,
        shard_count=shard_count,
        shard_ids=shard_ids,
    )
