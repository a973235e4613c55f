"""The interpreter of a listened call (/listen interpret:True): each turn spoken in the other of
Chinese and English, part by part, from its words or from its sound, in the speaker's own
cloned voice where they allowed it.

Uses `core.app.voices` (the voices and the speech), `recordings` (a translation) and `rules`;
the call it interprets (`core.app.listening`) hands it each part.

audio_interpretation.py  each part of a turn translated from its sound for the interpreter
                      (DISCORD_INTERPRET_FROM=audio): asked for, handed to its caption, called off
held_sound.py         the sound of a call's turns, held in memory for the translations from their
                      sound until each part is handed over
interpretation_clips.py  each interpretation made into its clip: its words, in whose voice
interpretation_queue.py  the interpretations in a queue, played one at a time in the order their
                      parts ended; one too late dropped; what the interpreter has the adapter say:
                      an interpretation dropped, or interpreting stopped
interpreting.py       /listen interpret:True: each turn spoken in the other of Chinese and English,
                      part by part (`CallInterpreter`): what is spoken, when, and what it costs
"""
