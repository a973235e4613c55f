"""Speech from a shell: `voicebridge say`, as `/say` speaks.

say_command.py  `say TEXT`: speech as OGG/Opus, MP3 or WAV, with its subtitles
"""
