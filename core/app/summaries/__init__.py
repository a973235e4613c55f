"""Summaries of what a chat said: logging it, summarising it, and daily digests.

chat_summaries.py   SummaryService: the chat log, /summary of a window
daily_digests.py    DigestService: daily digests, claimed once across replicas
summary_writing.py  what the model is asked, within the prompt budget; a summary written by the chat
                    model, in parts when it is long, and in which language (`writing_language`)
"""
