"""Summaries of what a chat said: the chat log, windows, prompts within a budget, digests."""
