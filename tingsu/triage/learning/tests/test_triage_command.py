import json

import pytest
from django.core.management import CommandError, call_command

from tingsu.cases.models import Status
from tingsu.core.testing import make_case
from tingsu.triage.learning.models import TriageModel
from tingsu.triage.learning.tests.fixtures import complaints, write_csv


def test_evaluate_prints_the_report_and_writes_json(tmp_path, capsys):
    data = write_csv(tmp_path / "d.csv", complaints(per_class=30), blanks=1)
    out = tmp_path / "r.json"
    call_command(
        "triage", "evaluate", "--data", str(data), "--text-col", "body", "--label-col", "kind",
        "--test-size", "0.3", "--json", str(out),
    )  # fmt: skip
    printed = capsys.readouterr()
    assert "macro-F1" in printed.out and "baseline keyword" in printed.out
    assert "largest confusions" in printed.out
    rep = json.loads(out.read_text())
    assert 0 <= rep["accuracy"] <= 1 and 0 <= rep["macro_f1"] <= 1
    assert set(rep["baselines"]) == {"majority", "keyword"}
    assert rep["skipped_rows"] == 1
    assert rep["n_test"] == 27
    assert {c["label"] for c in rep["per_class"]} == {"quality", "delivery", "billing"}


def test_evaluate_refuses_a_missing_column(tmp_path):
    data = write_csv(tmp_path / "d.csv", complaints(per_class=3))
    with pytest.raises(CommandError, match="nope"):
        call_command(
            "triage", "evaluate", "--data", str(data), "--text-col", "nope", "--label-col", "kind"
        )


def test_train_from_csv_stores_and_activates_a_version(db, tmp_path, capsys):
    data = write_csv(tmp_path / "d.csv", complaints(per_class=20))
    call_command(
        "triage", "train", "--data", str(data), "--text-col", "body", "--label-col", "kind",
        "--activate",
    )  # fmt: skip
    model = TriageModel.objects.get()
    assert model.is_active and model.version == 1 and model.trained_on == 60
    assert "v1" in capsys.readouterr().out


def test_train_from_the_database_uses_resolved_and_closed_cases(world, capsys):
    for i in range(3):
        make_case(description=f"杯子碎了 {i}", category=world.category, status=Status.RESOLVED)
        make_case(description=f"屏幕坏了 {i}", category=world.subcategory, status=Status.CLOSED)
    make_case(description="还没处理", category=world.category)  # open: not used
    call_command("triage", "train")
    model = TriageModel.objects.get()
    assert model.trained_on == 6
    assert model.labels == ["quality", "quality-damaged"]
    assert not model.is_active


def test_train_needs_two_labels(world):
    make_case(description="杯子碎了", category=world.category, status=Status.RESOLVED)
    with pytest.raises(CommandError, match="two different labels"):
        call_command("triage", "train")


def test_train_severity_from_the_database(world):
    for i in range(3):
        make_case(description=f"普通问题 {i}", status=Status.RESOLVED)
        make_case(description=f"媒体曝光 {i}", severity="major", status=Status.CLOSED)
    call_command("triage", "train", "--target", "severity", "--activate")
    model = TriageModel.objects.get(target="severity")
    assert model.labels == ["major", "normal"] and model.is_active
