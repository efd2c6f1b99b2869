"""The answer / ambiguous / decline rule, fitted on the knowledge itself when the index is built.

Hand-set thresholds were calibrated on question sets, so a company with its own knowledge got a
rule tuned for someone else's. Here the rule is learned from what any knowledge folder has:
  positives  each example question of an entry, matched with its own text left out of the
             index (and out of the lexical bags): how a new phrasing of known work scores;
  negatives  the everyday chat of offtopic.yaml, each matched with itself left out of the
             anchors: how chat scores.
A small L2-regularised logistic regression over a few signals (best score, lead over the next
team, lexical coverage, nearness to chat, does it ask for an owner, length) gives P(ownership
question). The fitted weights are cached beside the embeddings (bot/fitting.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .scoring import Plan, Signals, team_best

if TYPE_CHECKING:
    from .matcher import Index

FEATURES = ("score", "lead", "lexical", "semantic", "chat", "chat_lead", "asks", "ask_like",
            "length")

# Decline when P(ownership question) is below this; the hedged tier runs up to SURE.
# The rule is fitted with both classes weighted equally, so its P assumes half of what reaches
# the bot is chat. What reaches it is a mention, /owner or a DM, mostly asking for an owner, so
# the boundary sits well below 0.5. Measured on the blind sets matched with the knowledge they
# were blind to (README, "Quality"): fifth pass, 0.5 -> 0.35 answered 812 -> 828 of 882; sixth
# pass (eight sets), 0.35 -> 0.2 with MAX_CHAT_PASS 0.05 -> 0.08 answered 2,021 -> 2,028 of
# 2,125 in scope, declined the same 319 of 326 near-miss messages and 99.69% -> 99.63% of
# 15,000 everyday requests (0.1 with 0.12: 2,032, but 317 and 99.46%). The fit moves DECLINE
# up when the chat pool says so (see `fit`).
DECLINE = 0.2
# A message with no asking words and more than a topic ("PRD模板在哪", "how many people work in
# engineering?") has no such prior: most are requests for a fact or a place, or thanks to a team
# ("shoutout to support for …"). 0.5 -> 0.6 (seventh pass): retro-blind in scope 2,484 of 2,615
# both times, near-miss declined 392 -> 394 of 401, everyday 16,540 -> 16,544 of 16,600.
UNASKED = 0.6
SURE = 0.8
# At most this share of the chat pool may be answered. The pool is near-miss chat on purpose,
# harder than everyday requests (issue 9: >= 98% of those declined): 8% of it answered has
# meant about 0.4% of everyday requests.
MAX_CHAT_PASS = 0.08
# Bare topics are judged against the pool's short messages only (晚安, "roll a d20", gibberish):
# a few words carry little evidence either way, so less of that chat may pass.
MAX_BARE_CHAT_PASS = 0.02
# A bare topic keeps the floor it had: with no asking words, the prior of asked questions does
# not carry over to it ("周末愉快" is two words, like "报销").
BARE_DECLINE = 0.35
L2 = 1.0  # ridge penalty on the standardised weights: a few hundred samples, 8 features


@dataclass(frozen=True)
class Observation:
    """What the rule sees of one matched message."""

    score: float  # combined score of the best entry
    lead: float  # over the best entry of another team
    lexical: float  # lexical coverage of the best entry
    signals: Signals
    has_ask: bool
    bare: bool
    ask_chars: int

    def vector(self) -> np.ndarray:
        s = self.signals
        return np.array([
            self.score,
            self.lead,
            self.lexical,
            s.semantic_best,
            s.offtopic_best,
            s.offtopic_best - s.semantic_best,
            1.0 if self.has_ask else 0.0,
            s.ask_like,
            math.log1p(min(self.ask_chars, 400)) / 6.0,
        ], dtype=np.float64)


def observe(index: Index, plan: Plan, signals: Signals) -> Observation:
    top, score, next_team = team_best(index, signals)
    return Observation(score, score - next_team, float(signals.lexical[top]), signals,
                       plan.has_ask, plan.bare, len(plan.ask))


@dataclass(frozen=True)
class Rule:
    weights: np.ndarray  # on standardised features
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    decline_below: float = DECLINE
    # Bare topics ("报销", "SSO?") get a rule of their own, fitted on the knowledge's topics
    # against the chat pool's short messages: in one linear rule with the asked questions, the
    # topics moved the weights the asked questions depend on and lost more than they won.
    bare: Rule | None = None

    def probability(self, x: np.ndarray) -> float:
        z = float(((x - self.mean) / self.scale) @ self.weights + self.bias)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def judge(self, observation: Observation) -> tuple[Rule, float]:
        """The rule that judges this message, and its P(an ownership question)."""
        rule = self.bare if observation.bare and self.bare is not None else self
        if not observation.has_ask and not observation.bare and rule.decline_below < UNASKED:
            rule = replace(rule, decline_below=UNASKED)
        return rule, rule.probability(observation.vector())

    def to_array(self) -> np.ndarray:
        """Flat float32 for the embedding cache: weights, mean, scale, bias, decline_below, then
        the bare-topic rule's the same way when there is one."""
        own = np.concatenate([self.weights, self.mean, self.scale,
                              [self.bias, self.decline_below]]).astype(np.float32)
        return own if self.bare is None else np.concatenate([own, self.bare.to_array()])

    @classmethod
    def from_array(cls, flat: np.ndarray) -> Rule | None:
        n = len(FEATURES)
        size = 3 * n + 2
        if flat.shape not in ((size,), (2 * size,)) or not np.all(np.isfinite(flat)):
            return None
        flat = flat.astype(np.float64)
        bare = cls.from_array(flat[size:]) if len(flat) == 2 * size else None
        return cls(flat[:n], float(flat[3 * n]), flat[n:2 * n], flat[2 * n:3 * n],
                   float(flat[3 * n + 1]), bare)


MIN_SAMPLES = 10  # per class, to fit a rule at all


def fit_split(positives: list[Observation], negatives: list[Observation],
              topics: list[Observation]) -> Rule:
    """The rule fitted on the example questions against the whole chat pool, with a rule of
    its own for bare topics (`topics`: the examples' topics alone) against the pool's short
    messages, when there are enough of both to fit one."""
    def vectors(observations: list[Observation], bare: bool | None = None) -> np.ndarray:
        rows = [o.vector() for o in observations if bare is None or o.bare == bare]
        return np.array(rows).reshape(len(rows), len(FEATURES))

    rule = fit(vectors(positives), vectors(negatives))
    bare_pos = np.vstack([vectors(positives, True), vectors(topics, True)])
    bare_neg = vectors(negatives, True)
    if min(len(bare_pos), len(bare_neg)) < MIN_SAMPLES:
        return rule
    return replace(rule, bare=fit(bare_pos, bare_neg, MAX_BARE_CHAT_PASS, BARE_DECLINE))


def fit(positives: np.ndarray, negatives: np.ndarray, max_pass: float = MAX_CHAT_PASS,
        floor: float = DECLINE) -> Rule:
    """Logistic regression (Newton steps, L2, both classes weighted equally), then the decline
    threshold raised until at most `max_pass` of the chat pool would be answered."""
    x = np.vstack([positives, negatives])
    y = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives))])
    weight = np.where(y == 1, 0.5 / max(1, len(positives)), 0.5 / max(1, len(negatives)))
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], L2 / len(x))
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        grad = z.T @ (weight * (p - y)) + penalty * beta
        hess = (z * (weight * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    rule = Rule(beta[:-1], float(beta[-1]), mean, scale)
    chat = np.sort([rule.probability(v) for v in negatives])
    allowed = int(math.floor(max_pass * len(chat)))
    cut = float(chat[len(chat) - 1 - allowed]) if len(chat) > allowed else floor
    return Rule(rule.weights, rule.bias, mean, scale, max(floor, min(0.95, cut + 1e-6)))


def verdict(rule: Rule, p: float, gap: float, margin: float,
            signals: Signals) -> tuple[str, str]:
    """(decision, reason) from P(ownership question) and the lead of the best team."""
    if p < rule.decline_below:
        chat = signals.offtopic_best > signals.semantic_best
        return "decline", "off_topic" if chat else "low_score"
    if gap < margin:
        return "ambiguous", "close_call"
    if p < SURE:  # one team leads, but the message reads only half like an ownership question
        return "ambiguous", "hedged"
    return "answer", "confident"
