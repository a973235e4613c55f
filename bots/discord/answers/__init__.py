"""Answers: who asks and whom an answer is for, in which language, how the interaction is
acknowledged, and how the answer is shown. Uses `bots.discord.claims_and_redo` and the modules at
the top.

bot_permissions.py    the bot's own permissions a job needs in a channel, the first missing named
                      (what a member may read is `bots.discord.place_access`)
client_fields.py      the bot's own fields, typed, as the other modules read them
discord_asker.py      who asks and whom the answer is for: the interaction's request, read of the
                      core once and kept on it for its cog and its use case; whom a voice message
                      counts against; who may change the place's settings
discord_progress_pace.py  how often work going on is shown: "typing…", status edits, captions
discord_replies.py    long answers and follow-ups
error_handler.py      the one error handler
interaction_acks.py   an interaction acknowledged within Discord's 3 seconds (or adopted, redone)
listen_consent_buttons.py  the yes and no buttons under a listened call's opening line
modals.py             modals whose submission runs once and that a restart can rebuild
persistent_buttons.py  buttons that outlive the process (dynamic items)
"""
