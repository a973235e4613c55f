"""`voicebridge init`'s questions, in order: the MiMo key, the bot tokens, who may use the bot
and the daily budget. Each answer is checked as `doctor` checks it; `Interview.changes` holds
what to write (None: a name to remove)."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

import click

from bots.cli.common_options import in_a_loop
from bots.cli.setup.doctor_command import (
    FIND_DISCORD_ID,
    check_discord,
    check_telegram,
    discord_owner,
    telegram_senders,
)
from bots.cli.setup.mimo_doctor_checks import check_mimo
from bots.cli.setup.terminal_prompts import ask, confirm, masked, on_terminal
from bots.doctor_check_lines import Check, NoSenders, Person
from core.domain import errors

if TYPE_CHECKING:
    from core.config import Settings

__all__ = ["Interview"]

# Token Plan keys (tp-...) work only at their region's host; MiMo's own pages name cn first.
REGIONS = ("cn", "sgp", "ams")
# The shape of a MiMo key: sk-... (pay as you go) or tp-... (a Token Plan), one word.
MIMO_KEY = re.compile(r"^(sk|tp)-\S{8,}$")
EVERYONE = "everyone"
# How a Telegram user finds their id, besides the message init reads (the bot has no command
# that says it).
FIND_YOUR_ID = "a number above 0, which @userinfobot on Telegram replies with when you write to it"
# What init offers as the daily budget when the file has none: two hours of audio transcribed
# (a chat's own default quota) and a chat's default speech (DAILY_TTS_CHARS).
BUDGET_MINUTES = 120
BUDGET_CHARS = 20_000

Checking = Callable[[str], Coroutine[Any, Any, list[Check]]]


class _Everyone(Exception):
    """`everyone` typed at a question about who owns the bots: the bot serves anyone."""


class Interview:
    def __init__(self, settings: Settings, before: dict[str, str]) -> None:
        self.settings = settings
        self.before = before
        self.changes: dict[str, str | None] = {}
        self._base_url_given = bool(before.get("MIMO_BASE_URL")) or (
            "mimo_base_url" in settings.model_fields_set
        )

    def now(self, name: str) -> str | None:
        """`name`'s value as it will be written: answered, or as the file holds it."""
        value = self.changes[name] if name in self.changes else self.before.get(name)
        return value or None

    def ask_all(self) -> None:
        self.mimo_key()
        telegram = self.secret(
            "TELEGRAM_BOT_TOKEN", "Telegram bot token (from @BotFather)", self._telegram,
            skip="no Telegram bot",
        )  # fmt: skip
        discord = self.secret(
            "DISCORD_BOT_TOKEN", "Discord bot token (developer portal → Bot → Reset Token)",
            self._discord, skip="no Discord bot",
        )  # fmt: skip
        if telegram is None and discord is None:
            return  # the command line alone: it is neither limited nor shared
        self.who(telegram, discord)
        self._served(telegram, discord)
        self.budget()

    # The key and the tokens

    def mimo_key(self) -> None:
        self.secret(
            "MIMO_API_KEY", "MiMo API key (sk-... or tp-..., from the MiMo console's API Keys "
            "page)", self._mimo, skip="no key yet", first=self._region,
        )  # fmt: skip

    def secret(
        self,
        name: str,
        question: str,
        check: Checking,
        *,
        skip: str,
        first: Callable[[str], None] | None = None,
    ) -> str | None:
        """The value `name` will have: typed (and checked, after `first` asked what the check
        needs), kept with Enter, or None (skipped, or removed with `-`)."""
        current = self.before.get(name) or None
        hint = f"{masked(current)}; Enter keeps it, - removes it" if current else f"Enter: {skip}"
        while True:
            typed = ask(f"{question} [{hint}]", hidden=True)
            if typed == "-" and current:
                self.changes[name] = None
                return None
            value = typed or current
            if value is None:
                return None
            if first is not None:
                first(value)
            if self._checked(value, check, kept=not typed):
                if typed:
                    self.changes[name] = typed
                return value

    def _checked(self, value: str, check: Checking, *, kept: bool) -> bool:
        """Whether to take `value`: its check passed, or it is kept as it was, or the user keeps
        it anyway (the network may be down while the key is right)."""
        from core.infra.log_redaction import Redactor

        try:
            found = in_a_loop(check(value))
        except errors.ConfigError as exc:  # malformed: no use keeping it
            click.echo(f"  ✗ {exc}")
            return kept
        for line in found:
            click.echo(f"  {Redactor([value]).redact(line.line)}")
        return found[0].ok or kept or _keep_anyway()

    async def _mimo(self, key: str) -> list[Check]:
        if not MIMO_KEY.match(key):  # a word typed or pasted in the wrong place: ask again
            raise errors.ConfigError(
                "MIMO_API_KEY does not look like a MiMo API key (sk-..., or tp-... for a Token "
                "Plan, as the MiMo console shows it); paste the whole key"
            )
        return await check_mimo(self._with(mimo_api_key=key), models=False)

    async def _telegram(self, token: str) -> list[Check]:
        given = self._with(telegram_bot_token=token)
        token = _well_formed(given.telegram_token(), "TELEGRAM_BOT_TOKEN")
        return await check_telegram(given, token)

    async def _discord(self, token: str) -> list[Check]:
        given = self._with(discord_bot_token=token)
        token = _well_formed(given.discord_token(), "DISCORD_BOT_TOKEN")
        return await check_discord(given, token)

    def _region(self, key: str) -> None:
        """A Token Plan key works only at its region's host: asked for when no MIMO_BASE_URL is
        set (in the file or the environment), again with each key typed (a region chosen wrong
        is what made MiMo refuse the last one)."""
        if MIMO_KEY.match(key) and key.startswith("tp-") and not self._base_url_given:
            self.changes["MIMO_BASE_URL"] = _region_url()

    def _with(self, **secrets: str) -> Settings:
        """The settings with `secrets` in place (and MIMO_BASE_URL as answered)."""
        from pydantic import SecretStr

        update: dict[str, object] = {name: SecretStr(v) for name, v in secrets.items()}
        if self.now("MIMO_BASE_URL") is not None:
            update["mimo_base_url"] = self.now("MIMO_BASE_URL")
        self.settings = self.settings.model_copy(update=update)
        return self.settings

    # Who may use the bot

    def who(self, telegram: str | None, discord: str | None) -> None:
        users, chats = self.now("ALLOWED_USERS"), self.now("ALLOWED_CHATS")
        click.echo(f"The bot serves whom ALLOWED_USERS names (whoever uses it spends your "
                   f"MiMo balance), or everyone: type {EVERYONE} at the next question for "
                   "that.")  # fmt: skip
        if users or chats:
            now = users or f"no one but the chats of ALLOWED_CHATS ({chats})"
            self._who_answered(f"Who may use it [{now}; Enter keeps it]", keep=True)
            return
        try:
            owners = self._owners(telegram, discord)
        except _Everyone:
            self._everyone()
            return
        listed = ", ".join(f"{p.entry} ({p.name})" if p.name else p.entry for p in owners)
        if not owners:  # where each id is to be found
            click.echo(f"  Your Telegram id: {FIND_YOUR_ID}; your Discord id: {FIND_DISCORD_ID}.")
        question = (
            f"Who may use it [Enter: {listed}; or ids, comma-separated; or everyone]"
            if owners
            else "Who may use it [ids, comma-separated (telegram:ID, discord:ID); or everyone]"
        )
        self._who_answered(question, keep=False, owners=owners)

    def _who_answered(self, question: str, *, keep: bool, owners: Sequence[Person] = ()) -> None:
        from core.domain.rules.quotas_rules import parse_ids

        while True:
            answer = ask(question)
            if not answer and keep:
                return
            if not answer and owners:
                self.changes["ALLOWED_USERS"] = ", ".join(p.entry for p in owners)
                return
            if answer.lower() == EVERYONE:
                self._everyone()
                return
            if not answer:
                click.echo(f"  Name at least one id, or type {EVERYONE}: an open bot serves "
                           "anyone who finds it.")  # fmt: skip
                continue
            try:
                entries = parse_ids(answer)
            except ValueError as exc:
                click.echo(f"  ✗ {exc}")
                continue
            nobody = [entry for entry in entries if entry.rpartition(":")[2].lstrip("-") == "0"]
            if nobody:
                click.echo(f"  ✗ {nobody[0]}: 0 is no one's id.")
                continue
            self.changes["ALLOWED_USERS"] = ", ".join(entries)
            return

    def _served(self, telegram: str | None, discord: str | None) -> None:
        """A line for each platform whose bot nobody on the allowlist may use: that bot would
        answer no one, which is seldom what was meant."""
        users = self.now("ALLOWED_USERS")
        chats = self.now("ALLOWED_CHATS")
        if users is None and chats is None:
            return  # everyone
        entries = [e.strip() for e in f"{users or ''},{chats or ''}".split(",") if e.strip()]
        for platform, token in (("telegram", telegram), ("discord", discord)):
            if token is not None and not any(e.partition(":")[0] in (platform, e) for e in entries):
                click.echo(f"  ! Nobody on {platform.title()} may use the bot: its "
                           f"{platform.title()} bot will answer no one until ALLOWED_USERS names "
                           f"{platform}:ID (voicebridge init again, or the file).")  # fmt: skip

    def _everyone(self) -> None:
        self.changes["ALLOWED_USERS"] = self.changes["ALLOWED_CHATS"] = None
        click.echo("  Everyone may use the bot: anyone who finds it spends your balance.")

    def _owners(self, telegram: str | None, discord: str | None) -> list[Person]:
        """The people the tokens say own the bots: the Discord application's owner, and on
        Telegram (which tells a bot nothing of its owner) whoever writes to the bot now."""
        found: list[Person] = []
        if telegram is not None:
            found += self._telegram_owner(telegram)
        if discord is not None:
            owner = in_a_loop(discord_owner(self.settings, discord))
            if owner is not None:
                click.echo(f"  The Discord application's owner: {owner.name} ({owner.entry}).")
                found.append(owner)
            else:  # left out without a word, the Discord bot would serve nobody
                found += self._discord_owner_typed()
        return found

    def _discord_owner_typed(self) -> list[Person]:
        """Who owns the Discord bot, when Discord did not say (out of reach, the token
        refused): their id typed; `_Everyone` when everyone is typed."""
        click.echo("  Discord did not say who owns the bot's application, so type your Discord "
                   f"user id: {FIND_DISCORD_ID}.")  # fmt: skip
        while True:
            typed = ask(f"Your Discord user id (- for none; {EVERYONE} to open the bot to all)")
            if typed == "-":
                return []
            if typed.lower() == EVERYONE:
                raise _Everyone
            if typed.isdigit() and 15 <= len(typed) <= 20 and int(typed) > 0:
                return [Person("discord", int(typed), "")]
            click.echo(f"  ✗ a Discord user id is a number of 17 to 20 digits: {FIND_DISCORD_ID}.")

    def _telegram_owner(self, token: str) -> list[Person]:
        """Who owns the Telegram bot: read from a message they send it, or their id typed;
        `_Everyone` when everyone is typed. Once the bot's messages cannot be read (the
        network, a webhook), Enter no longer tries again: only an id is asked for."""
        looking = True
        while True:
            if looking:
                typed = ask("Your Telegram account: send your bot any message from it, then "
                            "press Enter (or type your Telegram user id; - for none; "
                            f"{EVERYONE} to open the bot to all)")  # fmt: skip
            else:
                typed = ask(
                    f"Your Telegram user id (- for none; {EVERYONE} to open the bot to all)"
                )
            if typed == "-":
                return []
            if typed.lower() == EVERYONE:
                raise _Everyone
            if typed:
                user_id = _user_id(typed)
                if user_id is not None:
                    return [Person("telegram", user_id, "")]
                click.echo(f"  ✗ a Telegram user id is {FIND_YOUR_ID}.")
                continue
            if not looking:  # Enter would look again, and fail again: say what to type
                click.echo(f"  ✗ Nothing typed: Enter no longer looks for your message, the "
                           f"bot's messages being out of reach; type your Telegram user id "
                           f"({FIND_YOUR_ID}), - for none, or {EVERYONE}.")  # fmt: skip
                continue
            try:
                senders = in_a_loop(telegram_senders(self.settings, token))
            except NoSenders as exc:
                click.echo(f"  ✗ the bot's messages cannot be read ({exc}), so type your "
                           f"Telegram user id instead: {FIND_YOUR_ID}.")  # fmt: skip
                looking = False
                continue
            if len(senders) == 1:
                click.echo(f"  Found {senders[0].name} ({senders[0].entry}).")
                return senders
            if not senders:
                click.echo("  No message yet: send one to the bot, then press Enter again.")
                continue
            named = ", ".join(f"{p.name} ({p.user_id})" for p in senders)
            click.echo(f"  Several people wrote to the bot: {named}; type your id.")

    # The daily budget

    def budget(self) -> None:
        click.echo("A daily budget caps what the whole bot uses in a UTC day, every chat "
                   "together (0: no budget).")  # fmt: skip
        self._amount("DAILY_BUDGET_AUDIO_SECONDS", "Minutes of audio it may transcribe a day",
                     per=60, offered=BUDGET_MINUTES)  # fmt: skip
        self._amount("DAILY_BUDGET_TTS_CHARS", "Characters it may speak a day", per=1,
                     offered=BUDGET_CHARS)  # fmt: skip

    def _amount(self, name: str, question: str, *, per: int, offered: int) -> None:
        current = self.before.get(name)
        shown = f"Enter keeps {_in_units(current, per)}" if current else f"Enter: {offered}"
        while True:
            answer = ask(f"{question} [{shown}]").replace(",", "")
            if not answer:
                if not current:
                    self.changes[name] = str(offered * per)
                return
            try:
                amount = float(answer)
            except ValueError:
                amount = -1.0
            if amount < 0:
                click.echo("  ✗ a number, 0 or more.")
                continue
            self.changes[name] = str(round(amount * per))
            return


def _user_id(typed: str) -> int | None:
    """A Telegram user id typed: a whole number above 0 (a group's id is below 0)."""
    return int(typed) if typed.isdigit() and int(typed) > 0 else None


def _keep_anyway() -> bool:
    """Whether to keep a key or token whose check failed (the network may be down while it is
    right): asked on a terminal; with the answers piped in, kept, and said so, since a question
    would take the next line, meant for the next question."""
    if on_terminal():
        return confirm("Keep it anyway?")
    click.echo("  Kept all the same (the answers come from a pipe, so nothing is asked): "
               "voicebridge doctor checks it again.")  # fmt: skip
    return True


def _in_units(value: str, per: int) -> str:
    try:
        amount = int(value) / per
    except ValueError:
        return value
    return f"{amount:g}"


def _region_url() -> str:
    """The Token Plan host, by its region (the console's Token Plan page shows its Base URL,
    https://token-plan-REGION.xiaomimimo.com/v1, which may be pasted whole instead)."""
    regions = ", ".join(REGIONS)
    while True:
        region = ask(
            "Token Plan keys work only at their region's host, which the Base URL on the MiMo "
            f"console's Token Plan page names (token-plan-REGION.xiaomimimo.com): which region "
            f"({regions}; or paste that URL) [Enter: {REGIONS[0]}]"
        )
        region = region.rstrip("/") or REGIONS[0]
        if region.lower() in REGIONS:
            return f"https://token-plan-{region.lower()}.xiaomimimo.com/v1"
        if re.match(r"^https?://[\w.-]+(:\d+)?(/\S*)?$", region):
            return region
        click.echo(f"  ✗ one of {regions}, or the Base URL itself (https://...).")


def _well_formed(token: str | None, name: str) -> str:
    """The token as the settings read it; ConfigError (asked again) when it is malformed or a
    placeholder, which the settings take for no token at all."""
    if token is None:
        raise errors.ConfigError(f"{name} looks like a placeholder; paste the real one")
    return token
