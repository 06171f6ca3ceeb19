"""The classifier itself, free of Django: text normalisation, the model, two baselines and the
evaluation report. Used by the `triage` command, the services and bench/triage_bench.py.

Model: character n-gram TF-IDF (analyzer "char_wb", so it works for Chinese and English alike,
with no word segmentation and no download) and a linear classifier. See BENCHMARKS.md.
"""

from __future__ import annotations

import csv
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.feature_selection import chi2
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.metrics import precision_recall_fscore_support as prfs
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

SEED = 42
# Only the start of a very long text is read: it bounds training and inference time, and the
# opening of a complaint says what it is about.
MAX_CHARS = 1000
NGRAM_RANGE = (1, 3)
MAX_FEATURES = 300_000
MIN_DF = 2
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width, compatibility forms), lowercase, one space."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_CHARS]
    return _SPACES.sub(" ", text.lower()).strip()


def build_pipeline(n_samples: int | None = None) -> Pipeline:
    """TF-IDF over character 1-3-grams inside word boundaries + logistic regression by SGD.

    SGD with log loss trains in one pass over sparse data per epoch, so 100k cases fit in
    well under two minutes on two cores, and it gives probabilities for the confidence.
    """
    min_df = MIN_DF if (n_samples or 0) >= 200 else 1
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=NGRAM_RANGE,
                    preprocessor=normalize,
                    sublinear_tf=True,
                    min_df=min_df,
                    max_df=0.9 if (n_samples or 0) >= 200 else 1.0,
                    max_features=MAX_FEATURES,
                    dtype=np.float32,
                ),
            ),
            (
                "clf",
                SGDClassifier(
                    loss="log_loss",
                    alpha=_alpha(n_samples),
                    max_iter=50,
                    tol=1e-4,
                    class_weight="balanced",
                    random_state=SEED,
                    n_jobs=2,  # one-vs-rest classes in parallel threads
                ),
            ),
        ]
    )


def _alpha(n_samples: int | None) -> float:
    # Less regularisation for more data; tiny synthetic sets need a little more.
    n = n_samples or 10_000
    return 1e-5 if n >= 20_000 else (2e-5 if n >= 2_000 else 1e-4)


def predict_with_confidence(pipeline: Pipeline, texts: Sequence[str]) -> list[tuple[str, float]]:
    """[(label, confidence)] — confidence is the class probability of the predicted label."""
    proba = pipeline.predict_proba(list(texts))
    classes = pipeline.classes_
    best = proba.argmax(axis=1)
    return [(str(classes[i]), float(proba[row, i])) for row, i in enumerate(best)]


class Predictor:
    """One text at a time, fast: the fitted pipeline's own arithmetic (analyzer, vocabulary,
    sublinear tf x idf, l2 norm, one-vs-rest logistic scores normalised to sum to 1) without
    scikit-learn's per-call input validation, which costs more than the maths for one text.
    Gives the same probabilities as pipeline.predict_proba (tests check it)."""

    def __init__(self, pipeline: Pipeline) -> None:
        tfidf = pipeline.named_steps["tfidf"]
        clf = pipeline.named_steps["clf"]
        self.analyze = tfidf.build_analyzer()
        self.vocab = tfidf.vocabulary_
        self.idf = tfidf.idf_.astype(np.float64)
        self.coef_t = np.ascontiguousarray(clf.coef_.T)
        self.intercept = clf.intercept_
        self.classes = [str(c) for c in clf.classes_]

    def proba(self, text: str) -> np.ndarray:
        counts = Counter(self.analyze(text))
        vocab = self.vocab
        pairs = [(vocab[g], n) for g, n in counts.items() if g in vocab]
        if pairs:
            idx = np.fromiter((i for i, _n in pairs), dtype=np.intp, count=len(pairs))
            tf = np.fromiter((n for _i, n in pairs), dtype=np.float64, count=len(pairs))
            w = (1.0 + np.log(tf)) * self.idf[idx]
            w /= np.sqrt(w @ w)
            scores = w @ self.coef_t[idx] + self.intercept
        else:
            scores = self.intercept.astype(np.float64)
        p = 1.0 / (1.0 + np.exp(-scores))
        if len(self.classes) == 2:
            return np.array([1.0 - p[0], p[0]])
        return p / p.sum()

    def predict(self, text: str) -> tuple[str, float]:
        p = self.proba(text)
        i = int(p.argmax())
        return self.classes[i], float(p[i])


# ---------------------------------------------------------------------------------------------
# Baselines


class MajorityBaseline:
    """Always predicts the most frequent training label."""

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> MajorityBaseline:
        counts = Counter(labels)
        self.label = max(sorted(counts), key=lambda lab: counts[lab])
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.label] * len(texts)


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KEY_RUN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}_]{{2,}}")
_CJK_RUN = re.compile(rf"[{_CJK}]+")


def keyword_terms(text: str) -> list[str]:
    """Keyword candidates: each word of two or more letters/digits, and for Chinese (no spaces
    between words) each pair of adjacent characters."""
    terms = []
    for run in _KEY_RUN.findall(normalize(text)):
        if _CJK_RUN.fullmatch(run):
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            terms.append(run)
    return terms


class KeywordBaseline:
    """Per-class keyword lists picked from the training set, then a vote.

    For each class, the candidate terms (see keyword_terms) present in at least 3 training
    texts are scored by chi-squared of "text contains term" against "text is in this class"
    (one-vs-rest); the top `k` terms that are more frequent inside the class than outside
    become that class's keywords. A text is given the class whose keywords it contains most
    (distinct keywords counted once); ties go to the more frequent class, and a text with no
    keyword at all gets the majority class.
    """

    def __init__(self, k: int = 20) -> None:
        self.k = k

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> KeywordBaseline:
        vec = CountVectorizer(
            analyzer=keyword_terms, binary=True, min_df=min(3, max(1, len(texts) // 50))
        )
        x = vec.fit_transform(texts)
        terms = vec.get_feature_names_out()
        y = np.asarray(labels)
        counts = Counter(labels)
        self.classes = sorted(counts, key=lambda lab: (-counts[lab], lab))
        self.keywords: dict[str, set[str]] = {}
        for cls in self.classes:
            inside = y == cls
            scores, _ = chi2(x, inside)
            scores = np.nan_to_num(scores)
            rate_in = np.asarray(x[inside].mean(axis=0)).ravel()
            rate_out = np.asarray(x[~inside].mean(axis=0)).ravel() if (~inside).any() else 0
            scores[rate_in <= rate_out] = -1
            top = np.argsort(-scores)[: self.k]
            self.keywords[cls] = {terms[i] for i in top if scores[i] > 0}
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        out = []
        for text in texts:
            present = set(keyword_terms(text))
            hits = [(len(present & self.keywords[c]), -rank) for rank, c in enumerate(self.classes)]
            best = max(range(len(hits)), key=lambda i: hits[i])
            out.append(self.classes[best] if hits[best][0] else self.classes[0])
        return out


# ---------------------------------------------------------------------------------------------
# Data and evaluation


@dataclass
class Dataset:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    skipped: int = 0


def read_csv(
    path: str,
    text_col: str | Sequence[str],
    label_col: str,
    *,
    limit: int | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> Dataset:
    """Read (text, label) rows; `text_col` may name several columns, joined by a newline.
    Rows with an empty text or label are skipped and counted."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    cols = [text_col] if isinstance(text_col, str) else list(text_col)
    data = Dataset()
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in [*cols, label_col] if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f"column(s) {', '.join(missing)} not in {path} "
                f"(it has: {', '.join(reader.fieldnames or [])})"
            )
        rows: Iterable = reader
        if progress:
            rows = progress(rows)
        for row in rows:
            text = "\n".join((row.get(c) or "").strip() for c in cols).strip()
            label = (row.get(label_col) or "").strip()
            if not text or not label:
                data.skipped += 1
                continue
            data.texts.append(text)
            data.labels.append(label)
            if limit and len(data.texts) >= limit:
                break
    return data


def split(
    texts: Sequence[str], labels: Sequence[str], *, test_size: float = 0.2
) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """Stratified split with a fixed seed. Labels with fewer than 2 examples cannot be
    stratified and are left out (returned last)."""
    counts = Counter(labels)
    rare = sorted(lab for lab, n in counts.items() if n < 2)
    keep = [i for i, lab in enumerate(labels) if counts[lab] >= 2]
    x = [texts[i] for i in keep]
    y = [labels[i] for i in keep]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, stratify=y, random_state=SEED
    )
    return x_train, x_test, y_train, y_test, rare


def scores(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, float]:
    return {
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, average="macro", zero_division=0)), 4),
    }


def report(
    y_true: Sequence[str], y_pred: Sequence[str], *, top_confusions: int = 10
) -> dict[str, Any]:
    """accuracy, macro_f1, weighted_f1, per_class (precision/recall/f1/support), confusions."""
    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, s = prfs(y_true, y_pred, labels=labels, zero_division=0)
    per_class = [
        {
            "label": lab,
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(s[i]),
        }
        for i, lab in enumerate(labels)
    ]
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    np.fill_diagonal(cm, 0)
    pairs = [
        {"true": labels[i], "predicted": labels[j], "count": int(cm[i, j])}
        for i, j in zip(*np.nonzero(cm), strict=True)
    ]
    pairs.sort(key=lambda c: (-c["count"], c["true"], c["predicted"]))
    return {
        **scores(y_true, y_pred),
        "weighted_f1": round(
            float(f1_score(y_true, y_pred, average="weighted", zero_division=0)), 4
        ),
        "per_class": per_class,
        "confusions": pairs[:top_confusions],
    }


def evaluate(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    test_size: float = 0.2,
    log: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    """Split, fit the model and both baselines, and return the full report."""
    timings: dict[str, float] = {}
    x_train, x_test, y_train, y_test, rare = split(texts, labels, test_size=test_size)
    log(f"split: {len(x_train)} train, {len(x_test)} test, {len(set(y_train))} labels")
    pipe = build_pipeline(len(x_train))
    t0 = time.perf_counter()
    log("vectorizing the training texts")
    x = pipe.named_steps["tfidf"].fit_transform(x_train)
    timings["vectorize_s"] = round(time.perf_counter() - t0, 3)
    log(f"fitting the classifier on {x.shape[1]} features")
    t1 = time.perf_counter()
    pipe.named_steps["clf"].fit(x, y_train)
    timings["fit_s"] = round(time.perf_counter() - t1, 3)
    timings["train_s"] = round(time.perf_counter() - t0, 3)
    log("predicting the test texts")
    t2 = time.perf_counter()
    y_pred = list(pipe.predict(x_test))
    elapsed = time.perf_counter() - t2
    timings["predict_batch_s"] = round(elapsed, 3)
    timings["predict_ms_per_case_batch"] = round(1000 * elapsed / max(1, len(x_test)), 4)
    out = report(y_test, y_pred)
    log("fitting the baselines")
    baselines = {}
    for name, base in (("majority", MajorityBaseline()), ("keyword", KeywordBaseline())):
        base.fit(x_train, y_train)
        baselines[name] = scores(y_test, base.predict(x_test))
    return {
        **out,
        "baselines": baselines,
        "n_train": len(x_train),
        "n_test": len(x_test),
        "labels": sorted(set(y_train)),
        "dropped_rare_labels": rare,
        "features": int(x.shape[1]),
        "timings": timings,
        "model": describe(pipe),
    }


def describe(pipe: Pipeline) -> str:
    tfidf = pipe.named_steps["tfidf"]
    clf = pipe.named_steps["clf"]
    return (
        f"TfidfVectorizer(analyzer={tfidf.analyzer!r}, ngram_range={tfidf.ngram_range}, "
        f"sublinear_tf=True, min_df={tfidf.min_df}, max_features={tfidf.max_features}) + "
        f"{type(clf).__name__}(loss={getattr(clf, 'loss', '')!r}, alpha={clf.alpha})"
    )


def format_report(rep: dict[str, Any]) -> str:
    """The report as plain text for the console."""
    lines = [
        f"model: {rep.get('model', '')}",
        f"train: {rep.get('n_train')}  test: {rep.get('n_test')}  features: {rep.get('features')}",
        "",
        f"accuracy  {rep['accuracy']:.4f}",
        f"macro-F1  {rep['macro_f1']:.4f}",
    ]
    for name, b in rep.get("baselines", {}).items():
        lines.append(
            f"baseline {name:<9} accuracy {b['accuracy']:.4f}  macro-F1 {b['macro_f1']:.4f}"
        )
    width = max([len(c["label"]) for c in rep["per_class"]] + [5])
    lines += ["", f"{'label':<{width}}  precision  recall     f1  support"]
    for c in rep["per_class"]:
        lines.append(
            f"{c['label']:<{width}}  {c['precision']:9.4f}  {c['recall']:6.4f}  {c['f1']:.4f}"
            f"  {c['support']:7d}"
        )
    lines += ["", "largest confusions (true -> predicted: count)"]
    for c in rep["confusions"]:
        lines.append(f"  {c['true']} -> {c['predicted']}: {c['count']}")
    if not rep["confusions"]:
        lines.append("  none")
    if rep.get("timings"):
        lines += ["", "timings: " + ", ".join(f"{k}={v}" for k, v in rep["timings"].items())]
    return "\n".join(lines)
