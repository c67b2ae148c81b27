"""Generated datasets cached on disk as `.npz`, keyed by everything that determines them.

Example:
    arrays = cached_arrays(("shapes", 1, params), lambda: {"x": x, "y": y})
"""

import hashlib
from collections.abc import Callable

import numpy as np

from grader.paths import atomic_write, cache_dir


def cached_arrays(key: tuple, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Return the arrays for `key` from the cache, building and storing them on a miss.

    `key` must have a deterministic repr (strings, numbers, tuples, frozen dataclasses). The file
    is written atomically, so a killed run never leaves a half file that a later run would trust;
    where the cache cannot be written, the arrays are returned all the same.
    """
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:20]
    path = cache_dir() / "datasets" / f"{key[0]}-{digest}.npz"
    if path.exists():
        try:
            with np.load(path) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError):
            path.unlink(missing_ok=True)  # damaged by something outside tfcert: rebuild it
    arrays = build()
    try:
        atomic_write(path, lambda temporary: np.savez(temporary, **arrays))
    except OSError:
        pass  # a read-only cache (a sandboxed child sees it so) still gives the data: built, not stored
    return arrays
