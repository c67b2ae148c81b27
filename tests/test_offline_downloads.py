"""A training script's downloads, answered offline from tfcert's verified data (grader.sandbox.offline).

The shims run in a child Python, as in train mode, under an audit hook that records every socket
opened and every file tfcert's code opens (TensorFlow's own reads, e.g. /sys/fs/cgroup, are not
the shims'): they open no socket, and read nothing outside what the sandbox's view holds (the
working directory, tfcert's code and cache, the learner's data, Python itself).
"""

import hashlib
import json
import subprocess
import sys
import textwrap

import pytest

from grader.data.urls import DICODING_ML, INCEPTION_NOTOP, KERAS_DATASETS, KNOWN_URLS, known_url
from grader.spec import PROJECT_ROOT

CHILD = textwrap.dedent("""
    import hashlib, json, os, sys
    from pathlib import Path
    events = []
    def audit(event, args):
        if event.startswith("socket."):
            events.append(["socket", event])
        elif event == "open" and isinstance(args[0], (str, bytes, os.PathLike)) and by_the_shims():
            events.append(["open", os.path.realpath(os.fsdecode(args[0]))])
    def by_the_shims():
        frame = sys._getframe(2)
        while frame is not None:
            if "/grader/" in frame.f_code.co_filename:
                return True
            frame = frame.f_back
        return False
    from grader.sandbox.keras_runtime import activate_keras2
    activate_keras2()
    from grader.sandbox import offline
    workdir = Path(sys.argv[1])
    os.chdir(workdir)
    offline.install(workdir)
    import tensorflow as tf
    tf.keras.utils.get_file
    offline.patch_keras()
    import pandas as pd, requests, urllib.request
    sys.addaudithook(audit)
    bbc = sys.argv[2]
    out = {}
    urllib.request.urlretrieve(bbc, "bbc.csv")
    out["urlretrieve"] = hashlib.sha256(open("bbc.csv", "rb").read()).hexdigest()
    with urllib.request.urlopen(bbc) as response:
        out["urlopen"] = hashlib.sha256(response.read()).hexdigest()
    out["pandas"] = list(pd.read_csv(bbc).shape)
    out["requests"] = hashlib.sha256(requests.get(bbc).content).hexdigest()
    out["get_file"] = hashlib.sha256(open(tf.keras.utils.get_file("bbc.csv", bbc), "rb").read()).hexdigest()
    (x, y), (tx, ty) = tf.keras.datasets.mnist.load_data()
    out["mnist"] = [list(x.shape), str(x.dtype), int(y[:100].sum()), list(tx.shape)]
    (fx, fy), _ = tf.keras.datasets.fashion_mnist.load_data()
    out["fashion"] = [list(fx.shape), int(fy[:100].sum())]
    import keras
    from keras.layers.core import Dense
    from keras_preprocessing.text import Tokenizer
    out["aliases"] = [keras.__name__, Tokenizer is tf.keras.preprocessing.text.Tokenizer,
                      Dense is tf.keras.layers.Dense, keras.__spec__.name]
    for name, url in (("unknown", "https://example.org/unknown.csv"), ("inception", sys.argv[3])):
        try:
            urllib.request.urlretrieve(url, "x")
        except OSError as exc:
            out[name] = str(exc)
    sys.stdout.write(json.dumps({"out": out, "events": events}))
""")


@pytest.fixture(scope="module")
def downloads(real_data_env, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("work")
    inception = "https://storage.googleapis.com/mledu-datasets/" + INCEPTION_NOTOP
    run = subprocess.run([sys.executable, "-c", CHILD, str(workdir), DICODING_ML + "bbc-text.csv", inception],
                         capture_output=True, text=True, timeout=300, cwd=workdir,
                         env={**__import__("os").environ, "PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.loads(run.stdout.strip().splitlines()[-1])
    return data, workdir


def test_every_download_route_gives_the_verified_file(downloads, real_data_env):
    out = downloads[0]["out"]
    expected = hashlib.sha256((real_data_env / "bbc-text" / "bbc-text.csv").read_bytes()).hexdigest()
    assert out["urlretrieve"] == out["urlopen"] == out["requests"] == out["get_file"] == expected
    assert out["pandas"] == [2225, 2]
    assert out["mnist"][:2] == [[60000, 28, 28], "uint8"] and out["mnist"][3] == [10000, 28, 28]
    assert out["fashion"][0] == [60000, 28, 28]


def test_keras_datasets_give_the_arrays_keras_gives(downloads, real_data_env):
    """The first 100 labels, as keras.datasets returns them (the original files' order)."""
    from grader.catalog import load_task
    from grader.data import idx_images

    out = downloads[0]["out"]
    assert out["mnist"][2] == int(idx_images.images_and_labels(load_task("dicoding-c2"), "train")[1][:100].sum())
    assert out["fashion"][1] == int(idx_images.images_and_labels(load_task("dicoding-b2"), "train")[1][:100].sum())


def test_imagenet_weights_not_registered_here_get_the_command_that_registers_them(downloads):
    message = downloads[0]["out"]["inception"]
    url = "https://storage.googleapis.com/mledu-datasets/" + INCEPTION_NOTOP
    assert message == (f"{url}: the sandbox has no network and tfcert has no copy of InceptionV3's ImageNet weights "
                       f"without the top on this machine; provide it with `tfcert data add {url} PATH` with a copy "
                       "you downloaded")


def test_under_keras_2_keras_and_keras_preprocessing_are_tf_keras(downloads):
    assert downloads[0]["out"]["aliases"] == ["tf_keras", True, True, "tf_keras"]


def test_an_unknown_address_gets_one_line_naming_it_and_the_data_command(downloads):
    message = downloads[0]["out"]["unknown"]
    assert message.startswith("https://example.org/unknown.csv: the sandbox has no network")
    assert "`tfcert data urls`" in message and "\n" not in message


def test_the_shims_open_no_socket_and_read_only_what_the_view_holds(downloads, real_data_env):
    from grader.sandbox.runner import child_readonly_paths
    from grader.sandbox.view import python_paths

    events, workdir = downloads[0]["events"], downloads[1]
    assert not [event for event in events if event[0] == "socket"]
    allowed = [str(p.resolve()) for p in [*child_readonly_paths(), *python_paths(), workdir]] + ["/dev/", "/proc/",
                                                                                                  "/usr/", "/etc/"]
    opened = {path for kind, path in events if kind == "open"}
    assert str((real_data_env / "bbc-text" / "bbc-text.csv").resolve()) in opened  # the hook saw the shims read
    outside = sorted(path for path in opened if not any(path == root or path.startswith(root.rstrip("/") + "/")
                                                        for root in allowed))
    assert outside == []


def test_every_address_of_the_real_scripts_readme_is_known():
    readme = PROJECT_ROOT.parent / "shared" / "realworld-code" / "README.md"
    if not readme.is_file():
        pytest.skip(f"real learners' scripts not available: {readme} is absent")
    urls = [line.strip(" -`") for line in readme.read_text().splitlines() if line.strip().startswith("- `https://")]
    assert len(urls) == 16
    for url in urls:
        entry = known_url(url)
        assert entry is not None, url
        assert entry.task or entry.form == "registered", url


def test_known_addresses_name_real_tasks():
    import grader

    tasks = {spec.id for spec in grader.tasks()}
    for url, entry in KNOWN_URLS.items():
        assert entry.task is None or entry.task in tasks, url
    assert known_url("http://www.github.com/dicodingacademy/assets/raw/main/Simulation/machine_learning/bbc-text.csv?raw=1")
    assert known_url(KERAS_DATASETS + "mnist.npz").form == "mnist_npz"


def test_a_registered_address_takes_only_its_publishers_file(tmp_path, run_cli):
    url = "https://storage.googleapis.com/mledu-datasets/" + INCEPTION_NOTOP
    fake = tmp_path / INCEPTION_NOTOP
    fake.write_bytes(b"not the weights")
    result = run_cli("data", "add", url, fake)
    assert result.exit_code == 2
    assert "not InceptionV3's ImageNet weights without the top (its checksum differs" in result.stderr
    unknown = run_cli("data", "add", "https://example.org/x.csv", fake)
    assert unknown.exit_code == 2 and "`tfcert data urls` lists them" in unknown.stderr
