"""A recording from a shell, answered as the bots answer it: `voicebridge transcribe`,
`summarise` and `ask`, and the progress bar a transcription draws.

ask_command.py        `ask FILE QUESTION`: an answer about a recording
progress_bar.py       the progress bar on a terminal
summarise_command.py  `summarise FILE`: the gist of a recording, as /tldr gives it
transcribe_command.py  `transcribe FILE...`: transcripts as txt, srt, vtt or json
"""
