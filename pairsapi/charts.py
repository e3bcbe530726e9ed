"""A small server-rendered SVG line chart, so the pages need no JavaScript chart library."""

from collections.abc import Sequence
from datetime import datetime

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 720, 240


def thinned(points: Sequence[tuple[datetime, float]], most: int) -> list[tuple[datetime, float]]:
    """At most ``most`` points of a long series, evenly spread, keeping the first and the last
    and each span's lowest point (a drawdown's bottom, the worst slip, must not vanish)."""
    if len(points) <= most:
        return list(points)
    inside = points[1:-1]
    chunks = most - 2
    kept = [points[0]]
    for number in range(chunks):
        chunk = inside[number * len(inside) // chunks : (number + 1) * len(inside) // chunks]
        if chunk:
            kept.append(min(chunk, key=lambda point: point[1]))
    kept.append(points[-1])
    return kept


MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 16, 32


def _scale(value, low, high, out_low, out_high):
    if high == low:
        return (out_low + out_high) / 2
    return out_low + (value - low) * (out_high - out_low) / (high - low)


def line_chart(points, label, time_format="%Y-%m-%d", zero_line=False):
    """SVG for ``points``, a list of (datetime, number) oldest first; a note when empty."""
    if not points:
        return format_html('<p class="chart-empty">No data for the {} chart yet.</p>', label)
    times = [t.timestamp() for t, _ in points]
    values = [float(v) for _, v in points]
    low, high = min(values), max(values)
    if zero_line:
        low, high = min(low, 0.0), max(high, 0.0)
    if low == high:
        low, high = low - 1, high + 1
    t_low, t_high = min(times), max(times)
    plot_right, plot_bottom = WIDTH - MARGIN_RIGHT, HEIGHT - MARGIN_BOTTOM

    def x(t):
        return _scale(t, t_low, t_high, MARGIN_LEFT, plot_right)

    def y(v):
        return _scale(v, low, high, plot_bottom, MARGIN_TOP)

    path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in zip(times, values, strict=True))
    dots = "".join(
        f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2.5"><title>{escape(f"{ts:{time_format}}")}: '
        f"{v:g}</title></circle>"
        for (ts, _), t, v in zip(points, times, values, strict=True)
    )
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<line class="axis" x1="{MARGIN_LEFT}" y1="{plot_bottom}" x2="{plot_right}" '
        f'y2="{plot_bottom}"/>',
        f'<line class="axis" x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" '
        f'y2="{plot_bottom}"/>',
        f'<text class="tick" x="{MARGIN_LEFT - 6}" y="{MARGIN_TOP + 4}" text-anchor="end">'
        f"{high:g}</text>",
        f'<text class="tick" x="{MARGIN_LEFT - 6}" y="{plot_bottom}" text-anchor="end">'
        f"{low:g}</text>",
        f'<text class="tick" x="{MARGIN_LEFT}" y="{HEIGHT - 8}">'
        f"{escape(f'{points[0][0]:{time_format}}')}</text>",
        f'<text class="tick" x="{plot_right}" y="{HEIGHT - 8}" text-anchor="end">'
        f"{escape(f'{points[-1][0]:{time_format}}')}</text>",
    ]
    if zero_line and low < 0 < high:
        parts.append(
            f'<line class="zero" x1="{MARGIN_LEFT}" y1="{y(0):.1f}" x2="{plot_right}" '
            f'y2="{y(0):.1f}"/>'
        )
    parts += [f'<polyline class="line" points="{path}"/>', dots, "</svg>"]
    return mark_safe("".join(parts))
