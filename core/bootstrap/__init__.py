"""The composition root: settings in, every adapter built and handed to the use cases that need
it, a ready runtime out. Only here are the core's services built (`tests/unit/test_one_builder.py`
holds it); a platform hands in its own ports and gets its services back ready. Tests call it with
their own settings (pointing at loopback stand-ins) and get exactly what production gets.

    runtime.py       `bootstrap`: the bots' runtime, the database (migrated), MiMo, audio and
                     every use case; `Runtime.calls_for`: a platform's voice calls, on its
                     voice channels
    services.py      the bots' own services, one builder each, on the parts they share
    cases.py         the use cases the bots and the command line share (`use_cases`,
                     `mimo_use_cases`)
    database.py      `storage`: the database and what works on it alone (`voicebridge db
                     purge`, `usage`); `memory_alone`: `voicebridge find`'s /find, without MiMo
    command_line.py  `standalone`: the command line's, MiMo and audio without a database;
                     `mimo_alone`: `voicebridge doctor`'s
    importing.py     `importing`: `voicebridge import`'s, the importer on the database, MiMo
                     and ffmpeg, and nothing of the bots'

Each part as the settings describe it (limits, the MiMo client, ffmpeg, the database) is built
in `core.from_settings`. Callers import what they need from `core.bootstrap` itself.
"""

from core.bootstrap.cases import UseCases, mimo_use_cases, shared, use_cases
from core.bootstrap.command_line import Standalone, mimo_alone, standalone
from core.bootstrap.database import Storage, memory_alone, storage
from core.bootstrap.importing import Importing, importing
from core.bootstrap.runtime import Runtime, VoiceServices, bootstrap

__all__ = [
    "Importing",
    "Runtime",
    "Standalone",
    "Storage",
    "UseCases",
    "VoiceServices",
    "bootstrap",
    "importing",
    "memory_alone",
    "mimo_alone",
    "mimo_use_cases",
    "shared",
    "standalone",
    "storage",
    "use_cases",
]
