"""Manager reports: completion, capability, adoption (tool usage), ROI; SVG charts; CSV and PDF exports.

Reports is the read model. It may read other packages' tables, but only with set-based queries (GROUP BY,
correlated subqueries; never a loop of per-learner queries), and it never writes them. The only tables it
writes are its own: the activity roll-ups (`rollup.py`) and the programme costs managers enter (`costs.py`).
"""
