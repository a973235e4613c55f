"""What the owner allows (request limits, the allowlist, rates, quotas), and claims on incoming
work.

claim_values.py  claims on incoming work, and how many times one taken over is redone
quotas_rules.py  what the owner allows: request limits, allowlist, rates, quotas, counts
"""
