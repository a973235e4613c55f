"""Summaries of what a chat said: logging it, summarising a window within the prompt budget
(`service`, `writing`, `prompt`), and daily digests (`digests`)."""
