import numpy as np

from tingsu.triage.learning import pipeline as P
from tingsu.triage.learning.tests.fixtures import complaints, write_csv


def test_normalize_folds_full_width_and_case():
    assert P.normalize("  ＡＢＣ　退款\n了 ") == "abc 退款 了"


def test_the_fast_predictor_gives_the_pipelines_own_probabilities():
    rows = complaints()
    texts, labels = [t for t, _ in rows], [lab for _, lab in rows]
    pipe = P.build_pipeline(len(texts)).fit(texts, labels)
    fast = P.Predictor(pipe)
    probe = ["快递太慢，包裹丢了", "charged twice", "无关的话", ""]
    expected = pipe.predict_proba(probe)
    got = np.array([fast.proba(t) for t in probe])
    assert np.allclose(expected, got, atol=1e-6)
    assert fast.predict("重复扣款，退款没到账")[0] == "billing"


def test_it_beats_both_baselines_on_the_synthetic_set():
    rows = complaints(per_class=40)
    rep = P.evaluate([t for t, _ in rows], [lab for _, lab in rows])
    assert rep["macro_f1"] > rep["baselines"]["majority"]["macro_f1"]
    assert {c["label"] for c in rep["per_class"]} == {"quality", "delivery", "billing"}


def test_the_keyword_baseline_votes_by_class_keywords():
    base = P.KeywordBaseline(k=5).fit(
        ["快递太慢了", "快递很慢", "重复扣款", "扣款两次", "parcel lost", "charged twice"],
        ["delivery", "delivery", "billing", "billing", "delivery", "billing"],
    )
    assert base.predict(["快递", "扣款了", "nothing"])[:2] == ["delivery", "billing"]


def test_read_csv_skips_and_counts_rows_with_an_empty_text(tmp_path):
    path = write_csv(tmp_path / "d.csv", complaints(per_class=3), blanks=2)
    data = P.read_csv(str(path), "body", "kind")
    assert len(data.texts) == 9
    assert data.skipped == 2
