"""Negative sentiment by a small lexicon heuristic (no model, no hosted service).

Chinese is matched by substring, English by word. A word scores -1 (negative) or +1
(positive); an intensifier just before it doubles it; a negation just before it flips it.
It misses sarcasm and context; it is a cheap signal for triage, not an analysis.
"""

import re

NEGATIVE_ZH = [
    "垃圾",
    "骗子",
    "欺骗",
    "诈骗",
    "坑人",
    "坑",
    "太差",
    "很差",
    "差劲",
    "糟糕",
    "恶心",
    "愤怒",
    "气愤",
    "生气",
    "失望",
    "无语",
    "恶劣",
    "忍无可忍",
    "不负责任",
    "敷衍",
    "推诿",
    "踢皮球",
    "投诉无门",
    "态度差",
    "黑心",
    "霸王条款",
    "退钱",
    "骗钱",
    "难用",
    "崩溃",
    "质量差",
    "假货",
    "破损",
    "烂",
]
POSITIVE_ZH = [
    "满意",
    "感谢",
    "谢谢",
    "好评",
    "不错",
    "很好",
    "及时",
    "耐心",
    "专业",
    "点赞",
    "赞",
    "喜欢",
]
NEGATIVE_EN = set(
    [
        "terrible",
        "awful",
        "horrible",
        "worst",
        "bad",
        "scam",
        "fraud",
        "angry",
        "furious",
        "disappointed",
        "disgusting",
        "useless",
        "rude",
        "unacceptable",
        "ridiculous",
        "broken",
        "fake",
        "cheated",
        "lied",
        "misleading",
        "outraged",
    ]
)
POSITIVE_EN = set(
    ["good", "great", "thanks", "thank", "excellent", "helpful", "happy", "satisfied", "love"]
)
INTENSIFIERS_ZH = ("非常", "特别", "极其", "十分", "太", "很", "真", "超")
INTENSIFIERS_EN = {"very", "extremely", "so", "really", "totally", "absolutely"}
NEGATIONS_ZH = ("不", "没", "没有", "别", "未", "非")
NEGATIONS_EN = {"not", "no", "never", "don't", "isn't", "wasn't", "didn't", "nothing"}

WORD = re.compile(r"[a-z']+")


def _zh_score(text: str) -> int:
    total = 0
    taken: set[int] = set()
    for lexicon, sign in ((NEGATIVE_ZH, -1), (POSITIVE_ZH, 1)):
        for word in sorted(lexicon, key=len, reverse=True):
            for m in re.finditer(re.escape(word), text):
                span = set(range(m.start(), m.end()))
                if span & taken:
                    continue
                taken |= span
                value = sign
                before = text[max(0, m.start() - 3) : m.start()]
                intensifier = next((w for w in INTENSIFIERS_ZH if before.endswith(w)), "")
                if intensifier:
                    value *= 2
                    before = before[: len(before) - len(intensifier)]
                if any(n in before for n in NEGATIONS_ZH):
                    value = -value
                total += value
    return total


def _en_score(text: str) -> int:
    words = WORD.findall(text.lower())
    total = 0
    for i, w in enumerate(words):
        sign = -1 if w in NEGATIVE_EN else 1 if w in POSITIVE_EN else 0
        if not sign:
            continue
        before = words[max(0, i - 2) : i]
        if any(b in INTENSIFIERS_EN for b in before):
            sign *= 2
        if any(b in NEGATIONS_EN for b in before):
            sign = -sign
        total += sign
    return total


def sentiment_score(text: str) -> int:
    """Below zero is negative; the more negative, the angrier."""
    text = text or ""
    return _zh_score(text) + _en_score(text)
