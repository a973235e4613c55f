"""The set-up: `voicebridge init` writes the settings file from a few questions, and
`voicebridge doctor` checks it, one line a check.

doctor_command.py     `doctor`: the set-up checked, one line a check
init_command.py       `init`: .env merged from the key, tokens, allowlist and budget asked for
init_questions.py     its questions, each answer checked
mimo_doctor_checks.py  `doctor`'s MiMo lines: the key tried, each model the bot uses offered or
                      refused
terminal_prompts.py   answers read in the main thread: hidden on a terminal, piped line by line
"""
