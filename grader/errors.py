"""Errors a user can act on, each mapped to a documented exit code.

Anything raised that is not a `TfcertError` is a bug in tfcert (exit code 1).
"""

EXIT_GRADED = 0
EXIT_INTERNAL = 1
EXIT_UNUSABLE = 2


class TfcertError(Exception):
    """A problem the user can fix; its message is one line that says how.

    Example:
        raise SubmissionError("model.h5: not an HDF5 file; save with model.save('model.keras')")
    """

    exit_code = EXIT_UNUSABLE


class SpecError(TfcertError):
    """A task spec (tasks/*.yaml) is invalid; the message names the file and the field."""


class UnknownTaskError(TfcertError):
    """A task id that no spec defines."""


class SubmissionError(TfcertError):
    """The submitted file cannot be opened or refused by a safety rule."""


class ContractError(TfcertError):
    """The model's inputs or outputs do not fit the task's contract."""


class TrainingError(TfcertError):
    """Train mode failed: the solution raised, timed out or returned no model."""


class DataAccessError(TfcertError):
    """A data split was requested that the caller may not have (e.g. the hidden test split)."""


class DataMissingError(TfcertError):
    """A task's dataset is not on this machine and cannot be fetched; the message says how to provide it."""


class DataFileError(TfcertError):
    """A dataset file is unreadable or holds other data than the task's (e.g. a checksum mismatch)."""
