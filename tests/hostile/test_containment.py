"""Submitted code is contained: it cannot reach the hidden test split, peers, results, the grader's files.

Each hostile solution tries one escape from inside its training child. When the escape fails
(an OSError, as the private view and the limits make it), the solution returns a small valid
model and is graded; when it succeeds, it raises "ESCAPED", which would show in the row or the
error. The disk and CPU cases must end as a clear error of their own. Each case runs inside a
real batch (with TFCERT_SECRET set, beside honest submissions that must grade exactly as they do
alone, under bubblewrap and under the unshare fallback), and through `tfcert grade` and
`practice submit` under the machine's default sandbox.
"""

import os
import textwrap
import uuid
from pathlib import Path

import pytest

import grader
from grader.batch.run import BatchOptions, run_batch
from grader.sandbox.view import available_mechanisms

DISK_MB = 64
CPU_SECONDS = 15  # an honest tiny solution uses ~6 CPU seconds (TensorFlow's import most of it)
LIMIT_ARGS = ("--disk-mb", str(DISK_MB), "--cpu-seconds", str(CPU_SECONDS))
CONTAINED = "contained"
MECHANISMS = available_mechanisms()
pytestmark = pytest.mark.skipif(not MECHANISMS, reason="no sandbox here: neither bwrap nor unshare works")

ATTEMPT = """
import glob, os
import keras

def solution_model():
    try:
{attack}
    except OSError:  # refused, or not there: contained
        return keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    raise RuntimeError("ESCAPED: {name}")
"""

HONEST = """
import keras
import grader

def solution_model():
    grader.load_data("task4", "train")
    model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    return model
"""


def _attacks(places: dict[str, Path]) -> dict[str, str]:
    """Each escape, as the lines inside the try (they raise OSError when contained)."""
    return {
        "reads the hidden test split": """
        found = glob.glob("/tmp/tfcert-batch-*/test-split/y.npy")
        for folder, subfolders, files in os.walk("/"):  # anywhere at all in the view
            subfolders[:] = [name for name in subfolders if folder != "/" or name not in ("proc", "sys")]
            found += [os.path.join(folder, name) for name in files if name in ("x.npy", "y.npy")]
        if not found:
            raise FileNotFoundError("no hidden test split in view")
        open(found[0], "rb").read()""",
        "reads a peer's submission": f"""
        open({str(places['peer'])!r}, "rb").read()""",
        "opens the results database for writing": f"""
        open({str(places['database'])!r}, "r+b").close()""",
        "writes outside its working directory": f"""
        open({str(places['outside'])!r}, "w").write("escaped")""",
        "reads a file in the grading user's home": f"""
        open({str(places['home_secret'])!r}).read()""",
    }


LIMIT_CASES = {  # name -> (solution, words of the one-line error)
    "writes more than the disk limit": (f"""
def solution_model():
    with open("filler.bin", "wb") as file:
        for _ in range(3 * {DISK_MB}):
            file.write(b"x" * 2**20)
""", "No space left on device"),
    "spins on the CPU past the CPU limit": ("""
def solution_model():
    while True:
        pass
""", f"stopped after using its {CPU_SECONDS} s of CPU time"),
}


@pytest.fixture
def places(tmp_path, monkeypatch):
    """The things a submission must not reach, made real: a peer's file, the database, a home secret."""
    monkeypatch.setenv("TFCERT_SECRET", "instructor-only")
    peer = tmp_path / "peers" / "peer.py"
    peer.parent.mkdir()
    peer.write_text(HONEST)
    home_secret = Path.home() / f".tfcert-containment-{uuid.uuid4().hex}"
    home_secret.write_text("the grading user's secret")
    outside = tmp_path / "escaped.txt"
    yield {"peer": peer, "database": tmp_path / "results.db", "home_secret": home_secret, "outside": outside}
    home_secret.unlink(missing_ok=True)
    assert not outside.exists(), "a submission wrote outside its working directory"


def _write(folder: Path, name: str, body: str) -> Path:
    path = folder / (name.replace(" ", "_").replace("'", "") + ".py")
    path.write_text(textwrap.dedent(body))
    return path


def _hostile_files(folder: Path, places: dict) -> dict[str, Path]:
    """Every case's solution file in `folder`, by case name."""
    folder.mkdir(exist_ok=True)
    files = {name: _write(folder, name, ATTEMPT.format(attack=attack, name=name))
             for name, attack in _attacks(places).items()}
    files.update({name: _write(folder, name, body) for name, (body, _) in LIMIT_CASES.items()})
    return files


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_batch_contains_every_hostile_solution_and_grades_the_honest_ones(mechanism, places, tmp_path, keras,
                                                                              monkeypatch):
    monkeypatch.setenv("TFCERT_ISOLATION", mechanism)
    folder = tmp_path / "submissions"
    hostile = _hostile_files(folder, places)  # the batch below creates the database they attack
    honest_solution = _write(folder, "honest solution", HONEST)
    honest_model = folder / "honest_model.keras"
    keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]).save(honest_model)
    spec = grader.task("task4")
    options = BatchOptions(out=tmp_path / "out", workers=2, formats=("csv",), db=places["database"],
                           limits={"disk_mb": DISK_MB, "cpu_seconds": CPU_SECONDS})
    summary = run_batch(spec, folder, options)
    rows = {row.student: row for row in summary.rows}
    assert summary.sandbox.startswith(mechanism)
    for name, path in hostile.items():
        row = rows[path.stem]
        assert "ESCAPED" not in (row.message or ""), (name, row.message)
        if name in LIMIT_CASES:
            assert row.status == "error" and LIMIT_CASES[name][1] in row.message, (name, row.message)
        else:
            assert row.status == "graded", (name, row.status, row.message)
    limits = {"disk_mb": DISK_MB, "cpu_seconds": CPU_SECONDS}
    for path in (honest_solution, honest_model):
        alone = grader.grade(spec, path, limits=limits, log=lambda line: None)
        assert rows[path.stem].status == "graded" and rows[path.stem].value == alone.value, path.name


def test_tfcert_grade_contains_every_hostile_solution(places, tmp_path, run_cli):
    places["database"].write_bytes(b"SQLite format 3\0")
    for name, path in _hostile_files(tmp_path / "solutions", places).items():
        result = run_cli("grade", "task4", path, "--json", *LIMIT_ARGS)
        assert "ESCAPED" not in result.stderr, name
        if name in LIMIT_CASES:
            errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
            assert result.exit_code == 2 and len(errors) == 1 and LIMIT_CASES[name][1] in errors[0], name
        else:
            assert result.exit_code == 0, (name, result.stderr[-500:])


def test_practice_submit_contains_every_hostile_solution(places, tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    database = places["database"]
    assert run_cli("practice", "start", "--tasks", "task4", "--dir", tmp_path / "ws", "--db", database).exit_code == 0
    for name, path in _hostile_files(tmp_path / "solutions", places).items():
        result = run_cli("practice", "submit", "task4", path, "--db", database, *LIMIT_ARGS)
        assert "ESCAPED" not in result.stderr, name
        if name in LIMIT_CASES:
            assert result.exit_code == 2 and LIMIT_CASES[name][1] in result.stderr, name
        else:
            assert result.exit_code == 0 and "counted" in result.stdout, (name, result.stderr[-500:])
    assert os.path.getsize(database) > 0
