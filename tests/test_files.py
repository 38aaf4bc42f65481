"""Stored files are written atomically: the whole file or none, and no temporary file left behind on failure."""

from __future__ import annotations

import pytest

from lms import files


def test_a_file_is_written_whole_and_its_folder_made(tmp_path):
    path = tmp_path / "artefacts" / "07" / "7.pdf"
    assert files.write_atomically(path, b"%PDF-1.7 whole") == path
    assert path.read_bytes() == b"%PDF-1.7 whole" and list(path.parent.glob("*.part")) == []


def test_a_failed_write_leaves_neither_the_file_nor_a_temporary_one(tmp_path, monkeypatch):
    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", fail)
    path = tmp_path / "x.pdf"
    with pytest.raises(OSError):
        files.write_atomically(path, b"data")
    assert list(tmp_path.iterdir()) == []
