"""Summaries on Telegram: /summary, digests, and the listener that logs a group's messages for
them. Uses `bots.telegram.answers`, `chat_log_entry` and `telegram_wording` below it.

telegram_summary_commands.py  /summary, digests and the chat-log listener
"""
