"""A training script's downloads, answered offline in the sandboxed child from tfcert's verified data.

Installed by the child before the script is imported. It answers, from grader.sandbox.offline_data
(never the network, never a file outside the child's view):
- `urllib.request.urlretrieve` and `urlopen` (and so `pandas.read_csv(URL)`, which opens URLs with it);
- `keras.utils.get_file` and `tf.keras.utils.get_file`, wherever Keras bound them (so
  `keras.datasets.mnist / fashion_mnist / imdb.load_data()` too): the original runs on a `file://`
  copy, so its caching and `extract=` behave as ever;
- `requests.get` and the rest of requests, when requests is installed;
- `tfds.load(name)` for the datasets tfcert has (a prepared tfds copy, or IMDB reviews / MNIST /
  Fashion-MNIST rebuilt in tfds' order).
A `file://` address or a local path passes through unchanged. An address tfcert cannot answer
raises `OfflineDataMissing`, whose one-line message the child reports as the run's outcome
(`first_missing()`, re-exported here), even when the script caught it and failed later.

Example (in the child):
    install(workdir)
    import solution   # its urlretrieve(URL, "rps.zip") now copies tfcert's verified rps.zip
"""

import email.message
import functools
import importlib.abc
import importlib.util
import os
import shutil
import sys
import tempfile
import urllib.request
import urllib.response
from pathlib import Path

from grader.data.urls import is_remote
from grader.sandbox.offline_data import first_missing, materialize

__all__ = ["first_missing", "install", "patch_keras"]

DOWNLOADS = ".tfcert-downloads"  # under the working directory: the answers made once per child
_state = {"folder": None}


def _answer(url: str) -> Path:
    return materialize(url, _state["folder"])


def _url_of(request) -> str:
    return request.full_url if isinstance(request, urllib.request.Request) else str(request)


def _headers(path: Path) -> email.message.Message:
    headers = email.message.Message()
    headers["Content-Length"] = str(path.stat().st_size)
    return headers


def _wrap_urlretrieve(original):
    @functools.wraps(original)
    def urlretrieve(url, filename=None, reporthook=None, data=None):
        if not is_remote(url):
            return original(url, filename, reporthook, data)
        answer = _answer(str(url))
        if filename is None:  # as urllib does: a temporary file
            handle, filename = tempfile.mkstemp(suffix=answer.suffix)
            os.close(handle)
        shutil.copyfile(answer, filename)
        if reporthook:
            size = answer.stat().st_size
            reporthook(1, size, size)
        return str(filename), _headers(answer)

    return urlretrieve


def _wrap_urlopen(original):
    @functools.wraps(original)
    def urlopen(url, *args, **kwargs):
        address = _url_of(url)
        if not is_remote(address):
            return original(url, *args, **kwargs)
        answer = _answer(address)
        return urllib.response.addinfourl(open(answer, "rb"), _headers(answer), address, 200)  # noqa: SIM115

    return urlopen


def _wrap_get_file(original):
    """get_file on a file:// copy of the answer, without the hash check (a rebuilt file differs in bytes)."""

    @functools.wraps(original)
    def get_file(fname=None, origin=None, *args, **kwargs):
        if not is_remote(origin):
            return original(fname, origin, *args, **kwargs)
        answer = _answer(origin)
        for name in ("file_hash", "md5_hash"):
            kwargs.pop(name, None)
        if len(args) >= 3:  # untar, md5_hash, file_hash positionally: keep untar, drop the hashes
            args = (args[0], None, None, *args[3:])
        return original(fname or Path(origin).name, answer.resolve().as_uri(), *args, **kwargs)

    return get_file


def _replace_everywhere(original, replacement, prefixes=()) -> None:
    """Rebind every module attribute that is `original` (modules bound it at import) to `replacement`."""
    for name, module in list(sys.modules.items()):
        if module is None or (prefixes and not name.startswith(prefixes)):
            continue
        for attribute, value in list(getattr(module, "__dict__", {}).items()):
            if value is original:
                setattr(module, attribute, replacement)


def patch_keras() -> None:
    """Answer get_file in every Keras module imported so far (call after Keras and tf.keras are imported)."""
    originals = []
    for module_name, attribute in (("keras.src.utils.file_utils", "get_file"),
                                   ("tf_keras.src.utils.data_utils", "get_file")):
        module = sys.modules.get(module_name)
        function = getattr(module, attribute, None)
        if function is not None and not getattr(function, "_tfcert_offline", False):
            originals.append(function)
    for function in originals:
        replacement = _wrap_get_file(function)
        replacement._tfcert_offline = True
        _replace_everywhere(function, replacement, ("keras", "tf_keras", "tensorflow"))


def _patch_requests(requests) -> None:
    """requests: every request goes through HTTPAdapter.send; answer it with the offline copy."""
    original = requests.adapters.HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        if not is_remote(request.url):
            return original(self, request, *args, **kwargs)
        answer = _answer(request.url)
        response = requests.models.Response()
        response.status_code, response.url, response.request = 200, request.url, request
        response._content = answer.read_bytes()
        response.headers["Content-Length"] = str(len(response._content))
        return response

    requests.adapters.HTTPAdapter.send = send


def _patch_tfds(tfds) -> None:
    from grader.sandbox import offline_tfds

    tfds.load = offline_tfds.offline_load(tfds.load)
    tfds.core.load.load = tfds.load


class _AfterImport(importlib.abc.MetaPathFinder):
    """Patch a library right after the script imports it (requests, tensorflow_datasets)."""

    PATCHES = {"requests": _patch_requests, "tensorflow_datasets": _patch_tfds}

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.PATCHES:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        run, patch = spec.loader.exec_module, self.PATCHES[fullname]

        def exec_module(module):
            run(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


def install(workdir: Path) -> None:
    """Answer downloads from `workdir`/.tfcert-downloads from now on in this process."""
    _state["folder"] = Path(workdir) / DOWNLOADS
    originals = {"urlretrieve": urllib.request.urlretrieve, "urlopen": urllib.request.urlopen}
    for name, wrap in (("urlretrieve", _wrap_urlretrieve), ("urlopen", _wrap_urlopen)):
        replacement = wrap(originals[name])
        setattr(urllib.request, name, replacement)
        _replace_everywhere(originals[name], replacement)
    for name, patch in _AfterImport.PATCHES.items():
        if name in sys.modules:
            patch(sys.modules[name])
    sys.meta_path.insert(0, _AfterImport())
