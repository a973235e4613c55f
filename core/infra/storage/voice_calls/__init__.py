"""What the voice calls keep in the database: members' listening consent, the calls being
listened to, and the channel reader's rules and members' choices. Uses
`core.infra.storage.rules` (the mandates), the tables and the shared statements.

kept_calls_in_database.py  the calls being listened to, kept while they last
listening_consents_in_database.py  listening consent: members' yes or no to being transcribed in a
                      call
reader_choices_in_database.py  the channel reader's rules and members' choices
"""
