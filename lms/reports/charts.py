"""Server-rendered SVG charts (bar, line, funnel, heatmap) that look the same in the browser and in PDFs.

Pure: plain values in, a `Chart` out: SVG markup plus the same data as a `Table`. All text is escaped here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK, MUTED, GRID = "#111827", "#4b5563", "#d1d5db"
PALETTE = ("#1d4ed8", "#b45309", "#166534", "#7c3aed", "#be123c", "#0e7490")
CHAR_W = 7.0  # average advance of a 12px character (DejaVu Sans is wide), for laying out labels
PHONE_W = 320  # the phone layout's width: drawn at its own size on a 375 px screen, so text stays 12 px


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]


@dataclass(frozen=True)
class Chart:
    """The SVG markup (with `<title>` and `<desc>`; presentation attributes only, since the CSP forbids inline
    styles and PDFs run no JavaScript) and the same data as a `Table`, the accessible alternative shown with it."""

    svg: str
    table: Table
    title: str
    desc: str
    phone_svg: str = ""  # the same chart laid out for a phone (one item per line, no grid), shown below 48rem
    # A heatmap's colours: a PDF prints the heatmap as its table in them instead of drawing it twice (the SVG and the
    # table; WeasyPrint drew the SVG's cells in 0.7 s at 10k).
    colours: PdfColours | None = None
    # A bar chart's or funnel's bars: a PDF prints the chart as its table with a bar in each row, instead of the SVG
    # above the same figures in a table.
    bars: PdfBars | None = None


@dataclass(frozen=True)
class PdfColours:
    """A heatmap's colours as a PDF prints its table: each value cell's class, row by row, and a stylesheet with one
    rule per class, that is per (fill, text colour) pair. WeasyPrint parses an inline style attribute for every cell
    that has one: the 640 cells of two heatmaps of 40 teams were a seventh of a 10,000-learner capability PDF's time;
    the rules are parsed once."""

    classes: tuple[tuple[str, ...], ...]
    css: str  # autoescaped in the template: hex colours and class names, nothing it changes

    @classmethod
    def of(cls, cells: Sequence[Sequence[_Cell]]) -> PdfColours:
        names: dict[tuple[str, str], str] = {}
        classes = tuple(tuple(names.setdefault((cell.fill, cell.ink), f"heat-{cell.fill[1:]}-{cell.ink[1:]}")
                              for cell in row) for row in cells)
        css = "".join(f"td.{name} {{ background-color: {fill}; color: {ink} }}\n"
                      for (fill, ink), name in names.items())
        return cls(classes, css)


@dataclass(frozen=True)
class PdfBars:
    """A bar chart's bars as a PDF prints them, in a last column of its table: each row's class, whose rule gives the
    bar its length in whole percent of the column, and a stylesheet with one rule per length used.

    One table instead of a chart above a table of the same figures: the reader finds each value beside its bar, and
    it prints in less room and time (WeasyPrint lays out each SVG label as a text of its own: the 40-cohort chart of
    a 10,000-learner completion PDF took longer than its table). Classes rather than a style attribute per bar, as
    PdfColours, for the same reason."""

    classes: tuple[str, ...]
    css: str

    @classmethod
    def of(cls, shares: Sequence[float]) -> PdfBars:
        """`shares`: each bar's length as a share of the longest (0 to 1), as the SVG draws it. A bar too short to
        round to 1% is drawn at 1%, so a value above nothing never prints as nothing."""
        percents = [0 if share <= 0 else max(1, round(min(share, 1.0) * 100)) for share in shares]
        css = "".join(f"td.bar .bar-{p} {{ width: {p}% }}\n" for p in sorted(set(percents)))
        return cls(tuple(f"bar-{p}" for p in percents), css)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "chart"


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: max(limit - 1, 1)] + "…"


def _wrap(label: str, limit: int, most: int = 2) -> list[str]:
    """Return `label` broken at spaces into at most `most` lines of about `limit` characters (the last one
    shortened with "…" when the label is longer still): a phone has the height to spare, not the width."""
    lines: list[str] = []
    rest = label.split()
    while rest and len(lines) < most:
        line = rest.pop(0)
        while rest and len(line) + 1 + len(rest[0]) <= limit:
            line += " " + rest.pop(0)
        lines.append(line)
    if rest:
        lines[-1] = _short(lines[-1] + " " + " ".join(rest), limit)
    return [_short(line, limit) for line in lines] or [""]


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"
    return f"{text}{unit}"


def _open(width: int, height: int, title: str, desc: str, ident: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}" '
        f'font-size="12">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _phone_bars(title: str, desc: str, ident: str, items: Sequence[tuple[str, float, str]]) -> str:
    """Return the phone layout of a bar chart or funnel: per item its label (up to two lines) and below it a bar
    (`share` of the plot width, 0 to 1) followed by the value, so the 12 px text is never scaled down."""
    line_h, bar_h, gap, top = 16, 14, 10, 8
    plot_w = PHONE_W - 80
    labels = [_wrap(label, 44) for label, _, _ in items]
    height = top * 2 + sum(line_h * len(lines) + bar_h + gap for lines in labels) if items else 60
    parts = _open(PHONE_W, height, title, desc, ident)
    if not items:
        parts.append(f'<text x="{PHONE_W / 2}" y="{height / 2 + 4}" text-anchor="middle" fill="{MUTED}">No data</text>')
    y = top
    for (label, share, value_text), lines in zip(items, labels, strict=True):
        for k, line in enumerate(lines):
            parts.append(f'<text x="0" y="{y + 12 + k * line_h}" fill="{INK}">{escape(line)}</text>')
        y += line_h * len(lines)
        w = max(0.0, min(1.0, share)) * plot_w
        parts.append(f'<rect x="0" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{PALETTE[0]}">'
                     f'<title>{escape(label)}: {escape(value_text)}</title></rect>')
        parts.append(f'<text x="{w + 6:.1f}" y="{y + 11}" fill="{INK}">{escape(value_text)}</text>')
        y += bar_h + gap
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, desc: str, labels: Sequence[str], values: Sequence[float | None], *,
              unit: str = "", value_header: str = "Value", ident: str | None = None, width: int = 640) -> Chart:
    """Return a horizontal bar chart of `values` (None drawn as no bar, "–") with the data as a table."""
    ident = ident or _slug(title)
    label_w = min(230, max(70, int(max((len(v) for v in labels), default=4) * CHAR_W) + 16))
    bar_h, gap, top = 22, 8, 10
    height = top * 2 + max(len(labels), 1) * (bar_h + gap)
    top_value = max((v for v in values if v is not None), default=0) or 1
    plot_w = width - label_w - 70
    parts = _open(width, height, title, desc, ident)
    if not labels:
        parts.append(f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" fill="{MUTED}">No data</text>')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar_h + gap)
        w = 0 if value is None else max(0.0, value) / top_value * plot_w
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h * 0.7:.1f}" text-anchor="end" fill="{INK}">'
                     f'{escape(_short(label, 32))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{PALETTE[0]}">'
                     f'<title>{escape(label)}: {escape(_num(value, unit))}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.7:.1f}" fill="{INK}">'
                     f'{escape(_num(value, unit))}</text>')
    parts.append("</svg>")
    rows = tuple((label, _num(value, unit)) for label, value in zip(labels, values, strict=True))
    shares = [0.0 if value is None else max(0.0, value) / top_value for value in values]
    phone = _phone_bars(title, desc, f"{ident}-phone", [
        (label, share, _num(value, unit)) for label, value, share in zip(labels, values, shares, strict=True)])
    return Chart("".join(parts), Table(title, ("Item", value_header), rows), title, desc, phone,
                 bars=PdfBars.of(shares))


def line_chart(title: str, desc: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
               *, unit: str = "", ident: str | None = None, width: int = 640, height: int = 260) -> Chart:
    """Return a line chart: one polyline (with a legend) per (name, values) series over `x_labels`."""
    ident = ident or _slug(title)
    svg = _line_svg(title, desc, x_labels, series, ident=ident, width=width, height=height)
    phone = _line_svg(title, desc, x_labels, series, ident=f"{ident}-phone", width=PHONE_W, height=height)
    rows = tuple((label, *(_num(vals[i] if i < len(vals) else None, unit) for _, vals in series))
                 for i, label in enumerate(x_labels))
    return Chart(svg, Table(title, ("Period", *(name for name, _ in series)), rows), title, desc, phone)


def _line_svg(title: str, desc: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
              *, ident: str, width: int, height: int) -> str:
    """Return the SVG of a line chart `width` wide: fewer x labels and legend entries per line when narrow."""
    per_row = max(1, (width - 48) // 190)  # legend entries per line
    left, right, top, bottom = 48, 16, 16, 46 + 18 * ((len(series) + per_row - 1) // per_row)
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vals in series for v in vals if v is not None]
    top_value = max(values, default=0) or 1
    n = len(x_labels)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - (v / top_value) * plot_h

    parts = _open(width, height, title, desc, ident)
    whole = all(float(v).is_integer() for v in values)
    steps = int(top_value) if whole and top_value <= 4 else 4  # no "1.5 learners" on small counts
    for k in range(steps + 1):  # horizontal grid with value labels
        v = top_value * k / steps
        parts.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" stroke="{GRID}" '
                     f'stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="{MUTED}">'
                     f'{escape(_num(v))}</text>')
    most = max(2, min(8, plot_w // 70))  # about 8 x labels on the wide chart, 3 on a phone
    step = max(1, (n + most - 1) // most)
    for i in range(0, n, step):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="{MUTED}">'
                     f'{escape(_short(x_labels[i], 12))}</text>')
    if not values:
        parts.append(f'<text x="{width / 2}" y="{top + plot_h / 2}" text-anchor="middle" fill="{MUTED}">No data</text>')
    for s, (name, vals) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals) if v is not None)
        if points:
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
                         f'<title>{escape(name)}</title></polyline>')
            if n <= 60:
                parts.extend(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>'
                             for i, v in enumerate(vals) if v is not None)
        lx, ly = left + (s % per_row) * 190, top + plot_h + 34 + 18 * (s // per_row)
        dash = ' stroke-dasharray="6 3"' if s % 2 else ""
        parts.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 22}" y2="{ly - 4}" stroke="{colour}" '
                     f'stroke-width="3"{dash}/>')
        parts.append(f'<text x="{lx + 28}" y="{ly}" fill="{INK}">{escape(_short(name, 24))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def funnel_chart(title: str, desc: str, steps: Sequence[tuple[str, int]], *, ident: str | None = None,
                 width: int = 640) -> Chart:
    """Return a funnel: one centred bar per step, its width the share of the first step, with count and %."""
    ident = ident or _slug(title)
    bar_h, gap, top = 30, 6, 10
    height = top * 2 + max(len(steps), 1) * (bar_h + gap)
    first = steps[0][1] if steps else 0
    label_w, plot_w = 250, width - 250 - 20
    parts = _open(width, height, title, desc, ident)
    rows = []
    for i, (label, count) in enumerate(steps):
        share = count / first if first else 0.0
        w = max(share * plot_w, 2.0 if count else 0.0)
        y = top + i * (bar_h + gap)
        x0 = label_w + (plot_w - w) / 2
        pct = f"{share * 100:.0f}%" if first else "–"
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h * 0.65:.1f}" text-anchor="end" fill="{INK}">'
                     f'{escape(_short(label, 36))}</text>')
        parts.append(f'<rect x="{x0:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{PALETTE[0]}" '
                     f'fill-opacity="{1 - i * 0.08:.2f}"><title>{escape(label)}: {count} ({pct})</title></rect>')
        parts.append(f'<text x="{label_w + plot_w / 2:.1f}" y="{y + bar_h * 0.65:.1f}" text-anchor="middle" '
                     f'fill="{INK if share < 0.3 else "#ffffff"}" font-weight="bold">{count} ({pct})</text>')
        rows.append((label, count, pct))
    parts.append("</svg>")
    shares = [count / first if first else 0.0 for _, count in steps]
    phone = _phone_bars(title, desc, f"{ident}-phone", [
        (label, share, f"{count} ({pct})") for (label, count), (_, _, pct), share in zip(steps, rows, shares,
                                                                                            strict=True)])
    return Chart("".join(parts), Table(title, ("Step", "People", "Share of the first step"), tuple(rows)), title,
                 desc, phone, bars=PdfBars.of(shares))


def heat_colour(value: float | None, low: float = 0, high: float = 100) -> tuple[str, str]:
    """Return (fill, text colour) for a heatmap cell: light to dark blue; grey for no value."""
    if value is None:
        return "#f3f4f6", MUTED
    t = 0.0 if high == low else min(1.0, max(0.0, (value - low) / (high - low)))
    start, end = (239, 246, 255), (30, 58, 138)
    rgb = tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("#ffffff" if t > 0.5 else INK)


@dataclass(frozen=True)
class _Cell:
    """A heatmap cell as drawn: its fill and text colours, its value as written, and that text escaped."""

    fill: str
    ink: str
    shown: str
    markup: str


def _cells(values: Sequence[Sequence[float | None]], low: float, high: float, unit: str) -> list[list[_Cell]]:
    """Each value's colours and text, worked out once: the grid, the phone layout, the table and the PDF's colours
    all show them (at a thousand cells, doing it for each cost more than the report's queries)."""
    out = []
    for row in values:
        cells = []
        for value in row:
            shown = _num(value, unit)
            cells.append(_Cell(*heat_colour(value, low, high), shown, escape(shown)))
        out.append(cells)
    return out


def heatmap(title: str, desc: str, row_labels: Sequence[str], col_labels: Sequence[str],
            values: Sequence[Sequence[float | None]], *, low: float = 0, high: float = 100, unit: str = "",
            ident: str | None = None) -> Chart:
    """Return a heatmap: rows x columns of cells coloured by value (None: grey "–"), the value written inside."""
    ident = ident or _slug(title)
    cells = _cells(values, low, high, unit)
    rows_shown, cols_shown = [escape(r) for r in row_labels], [escape(c) for c in col_labels]
    label_w = min(210, max(70, int(max((len(r) for r in row_labels), default=4) * CHAR_W) + 16))
    cell_w, cell_h, head_h = 64, 30, 90
    width = label_w + cell_w * max(len(col_labels), 1) + 10
    height = head_h + cell_h * max(len(row_labels), 1) + 10
    parts = _open(width, height, title, desc, ident)
    for j, col in enumerate(col_labels):
        cx = label_w + j * cell_w + cell_w / 2
        parts.append(f'<text x="{cx:.1f}" y="{head_h - 8}" transform="rotate(-35 {cx:.1f} {head_h - 8})" '
                     f'fill="{INK}">{escape(_short(col, 18))}</text>')
    for i, row in enumerate(row_labels):
        y = head_h + i * cell_h
        parts.append(f'<text x="{label_w - 8}" y="{y + cell_h * 0.65:.1f}" text-anchor="end" fill="{INK}">'
                     f'{escape(_short(row, 30))}</text>')
        text_y = f"{y + cell_h * 0.62:.1f}"
        for j, cell in enumerate(cells[i]):
            x0 = label_w + j * cell_w
            parts.append(f'<rect x="{x0}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{cell.fill}">'
                         f'<title>{rows_shown[i]}, {cols_shown[j]}: {cell.markup}</title></rect>')
            parts.append(f'<text x="{x0 + cell_w / 2 - 1:.1f}" y="{text_y}" text-anchor="middle" '
                         f'fill="{cell.ink}">{cell.markup}</text>')
    if not row_labels or not col_labels:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{MUTED}">No data</text>')
    parts.append("</svg>")
    rows = tuple((row, *(cell.shown for cell in cells[i])) for i, row in enumerate(row_labels))
    phone = _phone_heatmap(title, desc, f"{ident}-phone", row_labels, col_labels, cells, rows_shown, cols_shown)
    return Chart("".join(parts), Table(title, ("", *col_labels), rows), title, desc, phone,
                 PdfColours.of(cells) if any(cells) else None)


def _phone_heatmap(title: str, desc: str, ident: str, row_labels: Sequence[str], col_labels: Sequence[str],
                   cells: list[list[_Cell]], rows_shown: list[str], cols_shown: list[str]) -> str:
    """Return the phone layout of a heatmap: a list per row (a team, a learner), one line per column with
    its name (up to two lines) and the coloured cell holding the value, instead of a grid whose text would
    shrink to 4 px."""
    line_h, text_h, head_h, gap, top, cell_w = 26, 15, 22, 12, 4, 64
    names = [_wrap(col, 34) for col in col_labels]
    heights = [max(line_h, text_h * len(lines) + 10) for lines in names]
    names_shown = [[escape(line) for line in lines] for lines in names]
    block_h = head_h + sum(heights) + gap
    height = top * 2 + (len(row_labels) * block_h if row_labels and col_labels else 60)
    parts = _open(PHONE_W, height, title, desc, ident)
    if not row_labels or not col_labels:
        parts.append(f'<text x="{PHONE_W / 2}" y="{height / 2}" text-anchor="middle" fill="{MUTED}">No data</text>')
    x0 = PHONE_W - cell_w
    for i, row in enumerate(row_labels if col_labels else ()):
        y = top + i * block_h
        parts.append(f'<text x="0" y="{y + 15}" fill="{INK}" font-weight="bold">{escape(_short(row, 40))}</text>')
        cy = y + head_h
        for j, cell in enumerate(cells[i]):
            h = heights[j]
            for k, line in enumerate(names_shown[j]):
                parts.append(f'<text x="0" y="{cy + 17 + k * text_h}" fill="{INK}">{line}</text>')
            parts.append(f'<rect x="{x0}" y="{cy}" width="{cell_w}" height="{h - 2}" fill="{cell.fill}">'
                         f'<title>{rows_shown[i]}, {cols_shown[j]}: {cell.markup}</title></rect>')
            parts.append(f'<text x="{x0 + cell_w / 2:.1f}" y="{cy + h / 2 + 3:.1f}" text-anchor="middle" '
                         f'fill="{cell.ink}">{cell.markup}</text>')
            cy += h
    parts.append("</svg>")
    return "".join(parts)
