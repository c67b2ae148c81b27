"""Child process of `tfcert doctor`: `python -m grader.sandbox.probe_child WORKDIR`, run in the sandbox.

Tries, from inside, what a hostile submission would: reach this machine's network, see the
grader's processes, read files outside its view, write outside its working directory, fill its
disk, allocate past its memory limit; and reads the CPU and process limits it was given. Reads
WORKDIR/probe-job.json ({"port", "parent_pid", "home_canary", "tmp_canary", "outside_dir",
"disk_mb"}), writes WORKDIR/probe.json (name -> [contained, what happened]) and status.json.
"""

import json
import os
import resource
import socket
import sys
from pathlib import Path

from grader.sandbox.status import write_status

CHUNK = 2**20


def _refused(action) -> tuple[bool, str]:
    """(True, why) when `action()` raises OSError, else (False, 'it succeeded')."""
    try:
        action()
    except OSError as exc:
        return True, f"refused ({exc.strerror or type(exc).__name__})"
    return False, "it succeeded"


def _fill(path: Path, limit_mb: int) -> tuple[bool, str]:
    """Write up to twice the disk limit; contained when the writes stop near the limit."""
    written = 0
    try:
        with open(path, "wb") as file:
            while written < 2 * limit_mb * CHUNK:
                file.write(b"\0" * CHUNK)
                written += CHUNK
                file.flush()
    except OSError as exc:
        return written <= (limit_mb + 1) * CHUNK, f"stopped after {written / CHUNK:.0f} MB ({exc.strerror})"
    finally:
        path.unlink(missing_ok=True)
    return False, f"wrote {written / CHUNK:.0f} MB without a limit"


def _allocate(limit_mb: int) -> tuple[bool, str]:
    try:
        block = bytearray((limit_mb + 64) * CHUNK)
    except MemoryError:
        return True, f"an allocation of {limit_mb + 64} MB failed (address space {limit_mb} MB)"
    del block
    return False, f"{limit_mb + 64} MB could be allocated"


def _limit(kind: int) -> str:
    soft, _ = resource.getrlimit(kind)
    return "unlimited" if soft == resource.RLIM_INFINITY else str(soft)


def probe(job: dict, workdir: Path) -> dict[str, tuple[bool, str]]:
    """Every check, by name: (contained, what happened)."""
    network = _refused(lambda: socket.create_connection(("127.0.0.1", job["port"]), timeout=2).close())
    parent_visible = Path(f"/proc/{job['parent_pid']}").exists()
    nproc = _limit(resource.RLIMIT_NPROC)
    memory_mb = int(_limit(resource.RLIMIT_AS)) // CHUNK if _limit(resource.RLIMIT_AS) != "unlimited" else 0
    return {
        "network": (network[0], f"a connection to this machine's loopback: {network[1]}"),
        "processes": (not parent_visible, "the grader's process is " + ("visible" if parent_visible else "invisible")),
        "home": _refused(lambda: Path(job["home_canary"]).read_bytes()),
        "host /tmp": _refused(lambda: Path(job["tmp_canary"]).read_bytes()),
        "write outside": _refused(lambda: (Path(job["outside_dir"]) / "escaped").write_text("x")),
        "disk": _fill(workdir / "fill.bin", job["disk_mb"]),
        "memory": _allocate(memory_mb) if memory_mb else (False, "no address-space limit"),
        "cpu": (_limit(resource.RLIMIT_CPU) != "unlimited", f"RLIMIT_CPU {_limit(resource.RLIMIT_CPU)} s"),
        "process count": (nproc != "unlimited", f"RLIMIT_NPROC {nproc}"),
    }


if __name__ == "__main__":
    workdir = Path(sys.argv[1])
    results = probe(json.loads((workdir / "probe-job.json").read_text()), workdir)
    (workdir / "probe.json").write_text(json.dumps(results))
    write_status(workdir, "probed")
    os._exit(0)  # nothing else to run; skip interpreter teardown
