"""A listened call's life (`ListenedCall`): each change of its state made by its own methods and
logged once, at INFO, with why where it ends; a second way that asks for its end is noted, not
logged as a change again; and nobody else writes its fields, nor those of its consents
(`CallConsents`)."""

from __future__ import annotations

import ast
import dataclasses
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.app.listening.call_consents import CallConsents
from core.app.listening.listened_call import CallState, ListenedCall
from core.domain.memory.write_mandates import Mandate
from core.domain.rules.quotas_rules import asked_by
from core.domain.shared_values import ChatRef
from tests.fakes import KeptLines

SERVER = ChatRef("discord", "guild:1")
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def changes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "core.app.listening.listened_call" and record.levelno == logging.INFO
    ]


async def test_each_change_of_a_calls_state_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="core.app.listening.listened_call")
    call = ListenedCall(SERVER, set(), T0, "ann", asked_by("ann"))
    call.begin({"ann"}, Mandate(SERVER), language="en", present=["ann", "bob"], now=T0)
    call.joined()
    call.joined()  # live already: no change
    assert call.goes(CallState.ENDING, "stopped by a command")
    assert not call.goes(CallState.ADJOURNING, "the bot is stopping")  # noted, not taken
    assert call.closing()
    await call.close(KeptLines(), at=T0, whole=True)  # type: ignore[arg-type]

    assert changes(caplog) == [
        f"the call in {SERVER} is starting",
        f"the call in {SERVER} is live (was starting)",
        f"the call in {SERVER} is ending (was live): stopped by a command",
        f"the call in {SERVER} is closing (was ending)",
        f"the call in {SERVER} is gone (was closing)",
    ]
    assert call.state is CallState.GONE
    assert call.why_ended == ["stopped by a command", "the bot is stopping"]
    assert call.whole.is_set()


def test_no_module_but_the_call_itself_writes_a_calls_fields() -> None:
    """Whoever holds a listened call (the lifecycle, the listening, the consents, what a piece
    is heard by, the Discord side) asks its methods to change it: no assignment to one of its
    fields through a name that holds a call (`call`, `listened`, `self._call`...), anywhere in
    `core/` or `bots/` but `listened_call.py`; nor to one of its consents' fields through
    theirs (`call.consents.told[member] = ...`, the call's own `self.consents` included) but in
    `call_consents.py`."""
    call_fields = {each.name for each in dataclasses.fields(ListenedCall)}
    consents_fields = {each.name for each in dataclasses.fields(CallConsents)}
    root = Path(__file__).resolve().parents[2]
    written = []
    for top in ("core", "bots"):
        for path in sorted((root / top).rglob("*.py")):
            in_calls = path.parent.name == "listening"
            of_the_call = in_calls and path.name == "listened_call.py"
            of_the_consents = in_calls and path.name == "call_consents.py"
            for node in ast.walk(ast.parse(path.read_text())):
                targets: list[ast.expr] = []
                if isinstance(node, ast.Assign):
                    targets = [t for each in node.targets for t in _unpacked(each)]
                elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                    targets = [node.target]
                for target in targets:
                    if (not of_the_call and _a_calls_field(target, call_fields)) or (
                        not of_the_consents and _a_consents_field(target, consents_fields)
                    ):
                        where = path.relative_to(root).as_posix()
                        written.append(f"{where}:{node.lineno} {ast.unparse(target)}")
    assert written == []


def _unpacked(target: ast.expr) -> list[ast.expr]:
    if isinstance(target, ast.Tuple | ast.List):
        return [each for element in target.elts for each in _unpacked(element)]
    return [target]


def _a_calls_field(target: ast.expr, fields: set[str]) -> bool:
    """Whether `target` is a call's field, or an item of one (`call.why_ended[0] = ...`)."""
    holder = _holder(target, fields)
    return holder is not None and (holder in {"call", "listened"} or holder.endswith("_call"))


def _a_consents_field(target: ast.expr, fields: set[str]) -> bool:
    """Whether `target` is a field of a call's consents, or an item of one
    (`call.consents.told[member] = ...`)."""
    return _holder(target, fields) == "consents"


def _holder(target: ast.expr, fields: set[str]) -> str | None:
    """The last name before the field `target` writes (`call` in `self._call.state`), without
    its leading underscores; None where `target` writes none of `fields`."""
    while isinstance(target, ast.Subscript):
        target = target.value
    if not isinstance(target, ast.Attribute) or target.attr not in fields:
        return None
    return ast.unparse(target.value).split(".")[-1].lstrip("_")
