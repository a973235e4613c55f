"""Summaries of what a chat said: logging it, summarising it, and daily digests.

service.py   SummaryService: the chat log, /summary of a window
writing.py   a summary written by the chat model, in parts when it is long, and in which
             language (`writing_language`)
prompt.py    what the model is asked, within the prompt budget
digests.py   DigestService: daily digests, claimed once across replicas
"""
