"""A call's DAVE group as Discord's voice gateway runs it (daveprotocol.com; discord-api-docs,
topics/voice-connections, "End-to-End Encryption"): the gateway is the MLS group's external
sender, the members (the bot, and the other members' clients, `tests.standins.voice_members`)
run MLS themselves, each with a real davey session.

- A new call (nobody in a group yet): every pending member is proposed to the others (opcode
  27) and the first commit wins; the bot's, since the members here wait for it. The welcome it
  carries brings the others in; the commit goes back to the bot (29, a transition).
- Members already in a group when the bot joins (`seated` before it connected): the first of
  them formed it; when the bot's key package comes (26), the gateway proposes adding it to them,
  one commits, and the bot gets the welcome (30, a transition).
- A member joining or leaving later: CLIENTS_CONNECT (11) or CLIENT_DISCONNECT (13), then an
  Add or Remove proposal to every member of the group, the bot included (27); the first commit
  wins (the bot's or a member's, as the test says) and is announced to the bot (29); a commit
  that comes later for the same epoch is dropped, as Discord drops it (`late_commits`).
- Each change is a transition: the bot answers TRANSITION READY (23) once it processed the
  commit or welcome, and the gateway then sends EXECUTE TRANSITION (22). Members switch to the
  new epoch's keys only then, as clients do: davey switches a session's sending key the moment
  it processes a commit, so a member that speaks takes the commit in at the execution, while
  the listener (who only decrypts the bot) takes it at once, as every receiver does. The bot's
  old keys stay valid for a while after (davey keeps them ten seconds), so nothing sent in
  between is lost.

One change at a time, and none before the bot is in the group; a bot that does not answer
within `TIMEOUT` is a fault of the call.
"""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

import davey

from tests.standins.mls import CommitWelcome, ExternalSender, vector
from tests.standins.voice_members import CallMember

BOT: Literal["bot"] = "bot"
Committer = CallMember | Literal["bot"]
TIMEOUT = 10.0

CLIENTS_CONNECT, CLIENT_DISCONNECT = 11, 13
EXECUTE_TRANSITION = 22
MLS_EXTERNAL_SENDER, MLS_PROPOSALS = 25, 27
MLS_ANNOUNCE_COMMIT, MLS_WELCOME = 29, 30
APPEND = davey.ProposalsOperationType.append

SendJson = Callable[[int, dict[str, Any]], Awaitable[None]]
SendBinary = Callable[[int, bytes], Awaitable[None]]


class Group:
    def __init__(
        self,
        *,
        channel_id: int,
        members: Sequence[CallMember],
        send_json: SendJson,
        send_binary: SendBinary,
        faults: list[str],
    ) -> None:
        self.sender = ExternalSender()
        self.group_id = channel_id.to_bytes(8, "big")
        self.members = list(members)  # every member's client in the call, the bot aside
        self._json, self._binary, self.faults = send_json, send_binary, faults
        self.transition = 0  # the last announced
        self.executions = 0  # transitions executed
        self.executed_at = 0.0  # when the last one was (monotonic)
        self.late_commits = 0  # the bot's commits for an epoch another commit had already won
        self._lock = asyncio.Lock()
        self._bot_in_group = asyncio.Event()  # later changes wait for the bot's first transition
        self._held: asyncio.Event | None = None
        self._bots_commit: tuple[int, asyncio.Future[CommitWelcome]] | None = None
        self._ready: asyncio.Future[None] | None = None
        for member in self.members:
            member.join_session(self.sender.package)
        self._form_among(self.members)

    @property
    def executed(self) -> bool:
        """A transition executed: the bot's frames are end-to-end encrypted from here on."""
        return self.executions > 0

    @property
    def listener(self) -> davey.DaveSession:
        session = next(m for m in self.members if m.listens_only).session
        assert session is not None
        return session

    @property
    def epoch(self) -> int:
        return self.listener.epoch or 0

    # -- what the bot sends -------------------------------------------------------------------

    async def greet(self) -> None:
        """After SESSION DESCRIPTION: the external sender, and who is in the call."""
        await self._binary(MLS_EXTERNAL_SENDER, self.sender.package)
        ids = [str(member.user_id) for member in self.members]
        await self._json(CLIENTS_CONNECT, {"user_ids": ids})

    async def bot_key_package(self, package: bytes) -> None:
        """Opcode 26: the bot is a pending member; bring it into the call's group."""
        async with self._lock:
            if any(member.in_group for member in self.members):
                await self._welcome_bot(package)
            else:
                await self._new_group()

    def bot_commit(self, split: CommitWelcome) -> None:
        """Opcode 28: the bot's commit (and welcome), kept if it is the first for its epoch."""
        waiting = self._bots_commit
        if waiting is not None and waiting[0] == split.epoch and not waiting[1].done():
            waiting[1].set_result(split)
        else:
            self.late_commits += 1

    def bot_ready(self, transition_id: Any) -> bool:
        """Opcode 23; False for a transition never announced."""
        if transition_id != self.transition:
            return False
        if self._ready is not None and not self._ready.done():
            self._ready.set_result(None)
        return True

    # -- members joining and leaving ----------------------------------------------------------

    async def add(self, member: CallMember, *, committer: Committer) -> None:
        await self._bot_in_group.wait()
        async with self._lock:
            member.join_session(self.sender.package)
            self.members.append(member)
            await self._json(CLIENTS_CONNECT, {"user_ids": [str(member.user_id)]})
            assert member.session is not None
            package = member.session.get_serialized_key_package()
            proposal = self.sender.add_proposal(self.group_id, self.epoch, package)
            await self._change(proposal, committer=committer, joining=[member])

    async def remove(self, member: CallMember, *, committer: Committer) -> None:
        await self._bot_in_group.wait()
        async with self._lock:
            member.left = True
            self.members.remove(member)
            await self._json(CLIENT_DISCONNECT, {"user_id": str(member.user_id)})
            assert member.session is not None and member.session.own_leaf_index is not None
            leaf = member.session.own_leaf_index
            proposal = self.sender.remove_proposal(self.group_id, self.epoch, leaf)
            await self._change(proposal, committer=committer, joining=[])

    # -- the flows ----------------------------------------------------------------------------

    def _form_among(self, members: Sequence[CallMember]) -> None:
        """Members who were in the call before the bot: the first made the group with the rest
        (in their own clients: nothing of it reaches the bot)."""
        speaking = [m for m in members if not m.listens_only]
        if not speaking:
            return  # the bot makes the group with the listener when it comes
        first, others = speaking[0], [m for m in members if m is not speaking[0]]
        assert first.session is not None
        packages = b"".join(
            self.sender.add_proposal(self.group_id, 0, m.session.get_serialized_key_package())
            for m in others
            if m.session is not None
        )
        made = first.session.process_proposals(APPEND, vector(packages))
        assert made is not None and made.welcome is not None
        first.session.process_commit(made.commit)
        for member in others:
            assert member.session is not None
            member.session.process_welcome(made.welcome)
        for member in members:
            member.in_group = True

    async def _new_group(self) -> None:
        """Nobody in a group yet: the bot commits the others' Add proposals, making it."""
        proposals = b"".join(
            self.sender.add_proposal(self.group_id, 0, m.session.get_serialized_key_package())
            for m in self.members
            if m.session is not None
        )
        await self._binary(MLS_PROPOSALS, b"\x00" + vector(proposals))
        made = await self._commit_of_the_bot(epoch=0)
        if made is None:
            return
        if made.welcome is None:
            self.faults.append("the bot's commit adding members came without their welcome")
            return
        await self._announce(MLS_ANNOUNCE_COMMIT, made.commit)
        for member in self.members:
            assert member.session is not None
            member.session.process_welcome(made.welcome)
        await self._execute(applying=[], commit=made.commit, joining=self.members)

    async def _welcome_bot(self, package: bytes) -> None:
        """A group exists: its first member commits the bot's Add; the bot gets the welcome."""
        in_group = [m for m in self.members if m.in_group]
        proposal = self.sender.add_proposal(self.group_id, self.epoch, package)
        commits = self._propose_to(in_group, proposal)
        made = commits[in_group[0]]
        assert made.welcome is not None
        await self._announce(MLS_WELCOME, made.welcome)
        await self._apply(in_group, made.commit, listeners_only=True)
        await self._execute(applying=in_group, commit=made.commit, joining=[])

    async def _change(
        self, proposal: bytes, *, committer: Committer, joining: list[CallMember]
    ) -> None:
        in_group = [m for m in self.members if m.in_group and m not in joining]
        await self._binary(MLS_PROPOSALS, b"\x00" + vector(proposal))
        commits = self._propose_to(in_group, proposal)
        if committer == BOT:
            made = await self._commit_of_the_bot(epoch=self.epoch)
        else:
            made = commits[committer]
        if made is None:
            return
        for member in joining:  # opcode 30 to them, as opcode 29 goes to the others
            assert member.session is not None and made.welcome is not None
            member.session.process_welcome(made.welcome)
        await self._announce(MLS_ANNOUNCE_COMMIT, made.commit)
        await self._apply(in_group, made.commit, listeners_only=True)
        await self._execute(applying=in_group, commit=made.commit, joining=joining)

    def _propose_to(
        self, members: Sequence[CallMember], proposal: bytes
    ) -> dict[CallMember, CommitWelcome]:
        """Every member of the group takes in the proposal; what each would commit."""
        commits: dict[CallMember, CommitWelcome] = {}
        for member in members:
            assert member.session is not None
            made = member.session.process_proposals(APPEND, vector(proposal))
            if made is not None:
                commits[member] = CommitWelcome(made.commit, self.epoch, made.welcome)
        return commits

    async def _commit_of_the_bot(self, *, epoch: int) -> CommitWelcome | None:
        future: asyncio.Future[CommitWelcome] = asyncio.get_running_loop().create_future()
        self._bots_commit = (epoch, future)
        try:
            return await asyncio.wait_for(future, TIMEOUT)
        except TimeoutError:
            self.faults.append(f"the bot sent no commit for epoch {epoch}")
            return None
        finally:
            self._bots_commit = None

    def hold_announcements(self, until: asyncio.Event | None = None) -> asyncio.Event:
        """Keep the next commits and welcomes from the bot until the event (`until`, or a new
        one) is set: a bot whose websocket lags behind its UDP, while members move to the new
        keys."""
        self._held = until or asyncio.Event()
        return self._held

    async def _announce(self, op: int, message: bytes) -> None:
        if self._held is not None:
            await self._held.wait()
        self.transition += 1
        self._ready = asyncio.get_running_loop().create_future()
        await self._binary(op, struct.pack(">H", self.transition) + message)

    async def _apply(
        self, members: Sequence[CallMember], commit: bytes, *, listeners_only: bool
    ) -> None:
        for member in members:
            if member.listens_only == listeners_only and member.session is not None:
                member.session.process_commit(commit)

    async def _execute(
        self, *, applying: Sequence[CallMember], commit: bytes, joining: Sequence[CallMember]
    ) -> None:
        """Once the bot is ready (or the wait is over): the members that speak move to the new
        epoch, and the transition executes."""
        assert self._ready is not None
        try:
            await asyncio.wait_for(self._ready, TIMEOUT)
        except TimeoutError:
            self.faults.append(f"the bot was not ready for transition {self.transition}")
        await self._apply(applying, commit, listeners_only=False)
        for member in joining:
            member.in_group = True
        await self._json(EXECUTE_TRANSITION, {"transition_id": self.transition})
        self.executions += 1
        self.executed_at = time.monotonic()
        self._bot_in_group.set()
