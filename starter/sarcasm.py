"""sarcasm starter (exam category 4): is a news headline sarcastic (1) or not (0)?

Fill in the TODOs, then grade your work:
    tfcert grade sarcasm my_sarcasm.py     # trains solution_model() and scores it
    tfcert show sarcasm                    # the whole contract and the points ladder

The data is Misra's News Headlines Dataset for Sarcasm Detection, the exam's sarcasm.json:
    tfcert data add sarcasm PATH           # register your copy (JSON array, JSON Lines or .zip)
The exam's constants (tasks/exam/sarcasm.yaml, read below so there is no second copy):
- the exam fit keras.preprocessing.text.Tokenizer(num_words=VOCAB_SIZE, oov_token="<OOV>") on
  ALL the headlines (its template called fit_on_texts(sentences) before splitting off the first
  20,000 for training), then texts_to_sequences + pad_sequences(maxlen=MAX_LENGTH,
  padding="post", truncating="post"). Keras 3 has no Tokenizer. The grader's own tokenizer
  gives exactly those ids (a model trained on the exam's ids is graded on the same ids):
      tokenizer = grader.text.Tokenizer.for_task(SPEC)
      tokenizer.encode(["mom starting to fear son's web series closest thing she will have to grandchild"])
          # int32 (1, MAX_LENGTH): ids padded with 0 'post'; 1 is <OOV>
      tokenizer.word_index["trump"]   # 13: the word -> id map, as the old Tokenizer's word_index
  (keras.layers.TextVectorization strips apostrophes, so "son's" becomes "sons" there: other ids.)
- the grader feeds your model (None, MAX_LENGTH) int ids of headlines you never saw.
- output: (None, 1), the sigmoid probability of "sarcastic".
"""

import keras

import grader
from grader.text import Tokenizer

SPEC = grader.task("sarcasm")
VOCAB_SIZE = SPEC.input.preprocessing["vocab_size"]   # 1000 ids, padding and <OOV> included
MAX_LENGTH = SPEC.input.shape[0]                      # 120 ids per headline
EMBEDDING_DIM = 16                                    # the exam's constant


def solution_model() -> keras.Model:
    train_texts, train_labels = grader.load_data("sarcasm", "train")   # the first 20,000 headlines; labels 0/1
    valid_texts, valid_labels = grader.load_data("sarcasm", "valid")   # the next 3,000
    tokenizer = Tokenizer.for_task(SPEC)
    train_ids = tokenizer.encode(train_texts)   # (20000, MAX_LENGTH) int32, as the grader makes them
    valid_ids = tokenizer.encode(valid_texts)

    model = keras.Sequential([
        keras.Input(shape=(MAX_LENGTH,), dtype="int32"),
        keras.layers.Embedding(VOCAB_SIZE, EMBEDDING_DIM),
        # TODO: reduce the sequence of embeddings to one vector: GlobalAveragePooling1D (the
        #       course's model), or Conv1D + GlobalMaxPooling1D, or a Bidirectional LSTM.
        # TODO: a Dense hidden layer, then Dense(1, activation="sigmoid").
    ])
    # TODO: compile with binary_crossentropy and fit on (train_ids, train_labels), validating on
    #       (valid_ids, valid_labels); stop when validation accuracy stops rising (few epochs).
    return model


# The exam's template saved the model like this; the grader calls solution_model() itself.
if __name__ == "__main__":
    solution_model().save("sarcasm.keras")
