"""`python -m bots.cli`: the `voicebridge` command without the installed script."""

from bots.cli import script

script()
