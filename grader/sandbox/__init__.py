"""Stage 4, the sandbox: run a submission's code in a limited child process, never in the grader.

Training code (`solution_model()` in a `.py`) and files the grader is told to trust run in a fresh
Python child with a scrubbed environment, no network, its own PID namespace, memory and wall-clock
limits and a seccomp filter (see docs/SECURITY.md). Open `runner.py` for the child runner and its
isolation, `view.py` / `supervisor.py` for the private file-system view, `seccomp.py` for the
filter, `status.py` for the child's report (read as untrusted data), `limits.py` for the limits and
the in-process guard used when safe-mode models are loaded and predicted here, `train.py` /
`train_child.py` for train mode, and `trusted.py` / `trusted_child.py` for `--trust` and SavedModel
directories.
"""
