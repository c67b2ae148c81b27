"""The private file-system view of a sandboxed child, and the argv that builds it (bubblewrap or unshare).

The child sees only, read-only: /usr (and the /bin, /lib... links into it), a few /etc files the
loader and Python need, this Python installation (its prefixes, even inside $HOME, without the
rest of $HOME), the supervisor, and the paths the caller lists (tfcert's code, the task specs,
the learner's data, the submission); writable: its workdir at the same absolute path and /tmp,
private tmpfs of `disk_mb` MiB (one for both when the workdir lies in /tmp; folders there that only
hold a bound path are read-only), plus a small /dev/shm. A fresh /proc (its own PID namespace) with
the host's sysctls read-only, a minimal /dev, no network (its own network namespace, loopback down), its own
IPC and UTS namespaces. Everything else (the rest of $HOME, the host's /tmp with other workdirs
and batch scratch, results databases, other submissions) does not exist in the view.

Two mechanisms build the same view: "bwrap" (bubblewrap does the mounts) and "unshare"
(util-linux `unshare` makes the namespaces and grader.sandbox.supervisor mounts the view). Both
run the supervisor as PID 1; it runs the command and copies the workdir back out.

Example:
    mechanism = available_mechanisms()[0]      # "bwrap" if it works here, else "unshare"
    argv = wrap_command(command, workdir=work, readonly=[code_dir], disk_mb=2048,
                        mechanism=mechanism, workdir_fd=fd)   # Popen(argv, pass_fds=(fd,), ...)
"""

import base64
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import supervisor
from grader.sandbox.supervisor import PROC_COVERED, SETUP_FAILED

MECHANISMS = ("bwrap", "unshare")
SUPERVISOR = Path(supervisor.__file__).resolve()

# Host paths exposed read-only when they exist (besides Python, the supervisor and the caller's list).
SYSTEM_DIRS = ("/usr",)
TOP_LEVEL_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")  # usr-merge links, or dirs
ETC_FILES = (
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",  # the dynamic loader
    "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",  # getpwuid() (Python's expanduser, getpass)
    "/etc/localtime", "/etc/mime.types",  # time zone; mimetypes
    "/etc/fonts",  # fontconfig (else TF/Keras imports print "Fontconfig error: Cannot load default config")
)
CPU_INFO_DIR = "/sys/devices/system/cpu"
UNSHARE_FLAGS = ("--user", "--map-root-user", "--mount", "--net", "--pid", "--ipc", "--uts",
                 "--fork", "--kill-child")


@dataclass(frozen=True)
class Bind:
    """A read-only bind of host path `source` at `dest` in the view."""

    source: str
    dest: str


@dataclass(frozen=True)
class Link:
    """A symlink at `dest` in the view, pointing to `target`."""

    target: str
    dest: str


@dataclass(frozen=True)
class Mask:
    """An empty read-only folder over `dest`, a folder inside a bound path that the child must not see."""

    dest: str


def python_paths() -> list[Path]:
    """The directories of this Python installation: its prefixes (site-packages lie inside)."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  str(Path(os.path.realpath(sys.executable)).parent.parent)}
    return [Path(p) for p in sorted(candidates)]


def _is_under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _refuse(path: str, workdir: str) -> None:
    if path == "/":
        raise ValueError("exposing / would expose everything; list specific paths")
    home = os.path.realpath(os.path.expanduser("~"))
    for broad in {"/tmp", "/root", "/home", home}:
        if path == broad:
            raise ValueError(f"exposing {path} whole would expose other users' or jobs' files")
    if _is_under(path, workdir):
        raise ValueError(f"{path}: a read-only path may not lie inside the workdir {workdir}")


def _links_on_the_way(path: str) -> list[Link]:
    """Every symlink met while resolving `path` on the host (so the view can recreate them)."""
    links, current, queue = [], "/", list(Path(path).parts[1:])
    for _ in range(256):  # ELOOP-like bound
        if not queue:
            break
        candidate = os.path.join(current, queue.pop(0))
        if os.path.islink(candidate):
            target = os.readlink(candidate)
            links.append(Link(target, candidate))
            resolved = os.path.normpath(os.path.join(current, target))
            queue, current = list(Path(resolved).parts[1:]) + queue, "/"
        else:
            current = candidate
    return links


def view_plan(workdir: Path, readonly: list[Path], expose_cpu_info: bool = True,
              masked=()) -> list[Bind | Link | Mask]:
    """The binds and links of the view: links first, then binds parents before children, then masks.

    Each path is bound at its resolved location; every symlink met on the way to it (the path
    itself, /etc/localtime, a parent like /data -> /mnt/disk/data, the usr-merge /lib64) is
    recreated as the same symlink, so the path works literally and resolved, as on the host.
    Caller paths must exist; system paths are skipped when missing. `masked` folders (e.g. the
    reference solutions inside an installed tfcert) are hidden under an empty read-only folder
    where a bound path contains them.
    """
    work = os.path.realpath(workdir)
    binds: set[str] = set()
    links: dict[str, str] = {}  # dest -> target
    paths = [(os.path.abspath(p), True) for p in readonly]
    paths += [(str(p), False) for p in [*python_paths(), SUPERVISOR, *SYSTEM_DIRS, *ETC_FILES,
                                         *([CPU_INFO_DIR] if expose_cpu_info else [])]]
    paths += [(top, False) for top in TOP_LEVEL_LINKS]
    for path, from_caller in paths:
        if not os.path.lexists(path):
            if from_caller:
                raise FileNotFoundError(f"{path}: a read-only path that does not exist")
            continue
        real = os.path.realpath(path)
        if from_caller:
            for shown in {path, real}:
                _refuse(shown, work)
        if os.path.exists(real):
            binds.add(real)
        for link in _links_on_the_way(path):
            links.setdefault(link.dest, link.target)
    kept: list[str] = []
    for dest in sorted(binds, key=lambda d: (d.count("/"), d)):
        if not any(_is_under(dest, parent) for parent in kept):  # visible through its parent already
            kept.append(dest)
    plan: list[Bind | Link | Mask] = [Link(target, dest) for dest, target in sorted(links.items())
                                      if not any(_is_under(dest, parent) for parent in kept)]
    masks = [Mask(real) for real in sorted({os.path.realpath(p) for p in masked})
             if os.path.isdir(real) and any(_is_under(real, parent) for parent in kept)]
    return plan + [Bind(dest, dest) for dest in kept] + masks


def wrap_command(command: list[str], *, workdir: Path, readonly: list[Path], disk_mb: int = 2048,
                 mechanism: str, workdir_fd: int | None = None, shm_mb: int = 64,
                 max_files: int = 100_000, expose_cpu_info: bool = True, masked=(),
                 seccomp: bytes | None = None) -> list[str]:
    """The argv that runs `command` in a private view (see the module doc); exec it with Popen.

    workdir: an existing absolute host directory; in the view it is a fresh tmpfs of `disk_mb`
        MiB at the same path, and the command's cwd (HOME and TMPDIR are the caller's env).
    readonly: host paths (dirs or files) exposed read-only at the same paths.
    masked: folders inside those paths that the view shows empty.
    seccomp: a BPF program (grader.sandbox.seccomp) the supervisor installs in the command before exec.
    workdir_fd: an open O_DIRECTORY descriptor of `workdir`, passed with Popen(pass_fds=...):
        the supervisor copies files in from it before and out to it after the command.
    The caller applies the rlimits (grader.sandbox.limits) and the environment.
    """
    if mechanism not in MECHANISMS:
        raise ValueError(f"mechanism must be one of {MECHANISMS}, not {mechanism!r}")
    work = os.path.realpath(workdir)
    if not os.path.isdir(work):
        raise FileNotFoundError(f"{work}: the workdir must exist")
    plan = view_plan(Path(work), readonly, expose_cpu_info, masked)
    config = {"workdir": work, "fd": workdir_fd, "build": mechanism == "unshare",
              "disk_bytes": disk_mb * 2**20, "max_files": max_files, "shm_bytes": shm_mb * 2**20,
              "shared_tmp": _is_under(work, "/tmp"), "readonly_tmp_dirs": read_only_tmp_dirs(plan),
              "seccomp": base64.b64encode(seccomp).decode() if seccomp else None}
    if mechanism == "unshare":
        config["plan"] = [[type(op).__name__, _source(op), op.dest] for op in plan]
    supervisor = [sys.executable, "-I", "-S", str(SUPERVISOR), json.dumps(config), "--", *command]
    if mechanism == "unshare":
        return [shutil.which("unshare") or "unshare", *UNSHARE_FLAGS, "--", *supervisor]
    return [shutil.which("bwrap") or "bwrap", *_bwrap_args(plan, work, disk_mb, shm_mb, max_files), "--", *supervisor]


def _source(op: Bind | Link | Mask) -> str:
    """What the supervisor needs besides the kind and the destination: a bind's source, a link's target."""
    return op.source if isinstance(op, Bind) else op.target if isinstance(op, Link) else ""


def read_only_tmp_dirs(plan: list[Bind | Link | Mask]) -> list[str]:
    """The folders under /tmp that only hold a bound path (the submission, say), parents first.

    The view creates them read-only: a script writes /tmp itself and its workdir, never a folder
    that looks like the host's (writing there would change nothing outside, but should fail as it
    does without a view).
    """
    bound = [op.dest for op in plan if isinstance(op, Bind)]
    folders = set()
    for op in plan:
        parent = os.path.dirname(op.dest)
        while _is_under(parent, "/tmp") and parent != "/tmp":
            folders.add(parent)
            parent = os.path.dirname(parent)
    # a folder inside a bound one (the parent of a masked folder) is the bound folder's: read-only already
    inside = {folder for folder in folders if any(_is_under(folder, dest) for dest in bound)}
    return sorted(folders - inside, key=lambda folder: (folder.count("/"), folder))


# /tmp in the view (scripts unzip into /tmp/, as the course's do): when the workdir lies in the
# host's /tmp, as tempfile puts it, one tmpfs of `disk_mb` at /tmp holds both (the workdir is a
# folder in it, so one limit covers both); else the workdir is its own tmpfs and /tmp another.
def _bwrap_args(plan: list[Bind | Link | Mask], work: str, disk_mb: int, shm_mb: int, max_files: int) -> list[str]:
    args = ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--as-pid-1",
            "--new-session"]
    if os.geteuid() == 0:
        args += ["--cap-drop", "ALL"]  # as root, bwrap would otherwise keep capabilities inside
    # bwrap covers /proc/sys only when access(W_OK) on the directory succeeds, which it does not
    # (mode 555) although its files are writable by host root: cover it ourselves (the host's
    # /proc/sys, read-only; a fresh proc's cannot be named as a bwrap source).
    args += ["--proc", "/proc", *[a for p in PROC_COVERED for a in ("--ro-bind-try", p, p)],
             "--dev", "/dev", "--size", str(shm_mb * 2**20), "--tmpfs", "/dev/shm"]
    args += ["--size", str(disk_mb * 2**20), "--tmpfs", "/tmp"]  # before the binds that may lie under it
    args += [arg for folder in read_only_tmp_dirs(plan) for arg in ("--perms", "0555", "--dir", folder)]
    for op in plan:
        if isinstance(op, Link):
            args += ["--symlink", op.target, op.dest]
        elif isinstance(op, Bind):
            args += ["--ro-bind", op.source, op.dest]
        else:
            args += ["--tmpfs", op.dest, "--remount-ro", op.dest]
    # bwrap 0.8 has no nr_inodes option: the inode count of the workdir is bounded by its size only.
    workdir = ["--perms", "0700", "--dir", work] if _is_under(work, "/tmp") else \
        ["--size", str(disk_mb * 2**20), "--tmpfs", work]
    args += [*workdir, "--chdir", work, "--remount-ro", "/dev", "--remount-ro", "/"]
    return args


def decode_returncode(returncode: int | None) -> int | None:
    """The supervisor's code in Popen's convention: -N when the command was killed by signal N."""
    if returncode is not None and 128 < returncode < 128 + 65 and returncode != SETUP_FAILED:
        return -(returncode - 128)
    return returncode


def available_mechanisms() -> list[str]:
    """The mechanisms that build a working view on this machine, best first ("bwrap", "unshare").

    Probed once per process by running a tiny Python in a real view (about 0.1 s each);
    `probe_errors()` tells why a mechanism is missing. An empty list means no isolation here:
    no working bwrap and no usable user namespaces.
    """
    return [mechanism for mechanism in MECHANISMS if _probe(mechanism) is None]


def probe_errors() -> dict[str, str]:
    """Why each unavailable mechanism failed its probe."""
    return {mechanism: why for mechanism in MECHANISMS if (why := _probe(mechanism)) is not None}


@functools.cache
def _probe(mechanism: str) -> str | None:
    """None when `mechanism` builds a working view here (a child writes a file through it), else why not."""
    if shutil.which(mechanism) is None:
        return f"{mechanism} is not installed"
    with tempfile.TemporaryDirectory(prefix="isolation-probe-") as work:
        fd = os.open(work, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            argv = wrap_command([sys.executable, "-I", "-S", "-c", "open('ok', 'w').write('ok')"],
                                workdir=Path(work), readonly=[], disk_mb=4, mechanism=mechanism, workdir_fd=fd)
            run = subprocess.run(argv, cwd=work, pass_fds=(fd,), stdin=subprocess.DEVNULL, capture_output=True,
                                 timeout=60, env={"PATH": "/usr/bin:/bin"})
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            return f"{type(exc).__name__}: {exc}"
        finally:
            os.close(fd)
        if run.returncode == 0 and (Path(work) / "ok").is_file():
            return None
        return f"exit code {run.returncode}: {run.stderr.decode(errors='replace').strip()[-600:]}"
