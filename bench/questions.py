"""Benchmark questions: templates filled with the knowledge's own task phrases, plus chat.

Deliberately not taken from any evaluation set: the benchmark measures speed, not accuracy, and
must not leak the held-out questions into anything tuned against it.
"""

from __future__ import annotations

import random

from bot.knowledge import Knowledge

ZH_TEMPLATES = (
    "{x}谁负责", "{x}归哪个团队", "{x}找谁", "{x}是谁的活", "请问{x}由谁来做",
    "{x}产品经理要自己做吗", "我们想{x}，应该找哪个部门？", "{x}这件事谁管",
    "@owner-bot {x} 谁来", "{x}要问谁",
)
EN_TEMPLATES = (
    "Who owns {x}?", "Which team should {x}?", "who do I ask to {x}", "Is it the PM's job to {x}?",
    "Who is responsible for the work to {x}?", "quick q: who handles {x}", "Whom do I ping to {x}?",
    "Does the product manager {x} or someone else?", "{x} - whose job is that?",
)
MIXED_TEMPLATES = ("{x} 谁负责？", "who owns {x} 这个事", "{x}归谁 (asking for a friend)")
CHAT = (
    "今天天气怎么样", "午饭吃什么好", "周末有什么好玩的", "你好呀", "哈哈哈哈", "明天几点开会来着",
    "谢谢你", "这首歌叫什么名字", "how's the weather today", "what's for lunch?", "good morning!",
    "lol that meme", "any plans for the weekend?", "thanks a lot", "can you tell me a joke",
    "what time is it in Tokyo", "hello there", "👍", "???", "好的收到",
)


def make_questions(knowledge: Knowledge, n: int = 600, seed: int = 0,
                   chat_share: float = 0.1) -> list[str]:
    """`n` questions, about half Chinese and half English, with some mixed and some chat."""
    rng = random.Random(seed)
    zh = sorted({t for e in knowledge.entries for t in (*e.tasks_zh, e.area.zh.split("：")[0])})
    en = sorted({t for e in knowledge.entries for t in e.tasks_en})
    out: list[str] = []
    for i in range(n):
        roll = rng.random()
        if roll < chat_share:
            out.append(rng.choice(CHAT))
        elif roll < chat_share + 0.05 and zh and en:
            phrase = rng.choice(zh) if i % 2 else rng.choice(en)
            out.append(rng.choice(MIXED_TEMPLATES).format(x=phrase))
        elif (i % 2 == 0 and zh) or not en:
            out.append(rng.choice(ZH_TEMPLATES).format(x=rng.choice(zh)))
        else:
            out.append(rng.choice(EN_TEMPLATES).format(x=rng.choice(en)))
    return out
