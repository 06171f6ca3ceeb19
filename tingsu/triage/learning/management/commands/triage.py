"""`tingsu triage train` and `tingsu triage evaluate` (README "Triage"; figures in
BENCHMARKS.md)."""

import json
import sys
import time
import warnings
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tingsu.triage.learning import pipeline as P
from tingsu.triage.learning.models import Target
from tingsu.triage.learning.services import model_train, training_data_from_db


def _progress(desc: str):
    return lambda rows: tqdm(rows, desc=desc, unit=" rows", file=sys.stderr, mininterval=0.5)


class Command(BaseCommand):
    help = "Train or evaluate the triage classifier."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        train = sub.add_parser("train", help="train and store a new model version")
        train.add_argument("--target", choices=Target.values, default=Target.CATEGORY)
        train.add_argument("--data", help="a CSV file instead of the database")
        train.add_argument("--text-col", action="append", help="text column (repeatable)")
        train.add_argument("--label-col")
        train.add_argument("--limit", type=int)
        train.add_argument("--activate", action="store_true", help="use it right away")
        ev = sub.add_parser("evaluate", help="hold out a test set and print the report")
        ev.add_argument("--data", required=True)
        ev.add_argument("--text-col", action="append", required=True)
        ev.add_argument("--label-col", required=True)
        ev.add_argument("--test-size", type=float, default=0.2)
        ev.add_argument("--json", help="also write the report to this file")
        ev.add_argument("--limit", type=int)

    def handle(self, *args, **opts):
        warnings.filterwarnings("ignore", module="sklearn")
        if opts["sub"] == "train":
            self.train(opts)
        else:
            self.evaluate(opts)

    def log(self, msg: str) -> None:
        self.stderr.write(f"[{time.strftime('%H:%M:%S')}] {msg}")

    def load(self, opts) -> P.Dataset:
        if not opts.get("text_col") or not opts.get("label_col"):
            raise CommandError("--data needs --text-col and --label-col")
        try:
            data = P.read_csv(
                opts["data"],
                opts["text_col"],
                opts["label_col"],
                limit=opts.get("limit"),
                progress=_progress("reading"),
            )
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.log(f"{len(data.texts)} rows read, {data.skipped} skipped (empty text or label)")
        return data

    def train(self, opts) -> None:
        if opts["data"]:
            data = self.load(opts)
            texts, labels, source = data.texts, data.labels, f"csv:{Path(opts['data']).name}"
        else:
            texts, labels = training_data_from_db(target=opts["target"])
            source = "database"
            self.log(f"{len(texts)} resolved or closed cases with a {opts['target']}")
        try:
            model = model_train(
                target=opts["target"],
                texts=texts,
                labels=labels,
                source=source,
                activate=opts["activate"],
                log_fn=self.log,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        m = model.metrics
        scores = (
            f" accuracy {m['accuracy']:.4f}, macro-F1 {m['macro_f1']:.4f}"
            if "accuracy" in m
            else ""
        )
        state = "in use" if model.is_active else "not in use; choose it in admin"
        self.stdout.write(
            f"Stored {model} ({model.trained_on} cases, {len(model.labels)} labels,{scores}); "
            f"{state}."
        )

    def evaluate(self, opts) -> None:
        data = self.load(opts)
        if not 0 < opts["test_size"] < 1:
            raise CommandError("--test-size must be between 0 and 1")
        t = time.perf_counter()
        try:
            rep = P.evaluate(data.texts, data.labels, test_size=opts["test_size"], log=self.log)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        rep["timings"]["total_s"] = round(time.perf_counter() - t, 3)
        rep["skipped_rows"] = data.skipped
        rep["data"] = {"file": opts["data"], "text": opts["text_col"], "label": opts["label_col"]}
        self.stdout.write(P.format_report(rep))
        if opts["json"]:
            Path(opts["json"]).write_text(json.dumps(rep, ensure_ascii=False, indent=2))
            self.log(f"report written to {opts['json']}")
