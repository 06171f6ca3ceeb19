"""Small synthetic complaints written for these tests (Chinese and English), a few dozen per
class. No evaluation data is used in tests."""

import csv
import random
from pathlib import Path

PHRASES = {
    "quality": {
        "zh": ["杯子碎了", "质量太差", "用了两天就坏了", "屏幕有划痕", "做工粗糙", "开关失灵"],
        "en": ["arrived broken", "poor quality", "stopped working", "cracked screen", "defective"],
    },
    "delivery": {
        "zh": ["快递太慢", "物流一直不更新", "包裹丢了", "配送员态度差", "送错地址", "延迟发货"],
        "en": ["late delivery", "parcel lost", "courier never came", "tracking not updated"],
    },
    "billing": {
        "zh": ["重复扣款", "退款没到账", "发票开错了", "多收了钱", "优惠券没抵扣", "账单金额不对"],
        "en": ["charged twice", "refund not received", "wrong invoice", "overcharged"],
    },
}
FILLER = {
    "zh": ["请尽快处理", "非常失望", "我要投诉", "希望给个说法", "已经联系过客服"],
    "en": ["please fix this", "very disappointed", "I want a resolution", "contacted support"],
}


def complaints(per_class: int = 30, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows = []
    for label, langs in PHRASES.items():
        for i in range(per_class):
            lang = "zh" if i % 3 else "en"
            words = rng.sample(langs[lang], 2) + [rng.choice(FILLER[lang])]
            sep = "，" if lang == "zh" else ", "
            rows.append((sep.join(words), label))
    rng.shuffle(rows)
    return rows


def write_csv(path: Path, rows: list[tuple[str, str]], *, blanks: int = 0) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["body", "kind", "other"])
        for text, label in rows:
            w.writerow([text, label, "x"])
        for _ in range(blanks):
            w.writerow(["", "quality", "x"])
    return path
