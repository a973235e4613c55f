"""Summaries of the chat log: its messages and summary state, summaries and digests, the windows
a summary covers and the times a digest is due.

digest_times.py     `/digest 18:00 Europe/Berlin`: times read, the next one due
summary_values.py   the chat log's messages, summary state, summaries and digests
summary_windows.py  the windows a summary covers (the first and a digest's: 24 h), `/summary 2h`
                    read and bounded, `/summary on|off`
"""
