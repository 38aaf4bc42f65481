"""Exercise briefs: Markdown written with CommonMark-style list indents (three spaces, as "1. " is wide) made
safe for Python-Markdown, which needs four or runs nested items into the paragraph above. Pure."""

from __future__ import annotations

import re

_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s")
_FENCE = re.compile(r"^\s*(```|~~~)")


def list_indents_for_markdown(text: str) -> str:
    """Return `text` with indented lines inside lists moved to the next multiple of four spaces.

    Lines outside a list, inside fenced code, and already on a multiple of four are left as they are.
    """
    out, in_list, fenced = [], False, False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if fenced or not stripped:
            out.append(line)
            continue
        if indent == 0:
            in_list = bool(_ITEM.match(line))
        elif in_list and indent % 4:
            line = " " * (indent + 4 - indent % 4) + stripped
        out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
