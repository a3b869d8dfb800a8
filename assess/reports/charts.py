"""Small inline SVG charts for the reports: numbers in, escaped markup out (no charting library, no script).

Every chart is readable in greyscale: the first series is hatched (black lines
on white), the second solid dark grey, and both carry a legend; values are
written next to the bars. Texts (labels, axis titles, formatted values) come
from the caller, already in the chosen language, and are escaped here.
`uid` keeps the pattern ids of several charts on one page apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

# The viewBox is about as wide as a 360 px phone's column (328 px), so that a viewBox unit is about a
# pixel there and no text renders under 12 px; wider screens scale the chart up to 1.5 times.
WIDTH = 320
FONT = 13
SMALL = 12
LINE_CHARS = 36  # characters of a bold FONT label per line (SVG text does not wrap: wrapped here)
POST_FILL = "#444"
GAIN_FILL = "#aaa"  # light enough for the black interval whisker to show on it
GRID = "#bbb"
MAX_LABEL = 2 * LINE_CHARS  # characters of a category label, on at most two lines
MISSING = "–"

Format = Callable[[float], str]


def _t(text: object) -> str:
    return str(escape(str(text)))


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lines(text: str, width: int = LINE_CHARS) -> list[str]:
    """A label on one line, or on two broken at a space (the second shortened with … if it must)."""
    if len(text) <= width:
        return [text]
    cut = text.rfind(" ", 0, width + 1)
    if cut <= 0:
        cut = width
    first, rest = text[:cut].rstrip(), text[cut:].strip()
    return [first, _short(rest, width)]


def _label(y: float, text: str, after: str = "") -> tuple[str, float]:
    """A bold label from the left edge, baseline `y` on its first line, `after` in plain type after its
    last line; the markup and the height of the lines below the first."""
    lines = _lines(_short(text), LINE_CHARS - len(after))
    out = []
    for k, line in enumerate(lines):
        tail = f"</tspan>{_t(after)}" if k == len(lines) - 1 and after else "</tspan>"
        out.append(
            f'<text x="1" y="{_n(y + k * (FONT + 3))}" font-size="{FONT}"><tspan font-weight="bold">'
            f"{_t(line)}{tail}</text>"
        )
    return "".join(out), (len(lines) - 1) * (FONT + 3)


def _n(x: float) -> str:
    """A coordinate: short, and never exponent notation."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str = "#000", extra: str = "") -> str:
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}"{extra}/>'


def _grid(x1: float, y1: float, x2: float, y2: float) -> str:
    return _line(x1, y1, x2, y2, GRID, ' stroke-dasharray="2,3"')


def _text(x: float, y: float, text: str, size: int = SMALL, anchor: str = "", bold: bool = False) -> str:
    more = (f' text-anchor="{anchor}"' if anchor else "") + (' font-weight="bold"' if bold else "")
    return f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}"{more}>{_t(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" {fill}/>'


def _fill(uid: str, series: int) -> str:
    if series == 0:
        return f'fill="url(#{_t(uid)}-hatch)" stroke="#000" stroke-width="1"'
    return f'fill="{POST_FILL}" stroke="#000" stroke-width="1"'


def _open(uid: str, height: float, title: str) -> list[str]:
    u = _t(uid)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" width="{WIDTH}" '
        f'height="{_n(height)}" role="img" aria-labelledby="{u}-title" class="chart" '
        f'style="width:100%;max-width:{WIDTH * 1.5:.0f}px;height:auto">',  # 1.5: fonts 19 px at most
        f'<title id="{u}-title">{_t(title)}</title>',
        f'<defs><pattern id="{u}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2"/></pattern></defs>',
    ]


def _legend(uid: str, names: Sequence[str], y: float) -> list[str]:
    out, x = [], 1.0
    for k, name in enumerate(names):
        out.append(_rect(x, y, 14, 12, _fill(uid, k)))
        out.append(_text(x + 19, y + 10.5, name, FONT))
        x += 30 + 7.8 * len(name)
    return out


def _axis_title(x: float, y: float, text: str) -> str:
    return _text(x, y, text, FONT, "middle")


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high (about `count` of them)."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    values = []
    v = math.ceil(low / step - 1e-9) * step
    while v <= high + 1e-9:
        values.append(0.0 if abs(v) < 1e-9 else v)
        v += step
    return values


def _known(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def paired_bars(
    uid: str,
    rows: Sequence[tuple],
    series: Sequence[str],
    axis: str,
    fmt: Format,
    title: str,
    maximum: float = 100.0,
) -> Markup:
    """Horizontal bars, one per series and category (first series hatched, second solid), 0..maximum.

    `rows`: (label, first value[, second value]), a value per series; None
    draws no bar and writes "–".
    """
    left, right, bar, gap, top = 14.0, 40.0, 12.0, 14.0, 26.0
    plot = WIDTH - left - right
    per_row = FONT + 4 + len(series) * (bar + 2) + gap
    labels = [_label(0, label) for label, *_values in rows]
    bottom = top + per_row * len(rows) + sum(extra for _markup, extra in labels)
    out = _open(uid, bottom + 40, title)
    out += _legend(uid, series, 4)
    for v in _ticks(0, maximum):
        x = left + plot * v / maximum
        out += [_grid(x, top, x, bottom), _text(x, bottom + 15, fmt(v), anchor="middle")]
    out.append(_line(left, bottom, left + plot, bottom))
    out.append(_axis_title(left + plot / 2, bottom + 33, axis))
    y = top
    for label, *values in rows:
        markup, extra = _label(y + FONT, label)
        out.append(markup)
        by = y + FONT + 4 + extra
        for k, value in enumerate(values):
            if not _known(value):
                out.append(_text(left + 2, by + bar - 1, MISSING))
            else:
                w = plot * min(max(value, 0.0), maximum) / maximum
                out.append(_rect(left, by, w, bar, _fill(uid, k)))
                out.append(_text(left + w + 4, by + bar - 1, fmt(value)))
            by += bar + 2
        y += per_row + extra
    out.append("</svg>")
    return Markup("".join(out))


def _bin(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    counts = [0] * (len(edges) - 1)
    for v in values:
        if not _known(v) or v < edges[0] or v > edges[-1]:
            continue
        k = next((i for i in range(len(counts)) if v < edges[i + 1]), len(counts) - 1)
        counts[k] += 1
    return counts


def histogram(
    uid: str,
    first: Sequence[float],
    second: Sequence[float] | None,
    series: tuple[str, str],
    x_axis: str,
    y_axis: str,
    fmt_edge: Format,
    fmt_count: Format,
    title: str,
    edges: Sequence[float] = tuple(range(0, 101, 10)),
) -> Markup:
    """Counts of two sets of scores (or one: `second` None) in the bins between `edges`.

    The last bin includes its upper edge.
    """
    counts = [_bin(first, edges), _bin(second or [], edges)]
    names = series if second is not None else series[:1]
    top_count = max([1, *counts[0], *counts[1]])
    y_ticks = [v for v in _ticks(0, top_count, 3) if float(v).is_integer()] or [0.0]
    y_max = max(top_count, y_ticks[-1])
    # One panel per set of scores, one above the other on the same axes: each bar the width of its bin
    # less a gap, so that its count fits above it in a legible size.
    left, right, title_h, plot_h, panel_gap = 40.0, 14.0, 20.0, 96.0, 12.0
    plot_w = WIDTH - left - right
    bins = len(edges) - 1
    slot = plot_w / bins
    out = _open(uid, (title_h + plot_h + panel_gap) * len(names) + 40, title)
    top = 0.0
    for k, name in enumerate(names):
        out += [
            _rect(left, top + 3, 14, 12, _fill(uid, k)),
            _text(left + 19, top + 14, name, FONT, bold=True),
        ]
        ptop = top + title_h
        bottom = ptop + plot_h
        for v in y_ticks:
            y = bottom - (plot_h - 14) * v / y_max
            out += [_grid(left, y, left + plot_w, y), _text(left - 4, y + 4, fmt_count(v), anchor="end")]
        for b in range(bins):
            c = counts[k][b]
            if c:
                h = (plot_h - 14) * c / y_max
                x = left + slot * b + 1.5
                out.append(_rect(x, bottom - h, slot - 3, h, _fill(uid, k)))
                out.append(_text(x + (slot - 3) / 2, bottom - h - 2, fmt_count(c), SMALL, "middle"))
        for b in range(bins + 1):
            out.append(_line(left + slot * b, bottom, left + slot * b, bottom + 4))
        out += [_line(left, bottom, left + plot_w, bottom), _line(left, ptop, left, bottom)]
        top = bottom + panel_gap
    bottom = top - panel_gap
    for b, edge in enumerate(edges):
        if b % 2 == 0 or bins <= 6:
            out.append(_text(left + slot * b, bottom + 16, fmt_edge(edge), anchor="middle"))
    out.append(
        f'<text transform="translate(13 {_n(bottom / 2)}) rotate(-90)" font-size="{FONT}" '
        f'text-anchor="middle">{_t(y_axis)}</text>'
    )
    out.append(_axis_title(left + plot_w / 2, bottom + 34, x_axis))
    out.append("</svg>")
    return Markup("".join(out))


def gain_bars(
    uid: str,
    rows: Sequence[tuple[str, float | None, float | None, float | None]],
    axis: str,
    fmt: Format,
    title: str,
) -> Markup:
    """Horizontal bars of gains from a zero line (negative to the left), with interval whiskers.

    `rows`: (label, gain, interval low, interval high); None where unknown. The
    gain is written after the label, so that it is not read as the whisker's end.
    """
    finite = [v for _, *vals in rows for v in vals if _known(v)]
    low, high = min([0.0, *finite]), max([0.0, *finite])
    if high - low < 1e-9:
        high = low + 10
    ticks = _ticks(low, high)
    low, high = min(low, ticks[0]), max(high, ticks[-1])
    left, right, top, bar, gap = 14.0, 20.0, 8.0, 14.0, 12.0
    plot = WIDTH - left - right
    per_row = FONT + 4 + bar + gap

    def x_of(v: float) -> float:
        return left + plot * (v - low) / (high - low)

    labels = [_label(0, label, f": {fmt(gain) if _known(gain) else MISSING}") for label, gain, *_ci in rows]
    bottom = top + per_row * len(rows) + sum(extra for _markup, extra in labels)
    out = _open(uid, bottom + 40, title)
    for v in ticks:
        x = x_of(v)
        out += [_grid(x, top, x, bottom), _text(x, bottom + 15, fmt(v), anchor="middle")]
    zero = x_of(0.0)
    y = top
    for label, gain, ci_low, ci_high in rows:
        value = fmt(gain) if _known(gain) else MISSING
        markup, extra = _label(y + FONT, label, f": {value}")
        out.append(markup)
        by = y + FONT + 4 + extra
        if _known(gain):
            x0, x1 = sorted((zero, x_of(gain)))
            out.append(_rect(x0, by, max(x1 - x0, 0.5), bar, f'fill="{GAIN_FILL}" stroke="#000"'))
            if _known(ci_low) and _known(ci_high):
                a, b, mid = x_of(ci_low), x_of(ci_high), by + bar / 2
                out.append(
                    f'<path d="M{_n(a)} {_n(mid)}H{_n(b)}M{_n(a)} {_n(mid - 5)}V{_n(mid + 5)}'
                    f'M{_n(b)} {_n(mid - 5)}V{_n(mid + 5)}" stroke="#000" stroke-width="1.5" fill="none"/>'
                )
        y += per_row + extra
    out.append(_line(zero, top, zero, bottom, extra=' stroke-width="1.5"'))
    out.append(_line(left, bottom, left + plot, bottom))
    out.append(_axis_title(left + plot / 2, bottom + 33, axis))
    out.append("</svg>")
    return Markup("".join(out))


def radar(
    uid: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    top: int = 5,
) -> Markup:
    """A radar (spider) chart of levels 0..`top` per label: one closed line per series, the first solid
    black, the second dashed grey with a light fill; a missing value sits at the centre and is written
    "–" beside its label. Readable in greyscale; at least 3 labels."""
    n = len(labels)
    size, legend = WIDTH, 22
    cx, cy, r = size / 2, size / 2 + legend, size / 2 - 58
    out = _open(uid, size + legend + 8, title)
    out += _legend_lines(series, 2.0)

    def point(k: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * k / n
        return cx + r * value / top * math.cos(angle), cy + r * value / top * math.sin(angle)

    for ring in range(1, top + 1):
        ring_points = " ".join(f"{_n(x)},{_n(y)}" for x, y in (point(k, ring) for k in range(n)))
        out.append(f'<polygon points="{ring_points}" fill="none" stroke="{GRID}" stroke-width="1"/>')
        x, y = point(0, ring)
        out.append(_text(x + 3, y + 4, str(ring), SMALL))
    for k, label in enumerate(labels):
        x, y = point(k, top)
        out.append(_line(cx, cy, x, y, GRID))
        lx, ly = point(k, top + 0.55)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        values = [v for _name, vs in series for v in [vs[k]]]
        shown = "/".join(MISSING if v is None else f"{v:g}" for v in values)
        out.append(_text(lx, ly + 4, f"{_short(label, 14)} {shown}", SMALL, anchor))
    styles = (
        'fill="none" stroke="#000" stroke-width="2.5"',
        f'fill="{GAIN_FILL}" fill-opacity="0.35" stroke="{POST_FILL}" stroke-width="2" '
        'stroke-dasharray="6 3"',
    )
    for s, (_name, values) in reversed(list(enumerate(series))):
        pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in (point(k, v or 0) for k, v in enumerate(values)))
        out.append(f'<polygon points="{pts}" {styles[min(s, 1)]}/>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above went through _t


def _legend_lines(series: Sequence[tuple[str, Sequence]], y: float) -> list[str]:
    out, x = [], 1.0
    for k, (name, _values) in enumerate(series):
        dash = "" if k == 0 else ' stroke-dasharray="6 3"'
        colour = "#000" if k == 0 else POST_FILL
        out.append(_line(x, y + 7, x + 22, y + 7, colour, f' stroke-width="2.5"{dash}'))
        out.append(_text(x + 27, y + 11, name, FONT))
        x += 40 + 7.8 * len(name)
    return out
