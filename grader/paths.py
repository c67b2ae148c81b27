"""Where tfcert keeps files on the user's machine.

Example:
    cache_dir() / "datasets"    # generated datasets, converted weights
"""

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """Cache root: $TFCERT_CACHE_DIR, else $XDG_CACHE_HOME/tfcert, else ~/.cache/tfcert."""
    explicit = os.environ.get("TFCERT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tfcert"


def atomic_write(target: Path, write) -> None:
    """Call `write(temporary_path)`, then rename onto `target`: readers never see half a file.

    The temporary file keeps `target`'s suffix (Keras and NumPy choose formats by suffix).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix="".join(target.suffixes) or None)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
