"""The seccomp filter of every sandboxed child: the system calls submitted code never needs are refused.

Two children of one batch see the same read-only files (Python, tfcert) and share one kernel, so
a file lock on a shared file, a watch on it, a keyring, or a query of which pages are cached can
carry bits from one submission to another. This filter refuses (EPERM) the calls that make those
channels, and the ones the threat model (docs/SECURITY.md) says a grading child never needs:

- file locks and file notices: `flock`; `fcntl` with F_GETLK/F_SETLK/F_SETLKW, the F_OFD_* locks,
  leases and F_NOTIFY; `inotify_*`, `fanotify_*`;
- kernel keyrings; `mincore` (which pages of a shared file are cached);
- reaching other processes: `ptrace`, `process_vm_*`, `kcmp`, `pidfd_getfd`;
- the kernel's own business: mounts and namespaces, modules, kexec, reboot, swap, accounting,
  quotas, the clock, the kernel log, `perf_event_open`, `bpf`, `userfaultfd`, `io_uring_*`
  (whose requests seccomp cannot see), file handles (`open_by_handle_at`).

The filter is compiled here with libseccomp (the library every Debian and Ubuntu system has:
apt itself uses it) through `pyseccomp`, its ctypes binding on PyPI, into a classic BPF program;
the supervisor installs that program in the command's process just before `exec`, after
no_new_privs, so it holds for the submission and everything it starts (and not for the
supervisor, which mounts the view). Calls from another ABI (32-bit calls on x86_64) kill the
process: libseccomp's default for an architecture the filter does not name.

Example:
    program = filter_program()          # bytes, or None where libseccomp is missing
    install_seccomp(program)            # in a child, before exec (grader.sandbox.supervisor)
"""

import functools
import tempfile

FLOCK_FCNTL_COMMANDS = {  # fcntl(2) commands that lock, lease or watch a file (Linux values, every arch)
    "F_GETLK": 5, "F_SETLK": 6, "F_SETLKW": 7, "F_OFD_GETLK": 36, "F_OFD_SETLK": 37, "F_OFD_SETLKW": 38,
    "F_SETLEASE": 1024, "F_GETLEASE": 1025, "F_NOTIFY": 1026,
}
REFUSED_CALLS = (
    "flock", "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fanotify_init",
    "fanotify_mark", "add_key", "request_key", "keyctl", "mincore",
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount", "umount2", "pivot_root", "chroot", "unshare", "setns", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff",
    "acct", "quotactl", "quotactl_fd", "syslog", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname", "perf_event_open", "bpf", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "iopl", "ioperm", "uselib",
    "vhangup", "nfsservctl",
)
EPERM = 1


@functools.cache
def filter_program() -> bytes | None:
    """The filter as a classic BPF program (sock_filter instructions), or None without libseccomp here."""
    try:
        import pyseccomp
    except (ImportError, RuntimeError, OSError):  # not installed, or libseccomp.so is missing
        return None
    refused = pyseccomp.ERRNO(EPERM)
    program = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    for call in REFUSED_CALLS:
        try:
            program.add_rule(refused, call)
        except (ValueError, OSError, RuntimeError):  # a call this architecture does not have
            continue
    for fcntl in ("fcntl", "fcntl64"):
        for command in FLOCK_FCNTL_COMMANDS.values():
            try:
                program.add_rule(refused, fcntl, pyseccomp.Arg(1, pyseccomp.EQ, command))
            except (ValueError, OSError, RuntimeError):
                break  # fcntl64 exists on 32-bit architectures only
    with tempfile.TemporaryFile() as file:
        program.export_bpf(file)
        file.seek(0)
        return file.read()
