"""Recordings and their transcripts: what becomes of a voice message or audio file a channel
sends or points at. Uses `bots.discord.memory`, `voices`, `commands`, `answers`,
`claims_and_redo` and the modules at the top.

ask_commands.py       /ask and "Ask about this audio"
declared_consent_reading.py  what a voice message declares about itself, for spoken consent to
                      cloning
discord_tldr_command.py  /tldr and the "Gist" button; a gist as Discord shows it
discord_transcribe_commands.py  voice messages transcribed unasked, /transcribe on request
discord_transcript_reply.py  a transcript's message: progress, then the transcript or a file;
                      which transcripts get the "Gist" button
discord_translate_commands.py  /translate and "Translate", the "Speak" button, /voicetranslations
voice_message_arrival.py  a voice message that arrived, parsed once for the core
                      (`discord_transcribe_commands.py`)
"""
