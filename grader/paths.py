"""Where tfcert keeps files on the user's machine.

Example:
    cache_dir() / "datasets"    # generated datasets, converted weights
    data_dir() / "tfcert.db"    # the results database: practice sessions and attempts
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


def data_dir() -> Path:
    """User data root: $TFCERT_DATA_DIR, else $XDG_DATA_HOME/tfcert, else ~/.local/share/tfcert."""
    explicit = os.environ.get("TFCERT_DATA_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "tfcert"


def atomic_write(target: Path, write) -> None:
    """Call `write(temporary_path)`, then rename onto `target`: readers never see half a file.

    The temporary file keeps `target`'s suffix (Keras and NumPy choose formats by suffix).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.",
                                         suffix="".join(target.suffixes) or None)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
