"""Real-data sources: readers for every form the files come in, url:/local: lookup, fetch, add.

The real files come from ../shared/data (skipped with a reason where it is absent). Downloads
are tested against a loopback HTTP server; nothing leaves the machine.
"""

import functools
import http.server
import shutil
import threading
import zipfile

import numpy as np
import pytest
from conftest import single_error

from grader.catalog import load_task
from grader.data import files, hidden_test_split, learner_split
from grader.data.readers import content_sha256, read_records, read_series
from grader.errors import DataFileError, DataMissingError

SUNSPOTS_SHA = "1429783d936eeef51dd3e0d2e7d9affde2d608261275bf143e1268e3089dab5d"


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """A fresh cache and datasets dir: nothing registered, nothing found."""
    monkeypatch.setenv("TFCERT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(tmp_path / "datasets"))
    return tmp_path


def test_series_reader_gives_the_same_values_for_crlf_lf_and_zip(shared_data, tmp_path):
    crlf = shared_data / "sunspots" / "Sunspots.csv"
    lf = shared_data / "sunspots" / "Sunspots-download.csv"
    assert b"\r\n" in crlf.read_bytes() and b"\r\n" not in lf.read_bytes()
    zipped = tmp_path / "Sunspots.csv.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(crlf, "Sunspots.csv")
    values = [read_series(path, column=2) for path in (crlf, lf, zipped)]
    assert len(values[0]) == 3235 and values[0].dtype == np.float32
    assert values[0][0] == pytest.approx(96.7) and values[0].max() == pytest.approx(398.2)
    for other in values[1:]:
        np.testing.assert_array_equal(values[0], other)
    assert {content_sha256(v) for v in values} == {SUNSPOTS_SHA}


def test_quoted_csv_without_trailing_newline(shared_data):
    path = shared_data / "daily-min-temperatures" / "daily-min-temperatures.csv"
    assert not path.read_bytes().endswith(b"\n")
    values = read_series(path, column=1)
    assert len(values) == 3650 and values[0] == pytest.approx(20.7) and values.max() == pytest.approx(26.3)


def test_records_reader_takes_json_lines_json_array_and_zip(shared_data, tmp_path):
    import json

    lines = shared_data / "sarcasm" / "Sarcasm_Headlines_Dataset.json"
    texts, labels = read_records(lines, "headline", "is_sarcastic")
    array = tmp_path / "sarcasm.json"
    array.write_text(json.dumps([{"headline": t, "is_sarcastic": int(label)} for t, label in zip(texts, labels, strict=True)]))
    for path in (shared_data / "sarcasm" / "Sarcasm_Headlines_Dataset.json.zip", array):
        other_texts, other_labels = read_records(path, "headline", "is_sarcastic")
        assert list(other_texts) == list(texts) and list(other_labels) == list(labels)
        assert content_sha256(other_texts, other_labels) == content_sha256(texts, labels)
    assert len(texts) == 26709 and int(np.sum(labels.astype(int))) == 11724


def test_reader_errors_are_one_line_and_name_the_problem(tmp_path):
    bad_number = tmp_path / "bad.csv"
    bad_number.write_text(",Date,Value\n0,1749-01-31,96.7\n1,1749-02-28,n/a\n")
    with pytest.raises(DataFileError, match=r"line 3: expected a number in column 2"):
        read_series(bad_number, column=2)
    two_members = tmp_path / "two.zip"
    with zipfile.ZipFile(two_members, "w") as archive:
        archive.writestr("a.csv", "x\n1\n")
        archive.writestr("b.csv", "x\n2\n")
    with pytest.raises(DataFileError, match="the zip holds 2 data files"):
        read_series(two_members, column=0)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"headline": "a", ')
    with pytest.raises(DataFileError, match="not valid JSON"):
        read_records(broken, "headline", "is_sarcastic")
    wrong_fields = tmp_path / "fields.json"
    wrong_fields.write_text('{"title": "a", "label": 1}\n')
    with pytest.raises(DataFileError, match="need the fields 'headline' and 'is_sarcastic'"):
        read_records(wrong_fields, "headline", "is_sarcastic")


def test_missing_url_data_offline_is_one_line_naming_file_and_fixes(empty_cache, run_cli, model_files):
    result = run_cli("grade", "sunspots", model_files["keras"])
    assert result.exit_code == 2
    message = single_error(result)
    for part in ("Sunspots.csv", "tfcert data fetch sunspots", "tfcert data add sunspots PATH", "offline"):
        assert part in message


def test_data_add_verifies_and_registers_then_grading_uses_it(shared_data, empty_cache, run_cli):
    wrong = run_cli("data", "add", "sunspots", shared_data / "sunspots-3265" / "sunspots.csv")
    assert wrong.exit_code == 2 and "holds other data than sunspots expects" in wrong.stderr
    assert not any((empty_cache / "cache").rglob("*.csv"))  # a rejected copy is not kept
    added = run_cli("data", "add", "sunspots", shared_data / "sunspots" / "Sunspots.csv")  # the CRLF copy
    assert added.exit_code == 0, added.output
    assert "verified 3,235 rows" in added.stdout
    listed = run_cli("data", "list")
    row = next(line for line in listed.stdout.splitlines() if line.startswith("sunspots "))
    assert " yes " in row
    spec = load_task("sunspots")
    train, valid = learner_split(spec, "train"), learner_split(spec, "valid")
    assert (len(train), len(valid)) == (2700, 300) and train[0] == pytest.approx(96.7)
    test = hidden_test_split(spec)
    assert test.x.shape == (235, 30, 1) and test.x.max() <= 1.0  # normalized windows
    assert test.y[0, 0] == pytest.approx(read_series(shared_data / "sunspots" / "Sunspots.csv", 2)[3000])


def test_local_source_reads_data_dir_and_a_zipped_copy(shared_data, empty_cache, run_cli):
    spec = load_task("sarcasm")
    with pytest.raises(DataMissingError, match=r"tfcert data add sarcasm PATH.*--data-dir"):
        learner_split(spec, "train")
    folder = empty_cache / "datasets" / "sarcasm"
    folder.mkdir(parents=True)
    shutil.copyfile(shared_data / "sarcasm" / "Sarcasm_Headlines_Dataset.json.zip",
                    folder / "Sarcasm_Headlines_Dataset.json.zip")  # only the zipped copy
    texts, labels = learner_split(spec, "train")
    assert len(texts) == 20000 and set(np.unique(labels)) == {0, 1}
    fetched = run_cli("data", "fetch", "sarcasm")  # a local source has nothing to download: it says where it is
    assert fetched.exit_code == 0 and "Sarcasm_Headlines_Dataset.json.zip" in fetched.stdout


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server(shared_data):
    """An HTTP server on 127.0.0.1 serving ../shared/data; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(shared_data))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def _with_url(spec, url):
    import dataclasses

    return dataclasses.replace(spec, dataset=dataclasses.replace(spec.dataset, source=f"url:{url}"))


def test_fetch_downloads_once_verifies_and_never_keeps_a_bad_download(loopback_server, empty_cache, monkeypatch):
    monkeypatch.delenv("TFCERT_OFFLINE")
    spec = load_task("sunspots")
    bad = _with_url(spec, f"{loopback_server}/sunspots-3265/sunspots.csv")  # another version of the data
    with pytest.raises(DataFileError, match="holds other data"):
        files.fetch(bad)
    assert not files.cached_path(spec.dataset.params).exists()
    gone = _with_url(spec, f"{loopback_server}/no/such/file.csv")
    with pytest.raises(DataMissingError, match="the download failed"):
        files.fetch(gone)
    good = _with_url(spec, f"{loopback_server}/sunspots/Sunspots-download.csv")
    path = files.fetch(good)
    assert path == files.cached_path(spec.dataset.params) and path.is_file()
    (values,) = files.load_columns(_with_url(spec, f"{loopback_server}/no/such/file.csv"))  # cached: no download
    assert len(values) == 3235


def test_data_commands_on_tasks_without_files(run_cli, tmp_path, empty_cache):
    some_file = tmp_path / "x.csv"
    some_file.write_text("a\n1\n")
    added = run_cli("data", "add", "task4", some_file)
    assert added.exit_code == 2 and "reads builtin:synthetic_series, not files you have: nothing to add" in \
        single_error(added)
    fetched = run_cli("data", "fetch", "task4")
    assert fetched.exit_code == 0 and "nothing to fetch" in fetched.stdout
    offline_fetch = run_cli("data", "fetch", "sunspots")
    assert offline_fetch.exit_code == 2 and "offline" in single_error(offline_fetch)


def test_data_add_takes_the_folder_the_files_or_an_archive_of_them(shared_data, empty_cache, run_cli):
    """What `practice start --exam google` asks for: `tfcert data add fashion-mnist PATH` with what the learner has."""
    folder = shared_data / "fashion-mnist"
    wrong = run_cli("data", "add", "fashion-mnist", shared_data / "mnist")  # MNIST digits: other images
    assert wrong.exit_code == 2 and "holds other images than fashion-mnist expects" in single_error(wrong)
    assert str(shared_data / "mnist") in wrong.stderr and not any((empty_cache / "cache").rglob("*.gz"))
    for given in ([folder], sorted(folder.glob("*.gz")), [_archive(folder, empty_cache / "fashion-mnist.tar.gz")]):
        added = run_cli("data", "add", "fashion-mnist", *given)
        assert added.exit_code == 0, added.output
        assert "verified 60,000 + 10,000 images" in added.stdout
    listed = run_cli("data", "list")
    row = next(line for line in listed.stdout.splitlines() if line.startswith("fashion-mnist "))
    assert " yes " in row and str(empty_cache / "cache") in row
    images, labels = learner_split(load_task("fashion-mnist"), "valid")  # no --data-dir: the registered copy
    assert images.shape == (10000, 28, 28) and labels.max() == 9


def test_data_add_takes_the_imdb_archive_and_image_folders_as_zips(shared_data, empty_cache, run_cli):
    imdb = run_cli("data", "add", "dicoding-a4", shared_data / "imdb")  # the folder holding the archive
    assert imdb.exit_code == 0 and "verified 25,000 + 25,000 reviews" in imdb.stdout, imdb.output
    zips = []
    for folder, count in (("horse-or-human", 10), ("validation-horse-or-human", 4)):
        zips.append(empty_cache / f"{folder}.zip")  # as the course's zips: the class folders at the top
        with zipfile.ZipFile(zips[-1], "w") as archive:
            for class_name in ("horses", "humans"):
                for number in range(count):
                    archive.writestr(f"{class_name}/{class_name}{number:02d}.png", b"an image")
    half = run_cli("data", "add", "dicoding-a2", zips[0])  # one zip at a time, as the course hands them out
    assert half.exit_code == 0 and "verified 20 images (horse-or-human/)" in half.stdout, half.output
    assert "still needed before it grades: validation-horse-or-human/" in half.stdout
    assert any(line.startswith("dicoding-a2 ") and " NO " in line and "lacks validation-horse-or-human/" in line for line in run_cli("data", "list").stdout.splitlines())
    rest = run_cli("data", "add", "dicoding-a2", zips[1])
    assert rest.exit_code == 0 and "verified 8 images (validation-horse-or-human/), with horse-or-human/ kept" in rest.stdout
    added = run_cli("data", "add", "dicoding-a2", *zips)
    assert added.exit_code == 0 and "verified 28 images" in added.stdout, added.output
    listed = run_cli("data", "list")
    assert all(" yes " in line for line in listed.stdout.splitlines()
               if line.startswith(("dicoding-a2 ", "dicoding-a4 ")))


def _archive(folder, target):
    import tarfile

    with tarfile.open(target, "w:gz") as archive:
        archive.add(folder, arcname=folder.name)
    return target


def test_an_offline_fetch_fails_in_one_clean_line(keras, empty_cache, run_cli, monkeypatch):
    """Keras' own download fails as it does without a network (its urlretrieve refused: nothing leaves the
    machine), and keras wraps it as it does: one whole line comes out, no more."""
    import urllib.error

    from keras.src.backend import config as keras_config
    from keras.src.utils import file_utils

    def refused(*args, **kwargs):
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))

    monkeypatch.delenv("TFCERT_OFFLINE")
    monkeypatch.setenv("KERAS_HOME", str(empty_cache / "keras"))
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(empty_cache / "keras"))  # Keras read it at its import
    monkeypatch.setattr(file_utils, "urlretrieve", refused)
    fetched = run_cli("data", "fetch", "fashion-mnist")
    assert fetched.exit_code == 2 and fetched.stdout == ""  # no "Downloading data from ..." either
    assert single_error(fetched).startswith("error: fashion-mnist needs")
    assert fetched.stderr.rstrip().endswith("(the download failed: Connection refused)")
