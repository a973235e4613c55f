"""Chat text: every sentence the bot says and how results read in a chat, on any platform."""
