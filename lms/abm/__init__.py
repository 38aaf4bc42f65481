"""The pure ABM kernel: vocabulary, workspace snapshots, coverage, normalisation, matching and title roles.

No Flask and no database: the workspace, the exercises and the reports all build on it.
"""
