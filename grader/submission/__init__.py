"""Stage 3, the submission: open what was submitted, safely, and check it against the task's contract.

Open `load.py` for opening `.keras`/`.h5` files and SavedModel directories (checks before
Keras sees a file: size, zip bombs, symlinks, Lambda layers and custom objects; then safe mode),
`compat.py` for the Keras 2 -> Keras 3 shims (add a shim there), `contract.py` for the
input/output contract check that speaks in the learner's terms, and `inspect.py` for
`tfcert inspect` (who saved a file, its layers, which tasks it fits). No code from a model
file runs here; trusted files and solution code run in grader.sandbox.
"""
