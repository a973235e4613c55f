"""voicebridge's platform-neutral core: everything but Telegram and Discord, in layers.

Each layer imports only those below it (`lint-imports` checks it):

app/        use cases: transcription, speech, questions, preferences, the chat's own voices, limits,
            claims, retention, the scheduler, summaries
bootstrap/  the composition root: settings in, every adapter built and passed in, one runtime out
            (the bots', the command line's, the database's alone)
chat/       what the bot says and how results read in a chat
config/     Settings, from the environment or .env
domain/     plain values, errors and rules, with no I/O
infra/      adapters named after their technology: MiMo, storage, audio, metrics, logs
ports/      every port the use cases depend on, storage's included
"""
