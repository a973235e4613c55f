"""The work in progress. Uses only the modules at the top of the adapter.

crash_redo.py        the crash redo: a message, command, menu, modal or click its process died in
work_in_progress.py  the work under way: what is claimed before it is handled, what a stop waits for
"""
