"""`builtin:synthetic_series`: a seeded daily series of trend + seasonality + noise.

The pattern is the one from the TensorFlow course's synthetic series (a cosine for the first 40%
of each period, then an exponential decay), so learners meet the series they practised on.
The noise of the hidden test segment is drawn from its own seed, which an instructor secret
can replace, so the learner's copy of the generator cannot reproduce the test targets. The test
segment is drawn several times (`draws`): one year of daily noise gives MAE figures that move by
about +-7% from seed to seed, too much for a points ladder; five draws cut that spread by ~2.2x.

Example:
    params = SyntheticSeriesParams(days=1826, baseline=10, slope=0.01, period=365,
                                   amplitude=40, noise_level=5, seed=42)
    values = generate_series(params, test_start=1461, test_seed=7, draw=0)  # float32, (1826,)
"""

from dataclasses import dataclass

import numpy as np

from grader.data.examples import Examples


@dataclass(frozen=True)
class SyntheticSeriesParams:
    """Generator parameters, as written under `dataset.params` in the task spec."""

    days: int
    baseline: float
    slope: float
    period: int
    amplitude: float
    noise_level: float
    seed: int


@dataclass(frozen=True)
class SegmentSplit:
    """A contiguous segment `[start, end)` of the series (day indices)."""

    start: int
    end: int
    seed: int | None = None  # hidden test split only: the seed of its noise
    draws: int = 1  # hidden test split only: independent noise draws of the segment

    def describe(self) -> str:
        """'days 0..1095' (and the draws, for the test split)."""
        text = f"days {self.start}..{self.end - 1}"
        return text if self.draws == 1 else f"{text}, {self.draws} noise draws"


def seasonal_pattern(season_time: np.ndarray) -> np.ndarray:
    """The course's seasonal shape over one period; `season_time` is in [0, 1)."""
    return np.where(season_time < 0.4, np.cos(season_time * 2 * np.pi), 1 / np.exp(3 * season_time))


def generate_series(
    params: SyntheticSeriesParams, test_start: int, test_seed: int, draw: int = 0
) -> np.ndarray:
    """Return the whole series (float32); noise from `test_start` on comes from (test_seed, draw)."""
    time = np.arange(params.days, dtype=np.float64)
    season_time = (time % params.period) / params.period
    signal = params.baseline + params.slope * time + params.amplitude * seasonal_pattern(season_time)
    learner_noise = np.random.default_rng(params.seed).standard_normal(test_start)
    test_noise = np.random.default_rng([test_seed, draw]).standard_normal(params.days - test_start)
    noise = np.concatenate([learner_noise, test_noise]) * params.noise_level
    return (signal + noise).astype(np.float32)


def sliding_windows(values: np.ndarray, targets_from: int, targets_to: int, window: int, horizon: int = 1,
                    max_windows: int | None = None):
    """Return `(x, y)`: for each t in [targets_from, targets_to - horizon], x = values[t-window:t] and
    y = values[t:t+horizon].

    One code path for every series task. A 1-D series gives x (n, window, 1) and y (n, 1): the
    contract of a one-step-ahead forecaster. A (T, F) table of F variables gives x (n, window, F)
    and y (n, F) for one step, or (n, horizon, F) for several (e.g. 24 past observations of 7
    variables -> the next 24 of the 7). `max_windows` keeps that many, evenly spaced, when there
    would be more. Both float32.
    """
    if targets_from < window:
        raise ValueError(f"the first target at row {targets_from} has fewer than {window} rows before it")
    table = values[:, np.newaxis] if values.ndim == 1 else values
    targets = np.arange(targets_from, targets_to - horizon + 1)
    if max_windows is not None and len(targets) > max_windows:
        targets = targets[np.linspace(0, len(targets) - 1, max_windows).round().astype(int)]
    x = np.stack([table[t - window : t] for t in targets])
    y = np.stack([table[t : t + horizon] for t in targets])
    y = y[:, 0] if horizon == 1 else y
    return x.astype(np.float32), y.astype(np.float32)


def learner_split(spec, name: str) -> np.ndarray:
    """The `train` or `valid` segment as a 1-D float32 array (independent of any test secret)."""
    test = spec.dataset.splits["test"]
    segment = spec.dataset.splits[name]
    return generate_series(spec.dataset.params, test.start, test.seed)[segment.start : segment.end]


def hidden_test(spec, seed: int) -> Examples:
    """Windows ending just before each test day, for every noise draw of the test segment."""
    test = spec.dataset.splits["test"]
    window = spec.input.shape[0]
    xs, ys = [], []
    for draw in range(test.draws):
        series = generate_series(spec.dataset.params, test.start, seed, draw)
        x, y = sliding_windows(series, test.start, test.end, window)
        xs.append(x)
        ys.append(y)
    return Examples(np.concatenate(xs), np.concatenate(ys))
