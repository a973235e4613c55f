"""The scenarios both the tests and the benchmarks (bench/) run: a public, documented surface.

A test module (`test_*.py`) and a conftest.py are the tests' own: they may rename or drop a
helper whenever a test changes, and nothing outside them may import one. What a benchmark shares
with the tests lives here instead (or, for a stand-in itself, in tests/standins), and both
import it from here; tests/unit/test_bench_imports.py fails when a file under bench/ imports a
test module or a conftest, and CI runs every benchmark in its quick form
(`python -m bench --quick`), so a helper renamed here without its callers makes CI fail.

    tests/scenarios/discord_bot.py the Discord bot `voicebridge run` builds, in this process and
                                  connected to the stand-in; members' slash commands, members
                                  in the Lounge's call, what the bot posted, a call's transcript
    tests/scenarios/tones.py      MiMo's stand-in answering a transcription with the pitch of
                                  the tone it heard (each member speaks at a pitch of their own)
    tests/scenarios/processes.py  `voicebridge run` as a process of its own, configured as an
                                  operator configures it (environment only), and when it is ready
    tests/scenarios/restarts.py   a call taken up after a restart: the bot's environment for it,
                                  and the line saying it is back
    tests/scenarios/ports.py      loopback ports nothing listens on, for servers started later
"""
