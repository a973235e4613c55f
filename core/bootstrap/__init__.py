"""The composition root: settings in, every adapter built and handed to the use cases that need
it, a ready runtime out. Only here are the core's services built (`tests/unit/test_one_builder.py`
holds it); a platform hands in its own ports and gets its services back ready. Tests call it with
their own settings (pointing at loopback stand-ins) and get exactly what production gets.

bot_services.py       the bots' own services, one builder each, on the parts they share
bots_runtime.py       `bootstrap`: the bots' runtime, the database (migrated), MiMo, audio and every
                      use case; `Runtime.calls_for`: a platform's voice calls, on its voice channels
command_line_runtime.py  `standalone`: the command line's, MiMo and audio without a database;
                      `mimo_alone`: `voicebridge doctor`'s
database_runtime.py   `storage`: the database and what works on it alone (`voicebridge db purge`,
                      `usage`); `memory_alone`: `voicebridge find`'s /find, without MiMo
import_runtime.py     `importing`: `voicebridge import`'s, the importer on the database, MiMo and
                      ffmpeg, and nothing of the bots'
parts_from_settings.py  each part as the settings describe it: limits, MiMo, ffmpeg, database
shared_use_cases.py   the use cases the bots and the command line share (`use_cases`,
                      `mimo_use_cases`)

Each part as the settings describe it (limits, the MiMo client, ffmpeg, the database) is built
in `core.bootstrap.parts_from_settings`. Callers import what they need from `core.bootstrap` itself.
"""

from core.bootstrap.bots_runtime import Runtime, VoiceServices, bootstrap
from core.bootstrap.command_line_runtime import Standalone, mimo_alone, standalone
from core.bootstrap.database_runtime import Storage, memory_alone, storage
from core.bootstrap.import_runtime import Importing, importing
from core.bootstrap.shared_use_cases import UseCases, mimo_use_cases, shared, use_cases

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
