"""The report as one self-contained HTML file: inline CSS and SVG charts, no CDN, no script."""

from __future__ import annotations

from html import escape

from .report import TOP, Report

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}
table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left;border-bottom:1px solid #ddd}
td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}
"""


def bar_chart(title: str, values: dict[str, int], width: int = 640) -> str:
    """Horizontal bars, one per key, as inline SVG."""
    if not values:
        return ""
    row, label_w = 22, 170
    top = max(values.values()) or 1
    height = row * len(values) + 10
    bars = []
    for i, (label, value) in enumerate(values.items()):
        y = 5 + i * row
        w = (width - label_w - 60) * value / top
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="#4a7bd0"/><text x="{label_w + w + 6:.1f}" y="{y + 15}">{value}</text>')
    return (f"<h2>{escape(title)}</h2><svg role=\"img\" aria-label=\"{escape(title)}\" "
            f'width="{width}" height="{height}" font-size="12">{"".join(bars)}</svg>')


def _table(headers: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{v}</td>' if isinstance(v, int | float)
                         else f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
        for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(report: Report) -> str:
    span = f"the last {report.days} days" if report.days else "all time"
    parts = [f"<h1>Owner Bot report, {span}</h1>",
             f"<p>{report.total} questions · answered {report.rate('answer'):.0%} · ambiguous "
             f"{report.rate('ambiguous'):.0%} · declined {report.rate('decline'):.0%}</p>"]
    parts.append(bar_chart("Questions per day", report.per_day))
    parts.append(bar_chart("Questions per surface", report.per_surface))
    parts.append(bar_chart("Decisions", report.decisions))
    parts.append(bar_chart("Questions per language", {k: n for k, (n, _) in
                                                      report.per_lang.items()}))
    parts.append(bar_chart("Areas asked about most", dict(report.top_areas)))
    if report.votes:
        parts.append("<h2>Votes per area</h2>" + _table(
            ("area", "👍", "👎"), [(e, u, d) for e, (u, d) in list(report.votes.items())[:TOP]]))
    parts.append("<h2>What it could not answer</h2><p class=\"muted\">Declined or 👎 questions, "
                 "similar ones together, largest group first.</p>")
    parts.append(_table(("questions", "declined", "example", "also asked as"), [
        (c.size, c.declined, c.example, " · ".join(c.others)) for c in report.clusters[:50]]))
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Owner Bot report</title><style>{_STYLE}</style></head><body>"
            + "".join(parts) + "</body></html>\n")
