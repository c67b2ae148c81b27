#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04 or later):
# Python, bubblewrap (for isolating training code), and in a virtual environment of its own
# (TFCERT_VENV, default /opt/tfcert) the tfcert package this archive carries, with its dependencies.
# Then it checks the task loads and fetches the task's data if it is a downloadable dataset.
set -euo pipefail
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${TFCERT_VENV:-/opt/tfcert}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap libseccomp2 ca-certificates
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "tfcert needs Python 3.10 or later: choose the Ubuntu 22.04 base image (or later) for this autograder" >&2
    exit 1
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --no-cache-dir --upgrade pip
# The tfcert this archive carries: a wheel, or a checkout's source archive that pip builds here.
shopt -s nullglob
packages=("$source_dir"/tfcert-*.whl "$source_dir"/tfcert-*.tar.gz)
shopt -u nullglob
if [ "${#packages[@]}" -ne 1 ]; then
    echo "the archive must hold exactly one tfcert package (tfcert-*.whl or tfcert-*.tar.gz); make it again" >&2
    exit 1
fi
"$venv/bin/python" -m pip install --no-cache-dir "${packages[0]}"
"$venv/bin/python" -m grader.gradescope.autograder --prepare "$source_dir"
