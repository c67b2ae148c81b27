"""What the training child adds to every `fit` call of a script: the contract check, the quick check's cap, progress.

- **Fail fast.** When training starts (before the first step when the model is built, else right
  after it), the model is checked against the task's contract (input and output shapes) and for
  Lambda layers. A wrong model stops within seconds, with a message that names the learner's
  line that called `fit`, instead of after the last epoch.
- **Quick check** (`--max-epochs N`, `--max-steps S`): each `fit` call trains at most N epochs,
  each of at most S batches (and validates on at most S batches): arrays are cut to S batches
  (a step count would make Keras grow its batches instead), generators and datasets get one.
- **Progress**: one line per epoch on stderr (the parent's log), whatever `verbose` the script
  set: epoch, the metrics Keras reports, seconds.
Works on Keras 3's and tf_keras' Model alike.

Example (in the child):
    install_fit_hooks(keras, solution_path, max_epochs=1, contract=contract_view(config["contract"]))
"""

import inspect
import sys
import time
import traceback
from pathlib import Path
from types import SimpleNamespace

from grader.errors import ContractError
from grader.models.structure import iter_layers
from grader.spec.model import InputSpec, OutputSpec
from grader.submission.contract import check_contract

_stopped: list[str] = []  # the contract message, kept even if the script catches the exception


class ContractStop(Exception):
    """The model does not fit the task: raised inside fit, before (or right after) the first step."""


def contract_stop() -> str | None:
    """The message of a contract failure found while training, if any."""
    return _stopped[0] if _stopped else None


def contract_view(data: dict | None):
    """The part of a spec check_contract reads (id, input, output), rebuilt from the JSON the parent sent."""
    if not data:
        return None
    given_in, given_out = data["input"], data["output"]
    return SimpleNamespace(
        id=data["id"],
        input=InputSpec(**{**given_in, "shape": tuple(given_in["shape"]),
                           "value_range": None if given_in["value_range"] is None else tuple(given_in["value_range"])}),
        output=OutputSpec(**{**given_out, "shape": tuple(given_out["shape"]),
                             "classes": None if given_out["classes"] is None else tuple(given_out["classes"])}),
    )


def learner_line(solution: Path) -> str:
    """'line 57, in solution_A2' for the deepest frame of the learner's file on the stack, else ''."""
    frames = [frame for frame in traceback.extract_stack() if Path(frame.filename) == solution]
    return f"line {frames[-1].lineno}, in {frames[-1].name}" if frames else ""


def _model_is_built(model) -> bool:
    try:
        return bool(model.inputs) and bool(model.outputs)
    except (AttributeError, ValueError):
        return False


def check_while_training(model, contract, where: str) -> None:
    """Raise ContractStop when `model` has a Lambda layer or does not fit `contract` (a built model only)."""
    lambdas = [layer.name for layer in iter_layers(model) if type(layer).__name__ == "Lambda"]
    problem = None
    if lambdas:
        problem = (f"layer '{lambdas[0]}' is a Lambda layer, which the exam's grader refuses (its code cannot be "
                   "loaded safely): use a built-in layer instead, e.g. Rescaling(1/255) to scale pixels")
    elif contract is not None:
        try:
            check_contract(model, contract)
        except ContractError as exc:
            problem = str(exc)
    if problem:
        message = f"{problem} (found when training started, at {where})" if where else problem
        _stopped.append(message)
        raise ContractStop(message)


def _progress_callback(keras, epochs: int, quick: bool):
    """A callback that prints one line per epoch on stderr."""

    class EpochProgress(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._started = time.monotonic()

        def on_epoch_end(self, epoch, logs=None):
            shown = " - ".join(f"{name} {value:.4g}" for name, value in (logs or {}).items()
                               if isinstance(value, (int, float)))
            label = " (quick check)" if quick else ""
            sys.stderr.write(f"epoch {epoch + 1}/{epochs}{label}: {shown} "
                             f"({time.monotonic() - self._started:.1f} s)\n")
            sys.stderr.flush()

    return EpochProgress()


def _contract_callback(keras, contract, where: str):
    """Checks the contract right after the first step, for a model that fit() itself builds."""

    class ContractAfterFirstStep(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if not getattr(self, "_done", False):
                self._done = True
                check_while_training(self.model, contract, where)

    return ContractAfterFirstStep()


def _steps(given, data, cap: int) -> int:
    """At most `cap` steps: the script's own count, else the data's (a generator's len()), else `cap`."""
    if given:
        return min(int(given), cap)
    if hasattr(data, "cardinality"):  # a tf.data.Dataset: its batches, when TensorFlow knows them
        known = int(data.cardinality())
        return min(known, cap) if known > 0 else cap
    try:
        return min(len(data), cap) if hasattr(data, "__getitem__") and not hasattr(data, "shape") else cap
    except TypeError:
        return cap


def _is_array(value) -> bool:
    """A NumPy array or a tensor: sliced to cap steps (Keras would grow its batches to fit a step count)."""
    return hasattr(value, "shape") and hasattr(value, "__getitem__") and len(getattr(value, "shape", ())) > 0


def _cap_steps(arguments: dict, cap: int) -> None:
    """At most `cap` batches an epoch: arrays are cut to `cap` batches, generators and datasets get a step count."""
    batch = arguments.get("batch_size") or 32  # Keras' default
    rows = cap * batch
    if _is_array(arguments.get("x")):
        for name in ("x", "y", "sample_weight"):
            if _is_array(arguments.get(name)):
                arguments[name] = arguments[name][:rows]
    elif arguments.get("x") is not None:
        arguments["steps_per_epoch"] = _steps(arguments.get("steps_per_epoch"), arguments["x"], cap)
    validation = arguments.get("validation_data")
    if isinstance(validation, (tuple, list)) and validation and all(map(_is_array, validation)):
        rows = cap * (arguments.get("validation_batch_size") or batch)
        arguments["validation_data"] = type(validation)(part[:rows] for part in validation)
    elif validation is not None:
        arguments["validation_steps"] = _steps(arguments.get("validation_steps"), validation, cap)


def install_fit_hooks(keras, solution: Path, max_epochs: int | None, contract, max_steps: int | None = None) -> None:
    """Wrap keras.Model.fit (see the module doc)."""
    original_fit = keras.Model.fit
    signature = inspect.signature(original_fit)

    def fit(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        arguments = bound.arguments
        where = learner_line(solution)
        initial = arguments.get("initial_epoch", 0) or 0
        epochs = arguments.get("epochs", 1)
        if max_epochs is not None and epochs - initial > max_epochs:
            epochs = arguments["epochs"] = initial + max_epochs
        if max_steps is not None:
            _cap_steps(arguments, max_steps)
        hooks = [_progress_callback(keras, epochs, max_epochs is not None or max_steps is not None)]
        if _model_is_built(self):
            check_while_training(self, contract, where)
        else:
            hooks.append(_contract_callback(keras, contract, where))
        callbacks = arguments.get("callbacks") or []
        arguments["callbacks"] = [*(callbacks if isinstance(callbacks, (list, tuple)) else [callbacks]), *hooks]
        arguments["verbose"] = 0  # the progress line replaces Keras' bars (in a pipe they print once an epoch)
        return original_fit(*bound.args, **bound.kwargs)

    keras.Model.fit = fit
