"""Voices in the database: a chat's own voices, the spoken consent they are cloned under, and
inline mode's rendered voice notes. Uses the tables and the shared statements.

clone_consent_in_database.py  the consent sentences asked for (a cloned voice's), and who first sent
                      each voice note
inline_cache_in_database.py  inline mode's rendered voice notes
own_voices_in_database.py  a chat's own voices
"""
