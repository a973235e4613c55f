"""MiMo's minute in the database: shared by replicas (PostgreSQL), and read as it is now for
`voicebridge usage`. Uses the tables and the shared statements.

shared_ledger_in_database.py  MiMo's minute shared by replicas: each use under its model's lock,
                      what waits in each replica's queue, a 429's pause for all (`DatabaseLedger`)
usage_view.py         MiMo's minute now, for `voicebridge usage`: shared, or a lone bot's snapshot
"""
