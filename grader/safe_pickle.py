"""Unpickle files from packages without trusting them: only allow-listed globals resolve.

A pickle can name any importable callable (`os.system`, ...) and have it called on load; an
`AllowlistUnpickler` resolves only the names its caller lists, and never imports anything.

Example:
    arrays = AllowlistUnpickler(file, NUMPY_ARRAYS, "a NumPy array file").load()
"""

import pickle

import numpy as np

# What a pickled plain ndarray references (NumPy 1.x module names, as most files on PyPI have them).
NUMPY_ARRAYS = {
    ("numpy.core.multiarray", "_reconstruct"): np._core.multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): np._core.multiarray._reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class AllowlistUnpickler(pickle.Unpickler):
    """An Unpickler whose `find_class` returns only the objects in `allowed`."""

    def __init__(self, file, allowed: dict, what: str):
        super().__init__(file)
        self._allowed = allowed
        self._what = what

    def find_class(self, module, name):
        try:
            return self._allowed[(module, name)]
        except KeyError:
            names = ", ".join(sorted({f"{m}.{n}" for m, n in self._allowed}))
            raise pickle.UnpicklingError(
                f"refused to load global {module}.{name}: {self._what} should only reference {names}"
            ) from None
