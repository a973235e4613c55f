"""The tests, and the helpers they share. A helper two test modules need is defined once, in one
of the modules below, and imported (`tests/unit/test_helpers_defined_once.py` holds it so):

    waiting.py             `until`: waiting for a condition no stand-in signals
    audio_factory.py       audio made by the project's ffmpeg: voice notes, videos, damaged files
    fakes.py               in-memory ports for the use-case tests (`fake_use_cases`)
    db_fixtures.py         the databases: SQLite always, PostgreSQL with TEST_DATABASE_URL
    conftest.py            the database fixtures every test may ask for
    bad_inputs.py          hostile and broken input, as data, with the reply each must get
    playlists.py           files that would make ffmpeg open other files
    subtitle_files.py      strict readers of .srt and .vtt files
    voicebridge_process.py `voicebridge` started in a process of its own
    processes.py           the test process's own children
    interleavings.py       races walked step by step
    docs_commands.py       the shell commands the documentation shows
    standins/              the loopback stand-ins: the Bot API, Discord (and its voice), MiMo
    scenarios/             what the tests and the benchmarks both run: a Discord bot, a process
    unit/                  the unit tests; conftest.py: their `store` and `speech` fixtures
    integration/           the integration tests; conftest.py: the stand-ins, a running bot and
                           the voice notes they send; chatlog_db.py: what the bot stored
    breaks/                defects planted on purpose, and the tests that must catch each
    bytecode.py, cpu_report.py, long_first.py, shares.py, time_limit.py
                           the pytest plugins that run the suite (compiled once, the CPU
                           report, the longest first, shares, the time limit)
"""
