"""Which characters the certificate PDF can draw here: the fonts in static/fonts cover Latin, Greek, Cyrillic
and Arabic; Chinese, Japanese and Korean come from the system (Debian fonts-noto-cjk). Pure: reads font files
and asks fontconfig's `fc-list`."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

# What CI installs (.ci/run) and what a developer machine needs for every script certificates print.
APT_PACKAGES = ("fonts-noto-core", "fonts-noto-cjk", "fonts-dejavu-core")


@lru_cache(maxsize=8)
def _shipped_cmap(font_dir: str) -> frozenset[int]:
    codepoints: set[int] = set()
    for path in sorted(Path(font_dir).glob("*.ttf")):
        with TTFont(path, lazy=True) as font:
            codepoints.update(font.getBestCmap() or {})
    return frozenset(codepoints)


@lru_cache(maxsize=4096)
def _system_has(codepoint: int) -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    result = subprocess.run(  # noqa: S603 - fixed program, a hex code point as the only argument
        [fc_list, f":charset={codepoint:x}", "family"], capture_output=True, text=True, timeout=20, check=False)
    return result.returncode == 0 and bool(result.stdout.strip())


def missing_characters(text: str, font_dir: Path) -> list[str]:
    """Return the characters of `text` (letters, marks and symbols; not spaces) that neither the fonts in
    `font_dir` nor any font fontconfig knows can draw, in order of first appearance. Without `fc-list`
    every character outside the shipped fonts counts as missing."""
    shipped = _shipped_cmap(str(font_dir))
    missing: list[str] = []
    for ch in dict.fromkeys(text):
        if ch.isspace() or ord(ch) in shipped or ch in missing:
            continue
        if not _system_has(ord(ch)):
            missing.append(ch)
    return missing


def advice(missing: Iterable[str]) -> str:
    """Return what to tell a person whose machine lacks fonts for `missing` characters."""
    chars = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing)
    packages = " ".join(APT_PACKAGES) + ("" if shutil.which("fc-list") else " fontconfig")
    return f"no installed font draws {chars}: install Debian's {packages} (sudo apt-get install {packages})"
