"""voicebridge's platform-neutral core: everything but Telegram and Discord, in layers.

Each layer imports only those below it (`lint-imports` checks it):

    bootstrap/     the composition root: settings in, every adapter built and passed in, one
                   runtime out (the bots', the command line's, the database's alone)
    from_settings.py  each part as the settings describe it: limits, MiMo, ffmpeg, database
    config/        Settings, from the environment or .env
    app/           use cases: transcription, speech, questions, preferences, the chat's own
                   voices, limits, claims, retention, the scheduler, summaries
    infra/         adapters named after their technology: MiMo, storage, audio, metrics, logs
    chat/          what the bot says and how results read in a chat
    ports/         every port the use cases depend on, storage's included
    domain/        plain values, errors and rules, with no I/O
"""
