"""Stage 2, the data: every task's learner splits (train, valid) and its hidden test split.

A spec's `dataset.source` names a source: builtin generators (`series`, `shapes`, `headlines`,
`animals`), real files behind `url:`/`local:` (`files` finds, downloads and verifies them,
`readers` parses them, `real_series`, `records` and `image_folder` turn them into splits) and
tensorflow-datasets (`tfds_images`). Open `registry.py` for the table of sources and the rules
that type a spec's dataset, `splits.py` for what the learner and the grader get (the hidden
test split and the secret seed), `tokenizer.py` for the text contract, `status.py` for
`tfcert data list/fetch`, `register.py` for `tfcert data add` (a copy the learner has, in any shape),
`cache.py` for generated data cached on disk.

Example:
    spec = load_task("task4")
    train = learner_split(spec, "train")       # 1-D float32 series for task4
    test = hidden_test_split(spec)             # Examples(x=(N, 30, 1), y=(N, 1))
"""

from grader.data.examples import Examples
from grader.data.splits import (
    SECRET_ENV,
    grading_key,
    hidden_test_split,
    learner_split,
    task_tokenizer,
    test_seed,
)

__all__ = ["SECRET_ENV", "Examples", "grading_key", "hidden_test_split", "learner_split", "task_tokenizer", "test_seed"]
