"""task3 starter: classify headlines as negative (0) or positive (1) - tokenize, pad, embed.

Fill in the TODOs, then grade your work:
    tfcert grade task3 my_task3.py        # trains solution_model() and scores it
    tfcert show task3                     # the whole contract and the points ladder

The tokenization contract (tasks/task3.yaml; the exam's category-4 style):
- word index: the task ships its vocabulary, VOCAB_FILE, one word per line, most frequent first
  (built from the training headlines). Line 1 is id 2, line 2 is id 3, ... Id 0 is padding and
  id 1 is the OOV token "<OOV>": every word not in the file (rare training words, and the new
  names in the hidden test) becomes 1. That is the old keras Tokenizer(num_words=VOCAB_SIZE,
  oov_token="<OOV>").word_index convention.
- Keras 3 has no keras.preprocessing.text.Tokenizer. Use either
    keras.layers.TextVectorization(max_tokens=VOCAB_SIZE, output_sequence_length=MAX_LENGTH,
                                   vocabulary=VOCAB_FILE)
  (lower-cases, strips punctuation, splits on spaces, pads and truncates 'post': the same ids),
  or grader.text.Tokenizer.for_task(SPEC).encode(texts), the grader's own tokenizer.
- padding and truncating are 'post': ids fill from the left, zeros follow; long headlines keep
  their first MAX_LENGTH tokens.
- the grader feeds your model (None, MAX_LENGTH) int ids. A model whose input is raw strings
  (keras.Input(shape=(1,), dtype="string") then TextVectorization) is graded on raw headlines.
- output: (None, 1), the sigmoid probability of "positive".
"""

import keras

import grader

SPEC = grader.task("task3")
SETTINGS = SPEC.input.preprocessing
VOCAB_SIZE = SETTINGS["vocab_size"]                    # 1000 ids, padding and <OOV> included
VOCAB_FILE = str(SPEC.project_path(SETTINGS["vocabulary"]))
MAX_LENGTH = SPEC.input.shape[0]                       # 24 tokens
EMBEDDING_DIM = 16


def solution_model() -> keras.Model:
    train_texts, train_labels = grader.load_data("task3", "train")   # 1-D array of str, labels 0/1
    valid_texts, valid_labels = grader.load_data("task3", "valid")

    vectorize = keras.layers.TextVectorization(
        max_tokens=VOCAB_SIZE, output_sequence_length=MAX_LENGTH, vocabulary=VOCAB_FILE
    )
    train_ids = vectorize(train_texts).numpy()   # (N, MAX_LENGTH) int ids, as the grader makes them
    valid_ids = vectorize(valid_texts).numpy()

    model = keras.Sequential([
        keras.Input(shape=(MAX_LENGTH,), dtype="int32"),
        keras.layers.Embedding(VOCAB_SIZE, EMBEDDING_DIM),
        # TODO: a layer that reads the sequence in order (word order and negation decide the tone),
        #       e.g. keras.layers.Bidirectional(keras.layers.LSTM(...)); GlobalAveragePooling1D alone
        #       ignores order and stays near a bag of words.
        # TODO: Dense layers ending in Dense(1, activation="sigmoid")
    ])
    # TODO: compile with binary_crossentropy and fit on (train_ids, train_labels),
    #       validating on (valid_ids, valid_labels).
    return model


# The exam's template saved the model like this; the grader calls solution_model() itself.
if __name__ == "__main__":
    solution_model().save("task3.keras")
