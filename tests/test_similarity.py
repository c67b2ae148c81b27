"""Similar submissions: copies of real and generated models and of solution code are flagged,
independent real files are not, and the reasons reach the CSV, the JSON and the HTML."""

import csv
import json

import numpy as np
import pytest
from conftest import SHARED_MODELS, small_forecaster

from grader.batch.similarity.code import code_print
from grader.batch.similarity.compare import Subject, compare_class
from grader.batch.similarity.fingerprint import Answers, Evidence, evidence_of, weights_of
from grader.spec import PROJECT_ROOT

REAL_GROUP = ("Jeong-Kyu__A_study", "dongjaeseo__Study", "sswwd95__Study")  # the exam's sunspots template, 3 people


def _noisy(keras, model, seed=3):
    """The model with every weight multiplied by 1 + 1% Gaussian noise."""
    rng = np.random.default_rng(seed)
    copy = keras.models.clone_model(model)
    copy.set_weights([w * (1 + 0.01 * rng.standard_normal(w.shape)).astype(np.float32) for w in model.get_weights()])
    return copy


def _subject(name, model):
    return Subject(name, f"{name}.keras", Evidence(weights_of(model), None))


def test_real_files_resaved_and_perturbed_copies_are_flagged_independent_ones_not(keras, tmp_path):
    if not SHARED_MODELS.is_dir():
        pytest.skip(f"real-world model files not available: {SHARED_MODELS} is absent")
    from grader.submission.load import load_model_file

    models = {name: load_model_file(SHARED_MODELS / name / "Category5_mymodel.h5", 50).model for name in REAL_GROUP}
    original = models["Jeong-Kyu__A_study"]
    original.save(tmp_path / "resaved.keras")  # .h5 re-saved as .keras: other format, layer names, no optimizer
    resaved = load_model_file(tmp_path / "resaved.keras", 50).model
    subjects = [_subject(name, model) for name, model in models.items()]
    subjects += [_subject("resaved", resaved), _subject("noisy", _noisy(keras, original))]
    report = compare_class("sunspots", subjects)
    flagged = {(pair.a, pair.b): pair for pair in report.pairs}
    assert set(flagged) == {("Jeong-Kyu__A_study", "resaved"), ("Jeong-Kyu__A_study", "noisy"), ("noisy", "resaved")}
    assert flagged[("Jeong-Kyu__A_study", "resaved")].flagged[0] == "same"
    assert "same weights" in flagged[("Jeong-Kyu__A_study", "resaved")].reason
    assert flagged[("Jeong-Kyu__A_study", "noisy")].signals["near"]["correlation"] > 0.99


def test_a_fine_tuned_copy_shows_and_a_line_fit_is_no_evidence(keras):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 30, 1)).astype(np.float32) * 20
    y = x[:, -1] + rng.normal(size=(256, 1)).astype(np.float32)
    independents = [small_forecaster(keras, seed=seed) for seed in range(4)]
    tuned = keras.models.clone_model(independents[0])
    tuned.set_weights(independents[0].get_weights())
    tuned.compile(optimizer=keras.optimizers.Adam(3e-3), loss="huber")
    tuned.fit(x, y, epochs=3, batch_size=32, verbose=0)
    report = compare_class("task4", [_subject(f"s{i}", m) for i, m in enumerate(independents)]
                           + [_subject("tuned", tuned)])
    assert [(pair.a, pair.b, pair.flagged) for pair in report.pairs] == [("s0", "tuned", ["near"])]
    assert "near-identical weights" in report.pairs[0].reason
    handed_out = frozenset(weights_of(independents[0]).hashes)  # as a transfer task's pretrained backbone
    given = compare_class("task2", [Subject(name, name, Evidence(weights_of(model, handed_out), None))
                                    for name, model in (("s0", independents[0]), ("again", independents[0]))])
    assert given.pairs == [] and any("pretrained backbone" in note for note in given.notes)

    lines = []
    for _ in range(2):  # two exact fits of y = x + 9: the same two numbers, by necessity
        line = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        line.set_weights([np.ones((1, 1), np.float32), np.full((1,), 9.0, np.float32)])
        lines.append(line)
    line_report = compare_class("dicoding-a1", [_subject("a", lines[0]), _subject("b", lines[1])])
    assert line_report.pairs == []
    assert any("same weights are not evidence" in note for note in line_report.notes)


def test_prediction_agreement_flags_copied_mistakes_beyond_the_class_difficulty():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 5, 2000).astype(np.int32)
    difficulty = rng.uniform(0, 0.6, 2000)  # some examples are hard for everyone

    def model(seed):
        local = np.random.default_rng(seed)
        wrong = local.uniform(size=2000) < difficulty
        answers = truth.copy()
        answers[wrong] = (truth[wrong] + local.integers(1, 5, wrong.sum())) % 5
        return answers

    answers = {f"m{i}": model(i) for i in range(6)}
    copied = answers["m0"].copy()
    changed = rng.choice(2000, 100, replace=False)  # a copy that differs in 5% of its answers
    copied[changed] = truth[changed]
    answers["copy"] = copied
    subjects = [Subject(n, n, Evidence(None, Answers("classes", a, truth))) for n, a in answers.items()]
    report = compare_class("task1", subjects)
    assert [(pair.a, pair.b) for pair in report.pairs] == [("copy", "m0")]
    signal = report.pairs[0].signals["predictions"]
    assert signal["z"] > 10 and signal["share"] > 0.9 and "same" in report.pairs[0].reason
    small = compare_class("task1", subjects[:3])  # too few to know how hard each example is: not measured
    assert small.pairs == [] and any("needs 5 or more" in note for note in small.notes)


def test_code_copies_survive_renames_comments_and_reordering_but_starter_code_does_not_count(tmp_path):
    original = (PROJECT_ROOT / "solutions" / "task4.py").read_text()
    renamed = original.replace("model", "net").replace("window", "span").replace("series", "values")
    functions = renamed.split("\ndef ")
    reordered = "\ndef ".join([functions[0], *reversed(functions[1:])])
    (tmp_path / "alice.py").write_text(original)
    (tmp_path / "bob.py").write_text("# written by bob\n" + reordered)
    starter = PROJECT_ROOT / "starter" / "task4.py"
    (tmp_path / "carol.py").write_text(starter.read_text() + "\n# TODO: not done\n")
    (tmp_path / "dave.py").write_text(starter.read_text())
    subjects = [Subject(name, f"{name}.py", code=code_print(tmp_path / f"{name}.py"))
                for name in ("alice", "bob", "carol", "dave")]
    report = compare_class("task4", subjects, starter=code_print(starter))
    assert [(pair.a, pair.b, pair.flagged) for pair in report.pairs] == [("alice", "bob", ["code"])]
    assert report.pairs[0].signals["code"]["share"] > 0.9


def test_evidence_round_trips_and_a_model_without_weights_keeps_its_answers(keras):
    model = small_forecaster(keras)

    class Scored:
        predictions = np.linspace(0, 1, 20).reshape(20, 1)
        targets = np.linspace(0, 1, 20)

    spec = pytest.importorskip("grader").task("task4")
    restored = Evidence.from_bytes(evidence_of(model, Scored, spec))
    assert restored.weights.model_hash == weights_of(model).model_hash
    assert restored.answers.kind == "values" and restored.answers.predicted.shape == (20, 1)
    assert Evidence.from_bytes(evidence_of(None, Scored, spec)).weights is None


def test_batch_similarity_writes_reasons_to_csv_json_and_html_and_compares_a_finished_run(
        tmp_path, keras, run_cli, monkeypatch):
    monkeypatch.setenv("TFCERT_DATA_DIR", str(tmp_path / "data"))
    root = tmp_path / "class"
    root.mkdir()
    for seed in range(2):
        small_forecaster(keras, seed=seed).save(root / f"student{seed}.keras")
    keras.saving.load_model(root / "student0.keras").save(root / "copycat.h5")
    (root / "<img src=x onerror=alert(1)>.py").write_text((PROJECT_ROOT / "solutions" / "task4.py").read_text())
    (root / "eve.py").write_text("# mine\n" + (PROJECT_ROOT / "solutions" / "task4.py").read_text())
    out = tmp_path / "out"
    result = run_cli("batch", "task4", root, "--out", out, "--formats", "csv,json,html", "--similarity",
                     "--allow-unisolated", "--cpu-seconds", "1")
    assert result.exit_code == 0, result.output[-2000:]
    assert "copycat ~ student0: same weights" in result.stdout
    with open(out / "similarity.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(row["a"], row["b"]) for row in rows] == [("copycat", "student0"), ("<img src=x onerror=alert(1)>", "eve")]
    assert "same weights" in rows[0]["reason"] and "same code" in rows[1]["reason"]
    report = json.loads((out / "similarity.json").read_text())
    assert report["task"] == "task4" and report["pairs"][0]["a"] == "copycat"
    assert report["pairs"][0]["signals"]["same"]["similar"] is True
    page = (out / "summary.html").read_text()
    assert '<section id="similarity">' in page and "same weights" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page  # names are text, not markup
    assert "Dense" in page and "<mark>" in page  # layers side by side, shared code marked
    assert "cheat" not in page.lower() and "copied" not in page.lower()

    again = run_cli("batch", "task4", root, "--out", out, "--formats", "json", "--similarity", "--resume",
                    "--allow-unisolated")
    assert again.exit_code == 0 and "graded now 0" in again.stdout
    assert json.loads((out / "similarity.json").read_text())["pairs"] == report["pairs"]
