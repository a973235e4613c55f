"""A chat's memory: /find and /ask across its kept transcripts, its past imported, what
expires, and /forget.

Uses `core.app.calls`, `reader`, `voices`, `recordings`, `rules`, `running`.

search.py      /find and /ask across a chat's kept transcripts
imports.py     a chat's past voice messages imported (an export, a history): planned, run,
               ended by /forget
import_run.py  one import under way: its workers, its tally, what stops it
past.py        what a chat's history holds, an import's plan and its progress (values)
retention.py   what expires, and the jobs that delete it
forgetting.py  /forget: a listened call and imports ended first, then everything kept of the
               chat deleted (and a deleted Discord channel's rows)
"""
