"""What usually closes a gap to the next rung, by task category and by the gap's size in rungs.

Data, not code: a gap is measured in rungs of the task's own ladder (how many rungs lie between
the result and the rung, interpolated: grader.scoring.gaps), so no threshold is written twice; the
advice for a category is a list of (largest gap in rungs, technique), smallest gap first. The
techniques are the course's (TensorFlow in Practice, and the exam's templates): a lower final
learning rate, more epochs with early stopping, a learning-rate sweep, a Conv1D front,
augmentation, a deeper network. A window task's window size is part of its contract, so "a
larger window" is never advised here.

Example:
    technique("time-series", 0.06)   # ('a lower final learning rate', 'let it decay over the last epochs ...')
    technique("time-series", 2.4)    # ('a learning-rate sweep', 'LearningRateScheduler(...) ...')
"""

# category -> ((largest gap in rungs, technique, how to apply it), ...), smallest gap first; the last is unbounded.
ADVICE: dict[str, tuple[tuple[float, str, str], ...]] = {
    "time-series": (
        (0.5, "a lower final learning rate",
         "let it decay over the last epochs (ReduceLROnPlateau, or an ExponentialDecay schedule) so the weights "
         "settle in the minimum"),
        (1.5, "more epochs with early stopping",
         "EarlyStopping(monitor='val_loss', patience=10, restore_best_weights=True) keeps the best epoch, not "
         "the last"),
        (3.0, "a learning-rate sweep",
         "LearningRateScheduler(lambda epoch: 1e-8 * 10 ** (epoch / 20)) for 100 epochs, then train at the rate "
         "where the loss fell fastest (a Huber loss helps with spikes)"),
        (float("inf"), "a Conv1D front",
         "Conv1D(32, 5, padding='causal', activation='relu') before the LSTMs, the series scaled inside the model "
         "(Rescaling), and a learning-rate sweep"),
    ),
    "image": (
        (0.5, "more epochs with early stopping",
         "EarlyStopping(monitor='val_accuracy', restore_best_weights=True) keeps the best epoch"),
        (1.5, "a lower final learning rate", "ReduceLROnPlateau for the last epochs"),
        (3.0, "augmentation layers",
         "RandomFlip, RandomRotation, RandomZoom, RandomTranslation in the model, so it sees the variation the "
         "test images have"),
        (float("inf"), "a deeper CNN",
         "another Conv2D + MaxPooling2D block and Dropout before the Dense layers, with augmentation layers and "
         "the pixels scaled as the contract says"),
    ),
    "transfer": (
        (0.5, "more epochs with early stopping",
         "EarlyStopping(restore_best_weights=True) on the head's training"),
        (1.5, "a lower final learning rate", "ReduceLROnPlateau for the last epochs, and Dropout in the head"),
        (3.0, "augmentation layers",
         "RandomFlip, RandomRotation, RandomZoom before the backbone; train on the validation split too once the "
         "epochs are chosen"),
        (float("inf"), "a frozen pretrained backbone",
         "grader.pretrained.load_backbone(...) with a small Dense head, inputs scaled as the backbone expects"),
    ),
    "text": (
        (0.5, "more epochs with early stopping",
         "EarlyStopping(monitor='val_accuracy', restore_best_weights=True) keeps the best epoch"),
        (1.5, "a lower final learning rate", "Adam(1e-4) for the last epochs, and Dropout after the embedding"),
        (3.0, "a model that reads word order",
         "Bidirectional(LSTM(32)), or Conv1D + GlobalMaxPooling1D, instead of averaging the embeddings"),
        (float("inf"), "the task's own tokenizer",
         "its vocabulary, OOV token, padding and truncating (grader.text.Tokenizer.for_task), then an Embedding + "
         "Bidirectional LSTM"),
    ),
    "regression": (
        (0.5, "more epochs", "the error of a Dense(1) line fit still falls: train longer on the same points"),
        (3.0, "a higher learning rate", "Adam(learning_rate=0.1), or many more epochs: a line fit reaches an "
                                        "error near 0"),
        (float("inf"), "the template's data and shape",
         "x and y as the template gives them, input shape [1], a single Dense(1) layer"),
    ),
}


def technique(category: str, gap_rungs: float) -> tuple[str, str] | None:
    """(technique, how) that usually closes a gap of `gap_rungs` rungs for `category`; None without advice."""
    for largest, name, how in ADVICE.get(category, ()):
        if gap_rungs <= largest:
            return name, how
    return None
