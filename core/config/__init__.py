"""The settings: the configuration contract of DESIGN.md, read from the environment or `.env`
into one `Settings`, built in the entry point (never at import time).

connection_settings.py  the services the bot talks to: MiMo, Telegram's Bot API, Discord, the
                      database and its pool
machine_defaults.py   the defaults worked out from the machine: the data folder, the database file,
                      the instance's name
setting_value_checks.py  what a value must look like: placeholders, tokens, database URLs, URLs,
                      shard ids, `host:port`
settings.py           `Settings`: the limits on work, summaries, rate limits and quotas (a
                      cloned voice's too), the allowlist, crash safety, logging, the webhook and
                      the ops endpoint, on top of the connections' and the voice channels';
                      `unknown_names`: a .env's typos; `misspelt_names`: the environment's
voice_channel_settings.py  what the Discord bot does in voice channels: the channel reader,
                      listening and its interpreter, calls taken up after a restart

Each field's docstring is its description in the configuration reference and `.env.example`
(`docs/hooks/settings_reference.py` writes both). Callers import from `core.config` itself.
"""

from core.config.machine_defaults import data_folder
from core.config.setting_value_checks import check_database_url, host_port
from core.config.settings import Settings, misspelt_names, unknown_names

__all__ = [
    "Settings",
    "check_database_url",
    "data_folder",
    "host_port",
    "misspelt_names",
    "unknown_names",
]
