"""The hidden test split of a batch, shared with its workers in anonymous memory files that die with them.

The batch builds the split once; every worker memory-maps it. It lives in memfds (Linux
`memfd_create`): files with no path on any disk, which the kernel frees when the last process
holding one ends. The batch passes them to each worker it spawns, and workers die with the batch
(PR_SET_PDEATHSIG), so a batch killed with SIGKILL leaves no copy of the split, targets included,
anywhere (a folder under /tmp did, until someone deleted it). Sandboxed children never receive them.

Example:
    split = SharedSplit()                  # empty memfds, passed to workers as they are spawned
    split.fill(hidden_test_split(spec))    # then written, once
    test = split.load()                    # in a worker: memory-mapped, shared pages
"""

import io
import os
from multiprocessing import reduction

import numpy as np

from grader.data.examples import Examples

PARTS = ("x", "y", "output_scale", "text")


class SharedSplit:
    """Four memfds (inputs, targets, output scale, texts) holding a hidden test split as .npy bytes."""

    def __init__(self, fds: dict[str, int] | None = None):
        self.fds = fds if fds is not None else {
            part: os.memfd_create(f"tfcert-test-split-{part}", os.MFD_CLOEXEC) for part in PARTS}

    def fill(self, test: Examples) -> None:
        """Write the split (the batch does this once, while its workers import TensorFlow)."""
        arrays = {"x": test.x, "y": test.y, "output_scale": np.asarray(test.output_scale, dtype=np.float64),
                  "text": None if test.text is None else test.text.astype(str)}
        for part, array in arrays.items():
            if array is None:
                continue
            buffer = io.BytesIO()
            np.save(buffer, array)
            os.pwrite(self.fds[part], buffer.getvalue(), 0)

    def load(self) -> Examples:
        """The split, memory-mapped (a worker's copy shares the batch's pages)."""
        def part(name: str, **kwargs):
            return np.load(f"/proc/self/fd/{self.fds[name]}", **kwargs) if os.fstat(self.fds[name]).st_size else None

        multiply, add = part("output_scale")  # normalized forecasts -> raw units, if so
        text = part("text", mmap_mode="r")
        return Examples(part("x", mmap_mode="r"), part("y", mmap_mode="r"),
                        None if text is None else text.astype(object), output_scale=(float(multiply), float(add)))

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)

    def __reduce__(self):
        """Pickled into a spawned worker's arguments: the descriptors themselves go with it (multiprocessing)."""
        return _received, ({part: reduction.DupFd(fd) for part, fd in self.fds.items()},)


def _received(handles: dict) -> SharedSplit:
    """A worker's SharedSplit, from the descriptors multiprocessing passed it (kept from its own children)."""
    fds = {part: handle.detach() for part, handle in handles.items()}
    for fd in fds.values():
        os.set_inheritable(fd, False)
    return SharedSplit(fds)
