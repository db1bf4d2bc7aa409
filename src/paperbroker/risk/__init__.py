"""The risk layer: a session's limits, safeguards, circuit breakers and emergency controls.

See ``docs/risk.md`` for every rule, its formula and an example.
"""
