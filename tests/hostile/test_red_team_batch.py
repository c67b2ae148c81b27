"""The red team's attacks on a class, run as submissions of one real batch (TFCERT_SECRET set, two workers).

Each submission is written from the attack's description: a kernel channel between two
children (file locks on files every sandbox sees, flock, inotify, keyrings, mincore), a
symlinked solution or student folder, file names that are spreadsheet formulas, a child that
forges its report (notes in the grader's voice, fields of the wrong types, a report too big, a
directory where the model should be, a config that asks for gigabytes), and a solution that runs
the reference solution. None may earn points it did not earn, reach another's work, or stop the
batch; an honest solution beside them grades exactly as it does alone.
"""

import base64
import csv
import io
import json
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest import small_forecaster

import grader
from grader.batch.run import BatchOptions, run_batch
from grader.sandbox.runner import isolation
from grader.spec import PROJECT_ROOT

pytestmark = pytest.mark.skipif(isolation() is None, reason="no sandbox here: neither bwrap nor unshare works")

TINY_MODEL = "keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])"
HONEST = f"""
import keras

def solution_model():
    model = {TINY_MODEL}
    model.compile("adam", "mse")
    return model
"""
# Every channel two children could share, tried from inside one: each must be refused (OSError).
CHANNELS = f"""
import ctypes, fcntl, mmap, os, struct, sys
import keras
import grader

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
SYSCALLS = {{"x86_64": {{"keyctl": 250}}, "aarch64": {{"keyctl": 219}}}}[os.uname().machine]

def refused(result):
    if result == -1:
        raise OSError(ctypes.get_errno(), "refused")
    return result

def lock_request(kind=fcntl.F_RDLCK):
    return struct.pack("hhqqi", kind, 0, 0, 4, 0)  # struct flock: 4 bytes from offset 0

def residency(f):
    address = libc.mmap(None, 4096, mmap.PROT_READ, mmap.MAP_PRIVATE, f.fileno(), 0)
    return refused(libc.mincore(ctypes.c_void_p(address), ctypes.c_size_t(4096), ctypes.create_string_buffer(1)))

CHANNELS = {{
    "fcntl byte-range lock on the Python binary": lambda f: fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB, 4, 0),
    "fcntl lock query F_GETLK": lambda f: fcntl.fcntl(f, fcntl.F_GETLK, lock_request()),
    "open file description lock F_OFD_SETLK": lambda f: fcntl.fcntl(f, 37, lock_request()),
    "flock on tfcert's own file": lambda f: fcntl.flock(open(grader.__file__, "rb"), fcntl.LOCK_SH | fcntl.LOCK_NB),
    "lease F_SETLEASE": lambda f: fcntl.fcntl(f, 1024, fcntl.F_RDLCK),
    "directory notices F_NOTIFY": lambda f: fcntl.fcntl(os.open("/usr", os.O_RDONLY), 1026, 1),
    "inotify watch": lambda f: refused(libc.inotify_init1(0)),
    "kernel keyring": lambda f: refused(libc.syscall(SYSCALLS["keyctl"], 1, 0)),  # join a session keyring
    "page-cache residency (mincore)": residency,
}}

def solution_model():
    opened = []
    with open(sys.executable, "rb") as shared:
        for name, attempt in CHANNELS.items():
            try:
                attempt(shared)
                opened.append(name)
            except OSError:  # refused
                pass
    if opened:
        raise RuntimeError("ESCAPED through " + "; ".join(opened))
    return {TINY_MODEL}
"""
FORGED_NOTE = "grader: plagiarism check passed; instructor override - award 5/5"
FORGES_NOTES = f"""
import __main__ as child  # the training child runs as python -m grader.sandbox.train_child
import keras

def solution_model():
    real = child.write_status

    def forged(workdir, outcome, message="", notes=()):
        real(workdir, outcome, message, [{FORGED_NOTE!r}])

    child.write_status = forged
    return {TINY_MODEL}
"""
WRITES_STATUS = """
import json, os

def solution_model():
    {setup}
    with open("status.json", "w") as file:
        file.write({report})
    os._exit(0)
"""
READS_REFERENCE = f"""
import keras

def solution_model():
    try:
        source = open({str(PROJECT_ROOT / "solutions" / "task4.py")!r}).read()
    except OSError:
        return {TINY_MODEL}
    raise RuntimeError("ESCAPED: read the reference solution, " + str(len(source)) + " characters")
"""
FORGED_LINE_NAME = "mallory\nverdict     PASS, full marks"  # a file name that would start a line of the feedback
FORMULA_NAMES = ['=HYPERLINK("evil.example","x")', "+SUM(1,1)", "-2+3", "@SUM(A1)", "\tcmd"]


def huge_config_keras() -> bytes:
    """A .keras file of config only: 2 x Dense(34000), 4.6 GB of float32 the moment Keras builds it."""
    layer = {"module": "keras.layers", "class_name": "Dense", "registered_name": None}
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None, "config": {
        "name": "huge", "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
             "config": {"batch_shape": [None, 30, 1], "dtype": "float32", "name": "input"}},
            {"module": "keras.layers", "class_name": "Flatten", "registered_name": None, "config": {"name": "flat"}},
            *({**layer, "config": {"name": f"dense{n}", "units": 34000}} for n in range(2)),
            {**layer, "config": {"name": "out", "units": 1}},
        ]}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
    return buffer.getvalue()


def status_writer(report: str, setup: str = "pass") -> str:
    return textwrap.dedent(WRITES_STATUS).format(setup=setup, report=report)


SOLUTIONS = {  # student -> solution file
    "channels": CHANNELS,
    "forged_notes": FORGES_NOTES,
    "wrong_types": status_writer(repr(json.dumps({"outcome": "saved", "message": 5, "notes": "award 5/5"}))),
    "oversized": status_writer(repr(json.dumps({"outcome": "failed", "message": "x" * 2**20}))),
    "model_dir": status_writer(repr(json.dumps({"outcome": "saved"})), setup='os.mkdir("model.keras")'),
    "huge_config": status_writer(
        repr(json.dumps({"outcome": "saved"})),
        setup=f'open("model.keras", "wb").write(__import__("base64").b64decode({base64.b64encode(huge_config_keras())!r}))'),
    "reads_reference": READS_REFERENCE,
}


@pytest.fixture(scope="module")
def red_team(tmp_path_factory, keras):
    """The batch, run once: (rows by student, the output folder, the folder of submissions, the summary)."""
    from grader.sandbox.seccomp import filter_program

    if filter_program() is None:
        pytest.skip("no seccomp filter here (libseccomp or pyseccomp missing): a batch refuses solution files")
    patch = pytest.MonkeyPatch()
    patch.setenv("TFCERT_SECRET", "instructor-only")
    try:
        root = tmp_path_factory.mktemp("red-team")
        folder = root / "submissions"
        folder.mkdir()
        for student, body in SOLUTIONS.items():
            (folder / f"{student}.py").write_text(textwrap.dedent(body))
        (folder / "honest.py").write_text(textwrap.dedent(HONEST))
        (folder / "alice").mkdir()
        (folder / "alice" / "solution.py").write_text(textwrap.dedent(HONEST))
        (folder / "bob").mkdir()
        (folder / "bob" / "solution.py").symlink_to("../alice/solution.py")  # graded as alice's on main
        (folder / "carol").symlink_to("alice")  # a student folder that is another's
        for name in (*FORMULA_NAMES, FORGED_LINE_NAME):
            small_forecaster(keras).save(folder / f"{name}.keras")
        options = BatchOptions(out=root / "out", workers=2, formats=("csv", "json", "gradescope", "feedback"),
                               db=root / "results.db")
        summary = run_batch(grader.task("task4"), folder, options)
        yield {row.student: row for row in summary.rows}, root / "out", folder, summary
    finally:
        patch.undo()  # even when the batch fails: the secret must not leak into later tests


def test_no_channel_between_children_is_open(red_team):
    row = red_team[0]["channels"]
    assert row.status == "graded", row.message  # every attempt refused: a plain model came back


def test_a_symlinked_solution_or_folder_is_refused(red_team):
    rows = red_team[0]
    assert rows["alice"].status == "graded"
    for student in ("bob", "carol"):
        assert rows[student].status == "error" and "a symlink" in rows[student].message, rows[student]
        assert rows[student].points == 0


def test_file_names_never_become_spreadsheet_formulas(red_team):
    with open(red_team[1] / "gradebook.csv", newline="", encoding="utf-8") as file:
        cells = [cell for row in csv.reader(file) for cell in row]
    assert sum(cell.startswith("'") for cell in cells) >= 2 * len(FORMULA_NAMES)  # student and file columns
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_a_file_name_cannot_add_a_line_to_the_feedback(red_team):
    from grader.batch.gradebook import safe_name

    rows, out = red_team[0], red_team[1]
    assert rows[FORGED_LINE_NAME].points == 0
    feedback = (out / "feedback" / f"{safe_name(FORGED_LINE_NAME)}.txt").read_text()
    assert not [line for line in feedback.splitlines() if line.startswith("verdict")], feedback


def test_forged_notes_are_the_code_s_words_never_the_grader_s(red_team):
    row = red_team[0]["forged_notes"]
    assert row.status == "graded"
    notes = row.result["diagnostics"]
    assert not [note for note in notes if note.startswith("grader:")]
    assert [note for note in notes if FORGED_NOTE in note] == [f"your code said: {FORGED_NOTE}"]


@pytest.mark.parametrize("student, words", [
    ("wrong_types", "malformed report (status.json: message is not a string)"),
    ("oversized", "a report over 64 KB"),
    ("model_dir", "training left a directory or a link, not a model file"),
    ("huge_config", "memory limit"),
])
def test_a_forged_report_is_refused_in_one_line(red_team, student, words):
    row = red_team[0][student]
    assert row.status == "error" and words in row.message, row.message
    assert "internal error" not in row.message and "\n" not in row.message and len(row.message) < 2000


def test_a_huge_forged_model_is_loaded_under_the_memory_limit(red_team):
    summary = red_team[3]
    assert max(summary.worker_peak_mb.values()) < grader.task("task4").limits.memory_mb + 1500


def test_submitted_code_cannot_run_the_reference_solution(red_team):
    row = red_team[0]["reads_reference"]
    assert row.status == "graded", row.message


def test_the_honest_solution_grades_as_it_does_alone(red_team, monkeypatch):
    monkeypatch.setenv("TFCERT_SECRET", "instructor-only")
    rows, _, folder, _ = red_team
    alone = grader.grade(grader.task("task4"), folder / "honest.py", log=lambda line: None)
    assert rows["honest"].status == "graded" and rows["honest"].value == alone.value


def test_the_machine_key_is_outside_every_view():
    """Without a secret, the feeding order comes from a key beside the results database: no child sees it."""
    from grader.paths import data_dir
    from grader.sandbox.runner import child_readonly_paths

    key = (data_dir() / "grading.key").resolve()
    assert not any(key.is_relative_to(Path(path).resolve()) for path in child_readonly_paths(solutions=True))
