"""Check: tfcert's traced predictions equal Keras' own `model.predict`, bit for bit, on real files.

Every exam-era model file under ../shared/realworld-models that tfcert loads (Keras 2 and 3
`.h5`, sequence, text, image and tabular models) is fed 600 inputs shaped as its input layer
says (3 batches, the last one short) and predicted three ways: Keras' `predict(x,
batch_size=256)` (tfcert's path before issue 19), one trace for the model, and a second load of
the same file through a trace cache that already holds the first (the trace reused). Writes
the table to bench/results/predict_identity.md.

Usage:
    python bench/predict_identity.py
"""

import sys
from pathlib import Path

import numpy as np
from results_table import publish  # bench/ is the script's own folder: first on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))  # this tree's grader, whatever is installed
MODELS = ROOT.parent / "shared" / "realworld-models"
ROWS = 600
SEQUENCE_LENGTH = 30  # for an input of any length


def inputs_for(model, rng: np.random.Generator) -> np.ndarray:
    """ROWS random inputs for the model's one input: token ids for a text model, 0..1 values otherwise."""
    shape = [ROWS, *(SEQUENCE_LENGTH if size is None else size for size in model.inputs[0].shape[1:])]
    if any(type(layer).__name__ == "Embedding" for layer in model.layers):  # ids, whatever the input dtype
        return rng.integers(0, 100, shape).astype(str(model.inputs[0].dtype))
    return rng.uniform(0, 1, shape).astype(np.float32)


def main() -> None:
    from grader.errors import TfcertError
    from grader.models.predict import PREDICT_BATCH_SIZE, predict
    from grader.models.runtime import import_keras
    from grader.models.traces import TraceCache
    from grader.submission.load import load_model_file

    keras = import_keras()
    if not MODELS.is_dir():
        raise SystemExit(f"{MODELS} is absent")
    rows, counts = [], {"files": 0, "equal": 0, "skipped": 0}
    for path in sorted(MODELS.rglob("*.h5")):
        counts["files"] += 1
        name = str(path.relative_to(MODELS))
        try:
            model = load_model_file(path, 50).model
            x = inputs_for(model, np.random.default_rng(0))
            expected = np.asarray(model.predict(x, batch_size=PREDICT_BATCH_SIZE, verbose=0), dtype=np.float64)
        except (TfcertError, ValueError, TypeError) as exc:  # not loadable, or not fed plain arrays
            counts["skipped"] += 1
            rows.append(f"| {name} | skipped: {str(exc).splitlines()[0][:80]} | | |")
            continue
        traces = TraceCache()
        keras.backend.clear_session(free_memory=False)
        fresh = predict(load_model_file(path, 50).model, x, traces)
        keras.backend.clear_session(free_memory=False)  # as a worker does between files
        reused = predict(load_model_file(path, 50).model, x, traces)
        same = np.array_equal(fresh, expected) and np.array_equal(reused, expected)
        counts["equal"] += same
        rows.append(f"| {name} | {tuple(model.inputs[0].shape)} {model.inputs[0].dtype} | "
                    f"{'yes' if same else '**NO**'} | {'yes' if traces.reused else 'no (traced anew)'} |")
        keras.backend.clear_session(free_memory=False)
    checked = counts["files"] - counts["skipped"]
    publish("predict_identity", [
        "# traced predictions vs Keras' model.predict, on the real exam-era files", "",
        f"{counts['equal']} of {checked} files predicted bit for bit as Keras does, fresh and through a reused "
        f"trace ({counts['skipped']} of {counts['files']} files skipped: not loadable in safe mode, or not a "
        "plain array input).", "",
        "| file | input | equal to Keras' predict | trace reused |", "|---|---|---|---|", *rows,
    ])


if __name__ == "__main__":
    main()
