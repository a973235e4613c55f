"""Answers: who asks and whom an answer is for, in which language, how the interaction is
acknowledged, and how the answer is shown. Uses `bots.discord.work` and the modules at the top.

who_asks.py         who asks and whom the answer is for: the interaction's request, read of
                    the core once and kept on it for its cog and its use case; whom a voice
                    message counts against; who may change the place's settings
acks.py             an interaction acknowledged within Discord's 3 seconds (or adopted, redone)
progress_pace.py    how often work going on is shown: "typing…", status edits, captions
replies.py          long answers and follow-ups
clicks.py           buttons that outlive the process (dynamic items)
modals.py           modals whose submission runs once and that a restart can rebuild
bot_permissions.py  the bot's own permissions a job needs in a channel, the first missing
                    named (what a member may read is `bots.discord.places`)
error_handler.py    the one error handler
"""
