"""The bots run and looked after from a shell: `voicebridge run`, their database (`db`), whether
the running bot answers (`health`), and what it used of MiMo (`usage`).

db_command.py      `db`: the bots' database upgraded, shown, backed up, copied, purged
health_command.py  `health`: whether the running bot answers (a container's health check)
run_command.py     `run`: the bots
usage_command.py   `usage`: what the whole bot used of MiMo today and this month
"""
