"""The bot's voice: /say and "Read aloud", the server's own voices, native voice messages, the
"Speak" button. Uses `bots.discord.voice_channels` (/say in a voice channel), `commands`,
`answers`, `claims_and_redo` and the modules at the top.

native_voice_messages.py  native voice messages, which discord.py cannot send on its own
own_voice_commands.py  the server's own voices: /design_voice, /delete_voice, "Clone this voice"
say_commands.py       /say and "Read aloud"
speak_button.py       the "Speak" button under a translation
"""
