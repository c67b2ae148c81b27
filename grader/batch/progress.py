"""A progress bar with count, rate and ETA on stderr (tqdm), for long batch runs.

Example:
    with Progress() as progress:
        progress.start(40)
        progress.update(row)     # one submission done
"""

import sys


class Progress:
    """Counts finished submissions; silent until `start(total)` is called with work to do."""

    def __init__(self):
        self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc_info) -> None:
        if self._bar is not None:
            self._bar.close()

    def start(self, total: int) -> None:
        from tqdm import tqdm

        if total:
            self._bar = tqdm(total=total, unit="submission", file=sys.stderr, dynamic_ncols=True)

    def update(self, row) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"{row.student}: {row.status}", refresh=False)
            self._bar.update(1)
