"""Import Keras (TensorFlow backend) quietly, only when a model is really needed.

TensorFlow's import costs ~3 s, so nothing imports it at module level: `tfcert --help` and
`tfcert tasks` stay instant. Call `import_keras()` inside the functions that need it.
"""

import contextlib
import logging
import os
import sys
import warnings


def import_keras():
    """Return the `keras` module with TF's C++ logging and Keras' format warnings silenced."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # no CUDA/oneDNN banners on stderr
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import absl.logging

    with _silenced_stderr_fd():
        import keras

    absl.logging.set_verbosity(absl.logging.ERROR)  # "saving as HDF5 is legacy" and the like
    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # tf.function retracing notices
    warnings.filterwarnings("ignore", module="keras")
    return keras


@contextlib.contextmanager
def _silenced_stderr_fd():
    """Send file descriptor 2 to /dev/null while TF initializes.

    TF 2.21's C++ start-up lines (oneDNN, "Could not find cuda drivers") go through absl
    logging before TF_CPP_MIN_LOG_LEVEL is read, so only the descriptor itself silences them.
    Python exceptions still propagate; they are printed after the descriptor is restored.
    """
    if "tensorflow" in sys.modules:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
