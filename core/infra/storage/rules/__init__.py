"""The rules' state in the database: claims on incoming work, the limits' request windows and
daily usage, and the mandates every write of work under way is checked against. Uses
`core.infra.storage.chats` (a chat's preferences), the tables and the shared statements.

claims_in_database.py  claims on incoming work (the table keeps its first name, processed_updates)
mandates_in_database.py  the check of every write of work under way against a /forget or a no since
usage_in_database.py  the limits' state: request windows and daily usage
"""
