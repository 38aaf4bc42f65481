"""Benchmarks (`make bench`, never in CI): collect tests/benchmarks/bench_*.py, whose functions are test_*."""

from __future__ import annotations

import pytest


def pytest_collect_file(file_path, parent):
    # A bench file named on the command line is collected by pytest itself.
    if file_path.suffix == ".py" and file_path.name.startswith("bench_") and not parent.session.isinitpath(file_path):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
