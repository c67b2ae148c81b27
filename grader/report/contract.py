"""`tfcert show TASK`: the whole contract a learner needs, rendered from the spec alone.

Example:
    print(format_contract(load_task("task4")))
"""

from grader.models.structure import format_shape
from grader.scoring.points import points_text
from grader.spec import METRICS, TaskSpec
from grader.spec.baselines import describe_baseline


def _file_lines(spec: TaskSpec) -> list[str]:
    """For url:/local: sources: the file the task needs and how to get it."""
    params = spec.dataset.params
    if not hasattr(params, "file"):
        return []
    return [f"  needs     {params.file}, from {params.origin}",
            f"            tfcert data fetch {spec.id}  or  tfcert data add {spec.id} PATH  (see: tfcert data list)"]


def format_contract(spec: TaskSpec) -> str:
    """Render every learner-facing fact of the spec as plain text."""
    metric = spec.metric
    op = "<=" if metric.lower_is_better else ">="
    splits = spec.dataset.splits
    lines = [
        f"{spec.id} - {spec.title}",
        f"category    {spec.category}",
        f"skills      {', '.join(spec.skills)}",
        "",
        " ".join(spec.summary.split()),
        "",
        "data",
        f"  source    {spec.dataset.source}",
        *_file_lines(spec),
        f"  train     {splits['train'].describe()}   grader.load_data('{spec.id}', 'train')",
        f"  valid     {splits['valid'].describe()}   grader.load_data('{spec.id}', 'valid')",
        f"  test      {splits['test'].describe()}   hidden: only the grader reads it",
        "",
        "input",
        f"  shape     {format_shape((None, *spec.input.shape))}  {spec.input.dtype}  ({spec.input.kind})",
        f"  what      {spec.input.description}",
    ]
    if spec.input.value_range:
        low, high = spec.input.value_range
        lines.append(f"  range     about {low:g}..{high:g}")
    lines.append(f"  scaling   {' '.join(spec.input.scaling.split())}")
    for key, value in spec.input.preprocessing.items():
        lines.append(f"  {key:<9} {value}")
    lines += [
        "",
        "output",
        f"  shape     {format_shape((None, *spec.output.shape))}  activation: {spec.output.activation}",
        f"  meaning   {spec.output.meaning}",
    ]
    if spec.output.classes:
        lines.append(f"  classes   {', '.join(spec.output.classes)}")
    if spec.output.sequence_outputs:
        lines.append("  also      a sequence-to-sequence model, (None, None, 1) out: its last step is scored")
    if spec.output.shifted_outputs:
        unused, width = spec.output.classes[0], len(spec.output.classes) - 1
        lines.append(f"  also      a softmax without '{unused}', (None, {width}) out: its unit k is class k + 1")
    scale = " on the normalized scale" if metric.units == "normalized" and spec.input.kind == "window" else ""
    lines += ["", f"scoring     {metric.label}{scale} ({'lower' if metric.lower_is_better else 'higher'} is better)"]
    for points in sorted(metric.ladder, reverse=True):
        passing = "  (pass line)" if points == metric.pass_points else ""
        lines.append(f"  {points_text(points):<8}  {metric.label} {op} {metric.ladder[points]:g}{passing}")
    lines.append(f"  {points_text(0):<8}  otherwise")
    for name, bound in metric.also.items():
        also_op = "<=" if METRICS[name][0] == "min" else ">="
        lines.append(f"  and a pass also needs {METRICS[name][1]} {also_op} {bound:g}")
    if metric.baselines:
        lines.append("  reported beside your score: " + "; ".join(
            describe_baseline(name, params) for name, params in metric.baselines.items()))
    limits = spec.limits
    lines += [
        "",
        "limits",
        f"  file      {limits.max_file_mb:g} MB     parameters  {limits.max_params:,}",
        f"  training  {limits.train_seconds:g} s (train mode)     load + predict  {limits.predict_seconds:g} s"
        f"     memory  {limits.memory_mb} MB",
        "",
        f"starter     {spec.starter}     (tfcert starter {spec.id} --out {_my_copy(spec)}: fill in its TODOs)",
        f"grade with  tfcert grade {spec.id} model.keras   or   tfcert grade {spec.id} {_my_copy(spec)}",
        "",
        "submissions accepted",
        "  a model    .keras, .h5 (Keras 3, or Keras 2 as TF 2.x saved it), a SavedModel directory",
        f"  a script   .py or .ipynb defining {' or '.join(f'{name}()' for name in spec.entry)} "
        "(or its only solution_*() function; --entry NAME)",
        "  its Keras  2 (tf_keras: tf.keras, keras_preprocessing, as the exam's TF 2.x) or 3; --keras auto chooses "
        "from the script",
        "  its data   downloads are answered offline from tfcert's verified data (tfcert data urls); "
        "--max-epochs 1 checks it quickly",
    ]
    return "\n".join(lines)


def _my_copy(spec: TaskSpec) -> str:
    """The learner's copy of the starter, as the contract suggests naming it: my_task4.py, my_fashion-mnist.py."""
    return f"my_{spec.id}.py"
