"""How use cases run: counted in the metrics, in rounds that stop between rounds.

Uses the ports alone; every group of `core.app` may use it.

counted.py  @counted: each use case counted in the metrics (/metrics, not quotas)
rounds.py   background loops that stop between rounds, never inside one
"""
