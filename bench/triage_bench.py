"""Classification benchmark for BENCHMARKS.md. Reads the evaluation data from the given paths
(never copied into the repository) and prints the figures.

    .venv/bin/python bench/triage_bench.py \
        --zh ../shared/data/zh-ecommerce-reviews/online_shopping_10_cats.csv \
        --cfpb ../shared/data/en-cfpb-complaints/complaints_sample.csv
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tingsu.triage.learning import pipeline as P  # noqa: E402


def latency(predictor: P.Predictor, texts: list[str]) -> dict[str, float]:
    times = []
    for text in texts:
        t = time.perf_counter()
        predictor.predict(text)
        times.append(time.perf_counter() - t)
    times.sort()
    return {
        "single_median_ms": round(1000 * statistics.median(times), 3),
        "single_p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 3),
        "cases": len(times),
    }


def throughput(pipe, texts: list[str]) -> float:
    t = time.perf_counter()
    pipe.predict(texts)
    return round(len(texts) / (time.perf_counter() - t), 1)


def evaluate(name: str, path: str, text_col: str, label_col: str) -> dict:
    data = P.read_csv(path, text_col, label_col)
    print(f"== {name}: {len(data.texts)} rows, {data.skipped} skipped (empty text or label)")
    rep = P.evaluate(data.texts, data.labels, log=lambda m: print("  ", m, file=sys.stderr))
    print(P.format_report(rep))
    x_train, x_test, y_train, _y_test, _rare = P.split(data.texts, data.labels)
    pipe = P.build_pipeline(len(x_train)).fit(x_train, y_train)
    rep["latency"] = latency(P.Predictor(pipe), x_test[:2000])
    rep["batch_cases_per_s"] = throughput(pipe, x_test)
    print("latency:", rep["latency"], "batch cases/s:", rep["batch_cases_per_s"])
    return rep


def build_100k(path: str, n: int, parts: int) -> tuple[list[str], list[str]]:
    """n synthetic cases: each joins `parts` random texts of one label (sampling with
    replacement), so a case reads like a complaint of a few sentences."""
    data = P.read_csv(path, "review", "cat")
    by_label = defaultdict(list)
    for text, label in zip(data.texts, data.labels, strict=True):
        by_label[label].append(text)
    rng = random.Random(P.SEED)
    labels = sorted(by_label)
    texts, ys = [], []
    for _ in range(n):
        label = rng.choice(labels)
        texts.append(" ".join(rng.choice(by_label[label]) for _ in range(parts)))
        ys.append(label)
    return texts, ys


def train_100k(path: str, n: int, parts: int) -> dict:
    texts, labels = build_100k(path, n, parts)
    mean_chars = round(sum(map(len, texts)) / len(texts), 1)
    print(f"== training on {n} cases (mean {mean_chars} characters)")
    pipe = P.build_pipeline(n)
    t = time.perf_counter()
    pipe.fit(texts, labels)
    train_s = round(time.perf_counter() - t, 2)
    held = build_100k(path, 2000, parts)[0]
    out = {
        "cases": n,
        "mean_chars": mean_chars,
        "train_s": train_s,
        "features": len(pipe.named_steps["tfidf"].vocabulary_),
        "latency": latency(P.Predictor(pipe), held),
        "batch_cases_per_s": throughput(pipe, held),
    }
    print(out)
    return out


def main() -> None:
    warnings.filterwarnings("ignore", category=UserWarning)
    ap = argparse.ArgumentParser()
    ap.add_argument("--zh", required=True, help="online_shopping_10_cats.csv")
    ap.add_argument("--cfpb", required=True, help="complaints_sample.csv")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--parts", type=int, default=2)
    ap.add_argument("--json", help="write all figures to this file")
    ap.add_argument("--only", choices=["all", "eval", "train"], default="all")
    args = ap.parse_args()
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}")
    print(f"load average: {os.getloadavg()}")
    results = {}
    if args.only in ("all", "eval"):
        results["category_zh"] = evaluate("category (zh e-commerce)", args.zh, "review", "cat")
        results["product_cfpb"] = evaluate(
            "product (CFPB)", args.cfpb, "Consumer complaint narrative", "Product"
        )
    if args.only in ("all", "train"):
        results["train_100k"] = train_100k(args.zh, args.n, args.parts)
    print(f"load average: {os.getloadavg()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
