"""The trusted PID 1 of a sandboxed child: builds its file-system view, runs the command, copies results out.

Run as `python -I -S supervisor.py CONFIG -- COMMAND...` inside the namespaces that bubblewrap or
`unshare` created (grader.sandbox.view writes the argv). Standard library only and no grader
import: it runs before any untrusted code, with Python's isolated mode, from its own file.

It (for `unshare` only: mounts the view itself and pivots into it) marks itself non-dumpable,
copies the host workdir's files into the size-limited tmpfs workdir through a directory
descriptor the caller passed, forks the command as PID 2 with no capabilities, no_new_privs
and the seccomp filter it was given (grader.sandbox.seccomp), reaps orphans, and when the
command ends kills everything left in the namespace and copies the workdir's regular files and
directories back out (never following links;
symlinks, devices, fifos and sockets are skipped and named on stderr). Why a supervisor at all:
the tmpfs vanishes with the namespace, so a trusted process must copy results out after the
untrusted ones are dead; and a namespace's PID 1 ignores SIGXCPU, so the command must not be
PID 1 for RLIMIT_CPU to stop it at its soft limit.

Example (what the argv built by grader.sandbox.view.wrap_command runs):
    python -I -S supervisor.py '{"workdir": "/tmp/w", "fd": 3, "build": false, ...}' -- python -m ...
"""

import base64
import contextlib
import ctypes
import errno
import functools
import json
import os
import signal
import stat
import sys

SETUP_FAILED = 125  # the supervisor's exit code when the view could not be built
# Global sysctls (core_pattern, modprobe, ...) are writable by any process whose uid is host root,
# capabilities or not: a root-run child must see them read-only.
PROC_COVERED = ("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus")
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
DEV_LINKS = {"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
             "stderr": "/proc/self/fd/2"}

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 16384, 1 << 18, 1 << 21, 1 << 24
MNT_DETACH = 2
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 4, 24, 38, 47
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
SOCK_FILTER_BYTES = 8  # struct sock_filter: u16 code, u8 jt, u8 jf, u32 k
PR_CAP_AMBIENT_CLEAR_ALL = 4
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "i686": 217, "i386": 217,
                  "armv7l": 218, "ppc64le": 203, "s390x": 217}
MAX_DEPTH = 64  # directory levels copied in or out


@functools.cache
def _c():
    """libc, for mount, pivot_root, prctl and capset (Python has no wrappers for them)."""
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _encoded(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(_c().mount(_encoded(source), _encoded(target), _encoded(fstype), ctypes.c_ulong(flags), _encoded(data)),
           f"mount {source or ''} on {target}")


def _bind_readonly(source: str, target: str) -> None:
    """Bind `source` on `target` read-only, keeping the flags a user namespace may not clear."""
    _mount(source, target, None, MS_BIND)
    vfs = os.statvfs(target)
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
    flags |= MS_NOEXEC if vfs.f_flag & os.ST_NOEXEC else 0
    if vfs.f_flag & os.ST_NOATIME:
        flags |= MS_NOATIME
    elif vfs.f_flag & os.ST_RELATIME:
        flags |= MS_RELATIME
    else:
        flags |= MS_STRICTATIME
    flags |= MS_NODIRATIME if vfs.f_flag & os.ST_NODIRATIME else 0
    _mount(None, target, None, flags)


def _make_mountpoint(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o644))


def _build_view(config: dict) -> None:
    """Mount the view and pivot into it (mechanism "unshare": we are root in fresh namespaces)."""
    work = config["workdir"]
    root = work  # the host workdir is hidden by the new root, in this mount namespace only
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("isolation-root", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m")
    os.makedirs(root + "/tmp")  # a private /tmp (grader.sandbox.view), before the binds that may lie under it
    _mount("isolation-tmp", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"mode=1777,size={config['disk_bytes']},nr_inodes={config['max_files']}")
    for kind, source, dest in config["plan"]:
        target = root + dest
        if kind == "Link":
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(source, target)
        elif kind == "Mask":  # an empty read-only folder over a folder the child must not see
            _mount("isolation-mask", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0555,size=4k")
        else:
            _make_mountpoint(source, target)
            _bind_readonly(source, target)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for covered in PROC_COVERED:
        if os.path.exists(root + covered):
            _bind_readonly(root + covered, root + covered)
    dev = root + "/dev"
    os.makedirs(dev, exist_ok=True)
    _mount("isolation-dev", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k")
    for name in DEVICES:
        if os.path.exists("/dev/" + name):
            os.close(os.open(f"{dev}/{name}", os.O_WRONLY | os.O_CREAT, 0o666))
            _mount("/dev/" + name, f"{dev}/{name}", None, MS_BIND)
    for name, target in DEV_LINKS.items():
        os.symlink(target, f"{dev}/{name}")
    os.mkdir(dev + "/shm")
    _mount("isolation-shm", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={config['shm_bytes']}")
    _mount(None, dev, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC)
    os.makedirs(root + work, exist_ok=True)
    for folder in config.get("readonly_tmp_dirs", ()):  # folders of /tmp that only hold a bound path
        os.chmod(root + folder, 0o555)
    if config.get("shared_tmp"):  # the workdir is a folder of the /tmp tmpfs (mounted before the binds)
        os.chmod(root + work, 0o700)
    else:
        _mount("isolation-work", root + work, "tmpfs", MS_NOSUID | MS_NODEV,
               f"mode=0700,size={config['disk_bytes']},nr_inodes={config['max_files']}")
    os.chdir(root)
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise OSError(errno.ENOSYS, f"pivot_root: unknown syscall number on {os.uname().machine}")
    _check(_c().syscall(ctypes.c_long(number), b".", b"."), "pivot_root")
    _check(_c().umount2(b".", MNT_DETACH), "umount the old root")  # the host tree is gone from here on
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _drop_capabilities() -> None:
    """In the command's process, before exec: no capabilities now or after exec, no new privileges."""
    libc = _c()
    with open("/proc/self/status") as status:
        effective = next(int(line.split()[1], 16) for line in status if line.startswith("CapEff:"))
    if effective:
        for cap in range(64):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                if ctypes.get_errno() == errno.EINVAL:
                    break  # past the last capability this kernel knows
                _check(-1, f"drop capability {cap} from the bounding set")
        libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable x 2 words: all zero
        _check(libc.capset(header, data), "capset")
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def install_seccomp(program: bytes) -> None:
    """Install a classic BPF seccomp program (grader.sandbox.seccomp's) in this process, with no_new_privs.

    It holds for good, for everything this process execs and starts. Also used, outside any view,
    by the child of grader.sandbox.rlimits.
    """
    libc = _c()
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    fprog = _SockFprog(len(program) // SOCK_FILTER_BYTES, program)
    _check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0), "seccomp filter")


def _open_dir(name: str, dir_fd: int | None = None) -> int:
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)


class _Budget:
    """What copying may still write: bytes (apparent sizes, so a sparse file counts in full) and
    entries, both starting at the workdir's own limits. A file with several hard links is copied
    once and linked again on the other side, so links cost nothing."""

    def __init__(self, size: int, entries: int, top: int):
        self.size, self.entries, self.skipped = size, entries, []
        self.top = top  # the destination's top directory fd
        self.copied: dict[tuple[int, int], str] = {}  # (st_dev, st_ino) -> path below top


def _copy_tree(src: int, dst: int, budget: _Budget, where: str = "", depth: int = 0) -> None:
    """Copy regular files and directories from dir fd `src` into dir fd `dst`, replacing files.

    Never follows a symlink on either side; skips symlinks, devices, fifos and sockets.
    """
    if depth > MAX_DEPTH:
        budget.skipped.append(where + " (too deep)")
        return
    scan_fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=src)  # own offset
    with os.scandir(scan_fd) as entries:
        names = sorted(entry.name for entry in entries)
    os.close(scan_fd)
    for name in names:
        shown = f"{where}{name}"
        st = os.lstat(name, dir_fd=src)
        budget.entries -= 1
        if budget.entries < 0:
            budget.skipped.append(shown + " (too many files)")
            continue
        if stat.S_ISDIR(st.st_mode):
            try:
                os.mkdir(name, 0o700, dir_fd=dst)
            except FileExistsError:
                pass
            try:
                sub_src, sub_dst = _open_dir(name, src), _open_dir(name, dst)
            except OSError as exc:
                budget.skipped.append(f"{shown}/ ({exc.strerror})")
                continue
            try:
                _copy_tree(sub_src, sub_dst, budget, shown + "/", depth + 1)
                os.chmod(sub_dst, (st.st_mode & 0o777) | 0o700)
            finally:
                os.close(sub_src)
                os.close(sub_dst)
        elif stat.S_ISREG(st.st_mode):
            first = budget.copied.get((st.st_dev, st.st_ino))
            if first is not None and _link_again(first, name, dst, budget):
                continue
            if st.st_size > budget.size:
                budget.skipped.append(shown + " (over the size budget)")
                continue
            budget.size -= st.st_size
            if _copy_file(name, src, dst, st.st_mode & 0o777, shown, budget) and st.st_nlink > 1:
                budget.copied[(st.st_dev, st.st_ino)] = shown
        else:
            budget.skipped.append(shown + " (not a regular file or directory)")


def _make_room(name: str, dst: int, shown: str, budget: _Budget) -> bool:
    """Remove a file (never a directory) called `name` in `dst`; False if a directory is there."""
    try:
        if stat.S_ISDIR(os.lstat(name, dir_fd=dst).st_mode):
            budget.skipped.append(shown + " (a directory of that name exists)")
            return False
        os.unlink(name, dir_fd=dst)
    except FileNotFoundError:
        pass
    return True


def _link_again(first: str, name: str, dst: int, budget: _Budget) -> bool:
    """Hard-link the already copied `first` (a path below budget.top) as `name` in `dst`."""
    if not _make_room(name, dst, first, budget):
        return True
    try:
        os.link(first, name, src_dir_fd=budget.top, dst_dir_fd=dst, follow_symlinks=False)
        return True
    except OSError:
        return False  # copy it instead


def _copy_file(name: str, src: int, dst: int, mode: int, shown: str, budget: _Budget) -> bool:
    """Copy one regular file; True when it was copied whole."""
    if not _make_room(name, dst, shown, budget):
        return False
    source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=src)
    try:
        target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dst)
        try:
            while os.sendfile(target, source, None, 1 << 24) > 0:
                pass
            return True
        except OSError as exc:
            os.unlink(name, dir_fd=dst)  # no half files
            budget.skipped.append(f"{shown} ({exc.strerror})")
            return False
        finally:
            os.close(target)
    finally:
        os.close(source)


def _reap(child: int) -> int:
    """Reap every process that ends (orphans re-parent to us) until `child` does; its status."""
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == child:
            return status


def supervise(argv: list[str]) -> int:
    """Build the view if asked, copy the workdir in, run the command as PID 2, copy results out.

    `argv` is `CONFIG -- COMMAND...` (CONFIG: JSON written by grader.sandbox.view). Returns the
    command's exit code, 128 + N when a signal N killed it, or SETUP_FAILED.
    """
    config, separator, command = json.loads(argv[0]), argv[1], argv[2:]
    if separator != "--" or not command:
        print("isolation: usage: supervisor.py CONFIG -- COMMAND...", file=sys.stderr)
        return SETUP_FAILED
    work, host = config["workdir"], config["fd"]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-small RLIMIT_FSIZE gives EFBIG, not death
    try:
        if config["build"]:
            _build_view(config)
        _check(_c().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "not dumpable")  # the command may not ptrace us
        if host is not None:
            target = _open_dir(work)
            budget = _Budget(config["disk_bytes"], config["max_files"], target)
            try:
                _copy_tree(host, target, budget)
            finally:
                os.close(target)
            if budget.skipped:
                skipped = ", ".join(budget.skipped[:5])
                raise OSError(errno.ENOSPC, f"the workdir's files do not fit in its view: {skipped}")
        os.chdir(work)
    except (OSError, ValueError) as exc:
        print(f"isolation: could not build the view: {exc}", file=sys.stderr)
        return SETUP_FAILED
    child = os.fork()
    if child == 0:  # the command: no host descriptor, default signals, no capabilities
        try:
            if host is not None:
                os.close(host)
            for sig in (signal.SIGXFSZ, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)
            _drop_capabilities()
            if config.get("seccomp"):
                install_seccomp(base64.b64decode(config["seccomp"]))
            os.execvp(command[0], command)
        except BaseException as exc:  # noqa: BLE001 - report anything, then leave
            os.write(2, f"isolation: could not run {command[0]}: {exc}\n".encode())
        os._exit(127)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: os.kill(child, signum))
    status = _reap(child)
    if os.getpid() == 1:  # only in our own PID namespace: kill(-1) elsewhere would hit the host
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            while True:
                os.waitpid(-1, 0)
    if host is not None:
        source = _open_dir(work)
        budget = _Budget(config["disk_bytes"], config["max_files"], host)
        try:
            _copy_tree(source, host, budget)
        except OSError as exc:
            budget.skipped.append(f"({exc})")
        finally:
            os.close(source)
        if budget.skipped:
            print("isolation: not copied out of the workdir: " + ", ".join(budget.skipped[:10]), file=sys.stderr)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(supervise(sys.argv[1:]))
