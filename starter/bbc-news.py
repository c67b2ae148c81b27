"""bbc-news starter (course C3W2): which of 5 topics is a BBC news article about?

Fill in the TODOs, then grade your work:
    tfcert grade bbc-news my_bbc_news.py   # trains solution_model() and scores it
    tfcert show bbc-news                   # the whole contract and the points ladder

The data is the course's bbc-text.csv (header category,text):
    tfcert data add bbc-news PATH          # register your copy
The course's constants (tasks/exam/bbc-news.yaml, read below so there is no second copy):
- the course fit keras.preprocessing.text.Tokenizer(num_words=VOCAB_SIZE, oov_token="<OOV>")
  on the training articles (training_portion 0.8: the first 1,780, in file order), then
  texts_to_sequences + pad_sequences(maxlen=MAX_LENGTH, padding="post", truncating="post").
  Keras 3 has no Tokenizer. The grader's own tokenizer gives exactly those ids:
      tokenizer = grader.text.Tokenizer.for_task(SPEC)
      tokenizer.encode(["tv future in the hands of viewers with home theatre systems"])
          # int32 (1, MAX_LENGTH): ids padded with 0 'post', long articles cut to their first MAX_LENGTH words
      tokenizer.word_index["the"]     # 2: the word -> id map, as the old Tokenizer's word_index
  (the course removed stopwords before tokenizing; this task does not: the ids are of the raw text.)
- labels: grader.load_data gives 0..4 in the order of CLASSES (the course's label Tokenizer
  order, by frequency, but from 0): sport, business, politics, tech, entertainment.
- the grader feeds your model (None, MAX_LENGTH) int ids of articles you never saw.
- output: (None, 5) softmax probabilities in the order of CLASSES.
"""

import keras

import grader
from grader.text import Tokenizer

SPEC = grader.task("bbc-news")
VOCAB_SIZE = SPEC.input.preprocessing["vocab_size"]   # 1000 ids, padding and <OOV> included
MAX_LENGTH = SPEC.input.shape[0]                      # 120 ids per article
CLASSES = SPEC.output.classes                         # label i is CLASSES[i]
EMBEDDING_DIM = 16                                    # the course's constant


def solution_model() -> keras.Model:
    train_texts, train_labels = grader.load_data("bbc-news", "train")   # 1,780 articles; labels 0..4
    valid_texts, valid_labels = grader.load_data("bbc-news", "valid")   # the next 222
    tokenizer = Tokenizer.for_task(SPEC)
    train_ids = tokenizer.encode(train_texts)   # (1780, MAX_LENGTH) int32, as the grader makes them
    valid_ids = tokenizer.encode(valid_texts)

    model = keras.Sequential([
        keras.Input(shape=(MAX_LENGTH,), dtype="int32"),
        keras.layers.Embedding(VOCAB_SIZE, EMBEDDING_DIM),
        # TODO: reduce the sequence to one vector (GlobalAveragePooling1D, as in the course; an
        #       Embedding with mask_zero=True makes the average skip the padding).
        # TODO: a Dense hidden layer, then Dense(len(CLASSES), activation="softmax").
    ])
    # TODO: compile with sparse_categorical_crossentropy (the labels are integers) and fit on
    #       (train_ids, train_labels), validating on (valid_ids, valid_labels); the course
    #       trained for 30 epochs.
    return model


# The course's notebook saved nothing; the exam's template saved the model like this.
if __name__ == "__main__":
    solution_model().save("bbc-news.keras")
