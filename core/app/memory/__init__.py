"""A chat's memory: /find and /ask across its kept transcripts, its past imported, what
expires, and /forget.

Uses `core.app.listening` (a call /forget ends), `voices`, `recordings` and `rules`.

chat_search.py     /find and /ask across a chat's kept transcripts
forgetting.py      /forget: a listened call and imports ended first, then everything kept of the
                   chat deleted (and a deleted Discord channel's rows)
import_run.py      one import under way: its workers, its tally, what stops it
import_values.py   what a chat's history holds, an import's plan and its progress (values)
importer.py        a chat's past voice messages imported (an export, a history): planned, run, ended
                   by /forget
retention_jobs.py  what expires, and the jobs that delete it
"""
