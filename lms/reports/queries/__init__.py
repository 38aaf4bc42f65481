"""The report queries: set-based SQL over other packages' tables and the roll-ups, one module per report.

Each takes `Filters`, runs a fixed number of queries whatever the number of learners, returns a plain dataclass.
"""
