"""Recordings in the database: kept transcripts and their parts, an import's mark, and /find's
search over them. Uses `core.infra.storage.rules` (the mandates), the tables and the shared
statements.

import_marks_in_database.py  an import's mark and the past messages it claims (read as its pieces
                      are kept)
kept_transcripts_in_database.py  kept transcripts and their parts
search_in_database.py  /find's search over them, within the asker's chat
"""
