"""Text similarity for "the same matter": cosine of character-bigram counts.

Character n-grams work for Chinese (no word boundaries) and English alike, with no
dictionary. Whitespace and punctuation are dropped and Latin letters case-folded first.
"""

import math
import unicodedata
from collections import Counter


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in ("L", "N"))


def char_ngrams(text: str, n: int = 2) -> Counter[str]:
    text = normalise(text)
    if len(text) < n:
        return Counter([text]) if text else Counter()
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def text_similarity(a: str, b: str) -> float:
    """Cosine similarity of the two texts' character bigrams, 0.0 .. 1.0."""
    va, vb = char_ngrams(a), char_ngrams(b)
    if not va or not vb:
        return 0.0
    dot = sum(count * vb[gram] for gram, count in va.items() if gram in vb)
    norm = math.sqrt(sum(c * c for c in va.values())) * math.sqrt(sum(c * c for c in vb.values()))
    return dot / norm if norm else 0.0
