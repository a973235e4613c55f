"""MiMo's side of the rules: the models used unless the settings name others, and the account's
minute: its limits per model, what a request counts in it, who waits.

account_minute_rules.py  MiMo's minute for the whole account: its limits per model, who asks (live,
                      a person, the background; which chat), whether a use has room, what the minute
                      holds, who is told while a request waits
default_models.py     the MiMo models used unless the settings name others: today's ids
token_estimates.py    what a request will count in tokens of that minute, before MiMo says
"""
