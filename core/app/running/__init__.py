"""How use cases run: counted in the metrics (periodic work runs through
`core.ports.background.every`, which stops between rounds).

Uses the ports alone; every group of `core.app` may use it.

counted.py  @counted: each use case counted in the metrics (/metrics, not quotas)
"""
