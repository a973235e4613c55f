"""How use cases run: counted in the metrics (periodic work runs through
`core.ports.background.every`, which stops between rounds), and taken up after a restart.

Uses the ports and the domain alone; every group of `core.app` may use it.

counted.py   @counted: each use case counted in the metrics (/metrics, not quotas)
restarts.py  what outlives a restart, for calls and readings alike
             (`core.app.calls.kept_for_restart`, `core.app.reader.kept_for_restart`): stored or
             logged, which servers hold any, and the one way each is taken up (`take_up`)
"""
