"""One builder: the core's services are built in the composition root (`core/bootstrap/`)
alone, and handed ready to whoever uses them: a platform hands in its own ports (Discord's voice
channels and its side of a call, `Runtime.calls_for`) and gets its services back; the command
line builds through it too (`standalone`, `storage`, `memory_alone`).

A service is a class of `core/app` with an `__init__` of its own; a value (a dataclass, a named
tuple, an exception, a protocol, an enum) is built wherever it is needed, as an adapter parses an
event into one. A thing with a life of its own (one call's seat, one reading, one call's
interpreting, one import, what one job costs) is built by the service that runs it,
each in the one module named below; so is a part built with its owner's own callback.

Read from the source, not run: every call of a service class, by its name, an alias, or through
its module (`m.Listening(...)`), in `bots/` and `core/`; tests and benchmarks build what they
need."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSITION_ROOT = "core/bootstrap/"  # the package: each of its modules builds
SCANNED = ("bots", "core")

# Built by the one module that runs them: (module, class) -> that module's path.
BUILT_BY_THEIR_SERVICE = {
    ("core.app.voice_calls.seats", "CallSeat"): "core/app/voice_calls/seats.py",  # a seat
    ("core.app.voice_calls.seats", "CallSeats"): "core/app/voice_calls/seats.py",  # ...and all
    (
        "core.app.interpreter.interpreting",
        "CallInterpreter",
    ): "core/app/interpreter/interpreting.py",
    # One call's interpretations in a queue, and their clips made, built by its interpreter.
    ("core.app.interpreter.interpretation_queue", "InterpretationQueue"): (
        "core/app/interpreter/interpreting.py"
    ),
    ("core.app.interpreter.interpretation_clips", "InterpretationClips"): (
        "core/app/interpreter/interpreting.py"
    ),
    (
        "core.app.channel_reader.reading_session",
        "Reading",
    ): "core/app/channel_reader/reading_control.py",  # one reading
    # One reading's speech, its clip made ahead and its clip playing...
    (
        "core.app.channel_reader.message_speech",
        "ReadingSpeech",
    ): "core/app/channel_reader/reading_session.py",
    (
        "core.app.channel_reader.reading_clips",
        "MadeAhead",
    ): "core/app/channel_reader/reading_session.py",
    (
        "core.app.channel_reader.reading_clips",
        "Playing",
    ): "core/app/channel_reader/reading_session.py",
    # ...and the own voices taken back while it plays.
    (
        "core.app.channel_reader.reading_clips",
        "VoicesTakenBack",
    ): "core/app/channel_reader/reading_clips.py",
    ("core.app.memory.import_run", "ImportRun"): "core/app/memory/importer.py",  # one import
    ("core.app.rules.job_spending", "Spend"): "core/app/rules/limits.py",  # one job's
    # One text's speech as it is made, read from MiMo while it plays (`streamed_in_voice`).
    ("core.app.voices.streamed_speech", "SpeechFeed"): "core/app/voices/text_to_speech.py",
    # The server's consents, which the call being listened to follows (`Listening.consents`).
    (
        "core.app.listening.listening_consents",
        "ListeningConsents",
    ): "core/app/listening/live_transcription.py",
    (
        "core.app.listening.call_turns",
        "CallLines",
    ): "core/app/listening/listened_call.py",  # one call's lines
    # One call's parts translated from their sound, for its interpreter (DISCORD_INTERPRET_FROM).
    ("core.app.interpreter.audio_interpretation", "TranslationsFromAudio"): (
        "core/app/interpreter/interpreting.py"
    ),
    # ...and the turns' sound they are translated from (`TurnSounds`).
    (
        "core.app.interpreter.held_sound",
        "TurnSounds",
    ): "core/app/interpreter/audio_interpretation.py",
}

VALUE_BASES = {"Exception", "Protocol", "NamedTuple", "Enum", "StrEnum", "IntEnum", "TypedDict"}

Service = tuple[str, str]  # its module, its name


def module_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def service_classes(source: str, module: str) -> set[Service]:
    """The services a module of `core/app` defines (see the module docstring)."""
    found = set()
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
            continue
        bases = {ast.unparse(base).split("[")[0].split(".")[-1] for base in node.bases}
        own_init = any(
            isinstance(item, ast.FunctionDef) and item.name == "__init__" for item in node.body
        )
        valued = any("dataclass" in ast.unparse(d) for d in node.decorator_list)
        if own_init and not valued and not bases & VALUE_BASES:
            found.add((module, node.name))
    return found


def all_services() -> set[Service]:
    services: set[Service] = set()
    for path in sorted((ROOT / "core" / "app").rglob("*.py")):
        services |= service_classes(path.read_text(), module_of(path))
    return services


def constructed(source: str, module: str, services: set[Service]) -> list[tuple[int, Service]]:
    """The services `source` (the module `module`) calls, as (line, service): by a name
    imported from its module (aliased or not), through its module imported, or defined in
    `module` itself."""
    tree = ast.parse(source)
    by_name: dict[str, Service] = {}  # a local name -> the class it is
    modules: dict[str, str] = {}  # a local name -> the module it is
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                by_name[alias.asname or alias.name] = (node.module, alias.name)
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):  # unaliased, a module is called by its full name
            modules.update({alias.asname: alias.name for alias in node.names if alias.asname})
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            by_name.setdefault(node.name, (module, node.name))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called: Service | None = None
        if isinstance(node.func, ast.Name):
            called = by_name.get(node.func.id)
        elif isinstance(node.func, ast.Attribute):
            owner = ast.unparse(node.func.value)
            called = (modules.get(owner) or owner, node.func.attr)
        if called in services:
            found.append((node.lineno, called))
    return sorted(found)


def test_only_the_composition_root_builds_a_core_service() -> None:
    services = all_services()
    assert ("core.app.listening.live_transcription", "Listening") in services  # the scan sees them
    built_elsewhere = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            if where.startswith(COMPOSITION_ROOT):
                continue
            for line, service in constructed(path.read_text(), module_of(path), services):
                if BUILT_BY_THEIR_SERVICE.get(service) != where:
                    built_elsewhere.append(f"{where}:{line} builds {'.'.join(service)}")
    assert not built_elsewhere, (
        f"core services are built in core/bootstrap/ alone; hand them in ready: {built_elsewhere}"
    )


def test_each_thing_built_by_its_service_is_still_a_service_built_there() -> None:
    """The exceptions name what is there: a class renamed, moved, or no longer built there is
    taken off the list, not left to excuse another."""
    services = all_services()
    for service, where in BUILT_BY_THEIR_SERVICE.items():
        assert service in services, service
        path = ROOT / where
        built = {called for _, called in constructed(path.read_text(), module_of(path), services)}
        assert service in built, (service, where)


def test_the_check_finds_a_service_built_in_any_form() -> None:
    services = service_classes(
        "from dataclasses import dataclass\n"
        "class MemorySearch:\n"
        "    def __init__(self, reads): ...\n"
        "@dataclass(frozen=True)\n"
        "class Recalled:\n"
        "    text: str\n"
        "class NoLongerWanted(Exception):\n"
        "    def __init__(self, why): ...\n"
        "class _Running:\n"
        "    def __init__(self): ...\n",
        "core.app.memory.chat_search",
    )
    assert services == {("core.app.memory.chat_search", "MemorySearch")}
    source = (
        "from core.app.memory.chat_search import MemorySearch, Recalled\n"
        "from core.app.memory.chat_search import MemorySearch as Found\n"
        "import core.app.memory.chat_search\n"
        "import core.app.memory.chat_search as search\n"
        "from core.app.memory import chat_search as searching\n"
        "Recalled('a value')\n"
        "MemorySearch(reads=None)\n"
        "def late():\n"
        "    return Found(reads=None)\n"
        "search.MemorySearch(reads=None)\n"
        "core.app.memory.chat_search.MemorySearch(reads=None)\n"
        "searching.MemorySearch(reads=None)\n"
        "other.MemorySearch(reads=None)\n"
    )
    assert [line for line, _ in constructed(source, "bots.cli.memory.find_command", services)] == [
        7, 9, 10, 11, 12,
    ]  # fmt: skip


def test_an_import_builds_its_own_runtime_once_and_none_of_the_bots() -> None:
    """`voicebridge import` plans, asks and runs on one runtime, `importing`, built once (and
    MiMo tried before the question in its minute, `mimo_alone`); it built the bots' whole
    runtime, calls and reader included, once to plan and again to run."""
    tree = ast.parse((ROOT / "bots/cli/memory/import_command.py").read_text())
    builders = {"bootstrap", "importing", "mimo_alone", "standalone", "storage"}
    called = sorted(
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (name := getattr(node.func, "id", getattr(node.func, "attr", ""))) in builders
    )

    assert called == ["importing", "mimo_alone"]
