"""What is kept of a chat: its preferences, its log and summary state, Telegram Business
connections, and the places every table names. Uses the tables and the shared statements.

business_connections_in_database.py  Telegram Business connections
chat_log_in_database.py  the chat log and each chat's summary state
                      (`core.ports.storage.chat_log_store_port`)
chat_settings_in_database.py  each chat's preferences
places_in_database.py  every table that names a place, for /forget and retention
"""
