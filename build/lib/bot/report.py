"""What people asked and what the bot could not answer: `owner-bot report`.

Figures per day, surface and language; answered / ambiguous / declined rates; 👍/👎 per area;
the areas asked about most; and the declined and 👎 questions grouped into clusters of similar
questions with the bot's own encoder, largest first, so an admin sees "23 people asked about
invoices and got nothing" and knows what to add to the knowledge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .clusters import DEFAULT_THRESHOLD, cluster
from .store import Asked

Embed = Callable[[list[str]], np.ndarray]

TOP = 10  # areas and clusters shown


@dataclass(frozen=True)
class Cluster:
    size: int  # questions in it (repeats counted)
    example: str  # the question nearest its start, as asked
    others: tuple[str, ...]  # a few more distinct wordings
    declined: int  # of which declined (the rest got a 👎)


@dataclass
class Report:
    days: int | None
    total: int = 0
    per_day: dict[str, int] = field(default_factory=dict)
    per_surface: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)
    per_lang: dict[str, tuple[int, int]] = field(default_factory=dict)  # lang: (asked, answered)
    votes: dict[str, tuple[int, int]] = field(default_factory=dict)  # entry: (up, down)
    top_areas: list[tuple[str, int]] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)

    def rate(self, decision: str) -> float:
        return self.decisions.get(decision, 0) / self.total if self.total else 0.0


def build_report(rows: Sequence[Asked], embed: Embed, days: int | None = None,
                 threshold: float = DEFAULT_THRESHOLD) -> Report:
    """The report over `rows` (Store.asked); `embed` turns questions into vectors."""
    report = Report(days=days, total=len(rows))
    report.per_day = dict(sorted(Counter(r.created_at[:10] for r in rows).items()))
    report.per_surface = dict(Counter(r.surface or "-" for r in rows).most_common())
    report.decisions = {d: sum(r.decision == d for r in rows)
                        for d in ("answer", "ambiguous", "decline")}
    for lang in sorted({r.lang for r in rows}):
        mine = [r for r in rows if r.lang == lang]
        report.per_lang[lang] = (len(mine), sum(r.decision != "decline" for r in mine))
    answered = [r for r in rows if r.decision != "decline" and r.entry]
    report.top_areas = Counter(r.entry for r in answered).most_common(TOP)  # type: ignore[misc]
    votes: dict[str, list[int]] = {}
    for r in answered:
        if r.up or r.down:
            tally = votes.setdefault(r.entry or "-", [0, 0])
            tally[0] += r.up
            tally[1] += r.down
    report.votes = {e: (u, d) for e, (u, d) in sorted(votes.items(), key=lambda kv: -kv[1][1])}
    report.clusters = missed_clusters(rows, embed, threshold)
    return report


def missed_clusters(rows: Sequence[Asked], embed: Embed,
                    threshold: float = DEFAULT_THRESHOLD) -> list[Cluster]:
    """The declined and 👎 questions, grouped; each distinct text is embedded once."""
    missed = [r for r in rows if r.decision == "decline" or r.down > r.up]
    counts = Counter(r.question for r in missed)
    declined = Counter(r.question for r in missed if r.decision == "decline")
    texts = list(counts)
    if not texts:
        return []
    groups = cluster(embed(texts), threshold)
    found = [
        Cluster(size=sum(counts[texts[i]] for i in group), example=texts[group[0]],
                others=tuple(texts[i] for i in group[1:4]),
                declined=sum(declined[texts[i]] for i in group))
        for group in groups
    ]
    return sorted(found, key=lambda c: -c.size)  # by questions asked, repeats counted


def render_text(report: Report) -> str:
    span = f"the last {report.days} days" if report.days else "all time"
    lines = [f"Owner Bot report, {span}: {report.total} questions"]
    if not report.total:
        return lines[0]
    lines.append("answered {:.0%} · ambiguous {:.0%} · declined {:.0%}".format(
        report.rate("answer"), report.rate("ambiguous"), report.rate("decline")))
    lines.append("per surface: " + ", ".join(f"{s} {n}" for s, n in report.per_surface.items()))
    lines.append("per language: " + ", ".join(
        f"{lang} {n} ({ok / n:.0%} answered)" for lang, (n, ok) in report.per_lang.items()))
    lines.append("per day: " + ", ".join(f"{d} {n}" for d, n in report.per_day.items()))
    if report.top_areas:
        lines.append("areas asked about most:")
        lines.extend(f"  {n:>5}  {entry}" for entry, n in report.top_areas)
    if report.votes:
        lines.append("votes per area (👍 / 👎):")
        lines.extend(f"  {up:>3} / {down:<3} {entry}" for entry, (up, down) in
                     list(report.votes.items())[:TOP])
    if report.clusters:
        lines.append("what it could not answer (declined or 👎), similar questions together:")
        for c in report.clusters[:TOP]:
            lines.append(f"  {c.size:>5}  {c.example!r}" + (
                f"  (also: {'; '.join(repr(o) for o in c.others)})" if c.others else ""))
    return "\n".join(lines)
