"""dicoding-a4 on the real IMDB reviews: tfds' order rebuilt from the archive, the template's
keras Tokenizer ids (training truncated 'post', the hidden test 'pre'), the reference reaching
Dicoding's line. Skipped with a reason where ../shared/data is absent; the missing-data message
and the folder/archive reader need no real data."""

import io
import json
import subprocess
import sys
import tarfile
import textwrap

import numpy as np
from conftest import single_error

import grader
from grader.data import hidden_test_split
from grader.data.acl_imdb import _parse_files
from grader.spec import PROJECT_ROOT
from grader.text import Tokenizer, standardize

TASK = "dicoding-a4"

TF_KERAS_IDS = textwrap.dedent("""
    import json, sys
    import numpy as np
    from tf_keras.preprocessing.sequence import pad_sequences
    from tf_keras.preprocessing.text import Tokenizer
    train, test, out = sys.argv[1:]
    tokenizer = Tokenizer(num_words=10000, oov_token="<OOV>")
    tokenizer.fit_on_texts(json.load(open(train)))           # the template: the training reviews, tfds order
    sequences = tokenizer.texts_to_sequences(json.load(open(test)))
    np.save(out, pad_sequences(sequences, maxlen=120))       # the template's validation: 'pre' and 'pre'
""")


def test_the_reviews_come_in_tfds_order(real_data_env):
    """tfds' first training reviews and labels, as the research read them from a tfds-built copy."""
    texts, labels = grader.load_data(TASK, "train")
    assert len(texts) == 22500 and texts[0].startswith("This was an absolutely terrible movie.")
    assert labels[:10].tolist() == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0]
    assert "<br />" in " ".join(texts[:50])  # the raw text, tags kept, as tfds keeps them


def test_hidden_ids_are_the_templates_tokenizer_ids(real_data_env, tmp_path):
    spec = grader.task(TASK)
    train = np.concatenate([grader.load_data(TASK, "train")[0], grader.load_data(TASK, "valid")[0]])
    test = hidden_test_split(spec)
    (tmp_path / "train.json").write_text(json.dumps(list(train)))
    (tmp_path / "test.json").write_text(json.dumps(list(test.text[:3000])))
    subprocess.run([sys.executable, "-c", TF_KERAS_IDS, str(tmp_path / "train.json"), str(tmp_path / "test.json"),
                    str(tmp_path / "ids.npy")], check=True, capture_output=True)
    np.testing.assert_array_equal(test.x[:3000], np.load(tmp_path / "ids.npy"))
    learner = Tokenizer.for_task(spec).encode(test.text[:3000])  # the training encoding: truncating 'post'
    long = np.array([len(standardize(text, "keras_tokenizer")) > 120 for text in test.text[:3000]])
    assert (learner[~long] == test.x[:3000][~long]).all() and (learner[long] != test.x[:3000][long]).any(axis=1).mean() > 0.9


def test_an_unpacked_folder_reads_as_the_archive(tmp_path):
    reviews = {"train/pos/1_9.txt": b" Great film. ", "train/neg/0_2.txt": b"Dull<br />dull.\n",
               "test/pos/3_8.txt": b"Fine", "test/neg/2_1.txt": b"Bad \xc3\xa9clair"}
    with tarfile.open(tmp_path / "aclImdb_v1.tar.gz", "w:gz") as archive:
        for name, raw in reviews.items():
            info = tarfile.TarInfo(f"aclImdb/{name}")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    for name, raw in reviews.items():
        (tmp_path / "aclImdb" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "aclImdb" / name).write_bytes(raw)
    from_archive = _parse_files(str(tmp_path / "aclImdb_v1.tar.gz"))
    assert _parse_files(str(tmp_path / "aclImdb")) == from_archive
    assert sorted(from_archive["train"][0]) == ["Dull<br />dull.", "Great film."]  # ASCII whitespace stripped
    assert sorted(from_archive["test"][0]) == ["Bad éclair", "Fine"]


def test_missing_reviews_exit_2_in_one_line(tmp_path, monkeypatch, keras, run_cli):
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(tmp_path / "datasets"))
    model = tmp_path / "m.keras"
    keras.Sequential([keras.Input((120,), dtype="int32"), keras.layers.Embedding(10000, 4),
                      keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1, activation="sigmoid")]).save(model)
    result = run_cli("grade", TASK, model)
    assert result.exit_code == 2
    error = single_error(result)
    assert "dicoding-a4 needs the Large Movie Review Dataset" in error and "aclImdb_v1.tar.gz" in error
    assert str(tmp_path / "datasets" / "imdb") in error and "tfds 'imdb_reviews'" in error


def test_reference_passes_dicodings_line(real_data_env, train_once):
    kept, _ = train_once(PROJECT_ROOT / grader.task(TASK).solution)
    result = grader.grade(TASK, kept)
    assert result.points == 5 and result.passed and result.value > 0.845, result.value
    assert result.baselines[0].value == 0.5
