"""dicoding-a4 starter: is an IMDB movie review positive (1) or negative (0)?

Fill in the TODOs, then grade your work:
    tfcert --data-dir DIR grade dicoding-a4 my_imdb.py   # DIR/imdb holds aclImdb_v1.tar.gz (or aclImdb/)
    tfcert show dicoding-a4                              # the whole contract and the line

The template's constants (tasks/dicoding/dicoding-a4.yaml, read below so there is no second copy):
- keras.preprocessing.text.Tokenizer(num_words=VOCAB_SIZE, oov_token="<OOV>") fit on the 25,000
  training reviews in tfds' order, then pad_sequences(maxlen=MAX_LENGTH, truncating="post")
  (padding left at 'pre'). Keras 3 has no Tokenizer; the grader's gives exactly those ids:
      tokenizer = grader.text.Tokenizer.for_task(SPEC)   # fit on train + valid: all 25,000
      tokenizer.encode(["This was an absolutely terrible movie."])   # int32 (1, MAX_LENGTH)
- the grader feeds (None, MAX_LENGTH) ids of the 25,000 test reviews, padded 'pre' and
  truncated 'pre' (their last MAX_LENGTH words), as the template's validation data was: a
  model that only works on the first 120 words of a review scores lower.
- output: (None, 1), the sigmoid probability of "positive"; Dicoding passes accuracy > 83%.
"""

import keras

import grader
from grader.text import Tokenizer

SPEC = grader.task("dicoding-a4")
VOCAB_SIZE = SPEC.input.preprocessing["vocab_size"]   # 10000
MAX_LENGTH = SPEC.input.shape[0]                      # 120
EMBEDDING_DIM = 16                                    # the template's constant


def solution_model() -> keras.Model:
    train_texts, train_labels = grader.load_data("dicoding-a4", "train")   # 22,500 reviews, tfds order
    valid_texts, valid_labels = grader.load_data("dicoding-a4", "valid")   # the other 2,500
    tokenizer = Tokenizer.for_task(SPEC)
    train_ids = tokenizer.encode(train_texts)
    valid_ids = tokenizer.encode(valid_texts)

    model = keras.Sequential([
        keras.Input(shape=(MAX_LENGTH,), dtype="int32"),
        keras.layers.Embedding(VOCAB_SIZE, EMBEDDING_DIM),
        # TODO: Flatten (the template's) or GlobalAveragePooling1D, then a small Dense layer
        # TODO: Dense(1, activation="sigmoid")
    ])
    # TODO: compile with binary_crossentropy and fit a few epochs, validating on (valid_ids, valid_labels).
    return model
