"""`builtin:shapes`: seeded procedural RGB images of shapes on varied, noisy backgrounds.

Each image is one shape (the class) with a random colour, an optional stripe texture, on a
background of random colour with a gradient and pixel noise. A split's `pose` says how far shapes
may be shifted, rotated, scaled and flipped: the learner's splits are upright and centred, the
hidden test split is not, so a CNN only does well on it if it was trained with augmentation.

Shapes are drawn as implicit functions in the shape's own frame, so every pose is the inverse
transform of the pixel grid; 2x supersampling smooths the edges. Learner splits are cached on disk.

Example:
    images, labels = render_split(("circle", "square"), 64, ImageSplit(100, 1, Pose()), ShapesParams())
"""

from dataclasses import dataclass, field

import numpy as np

from grader.data.cache import cached_arrays
from grader.data.examples import Examples

RENDER_VERSION = 1  # bump when the drawing changes: it is part of the cache key
SUPERSAMPLE = 2
CHUNK = 250  # images rendered at once: bounds the float64 grids to ~100 MB at 64x64


@dataclass(frozen=True)
class Pose:
    """How far a split's shapes vary: shift in pixels, rotation in radians, scale, flips."""

    max_shift: float = 0.0
    max_rotation: float = 0.0
    min_scale: float = 1.0
    max_scale: float = 1.0
    flip: bool = False  # random horizontal and vertical flips


@dataclass(frozen=True)
class ShapesParams:
    """Looks shared by every split, as written under `dataset.params`."""

    noise_level: float = 12.0  # std of the pixel noise, in 0..255 units
    textured_fraction: float = 0.5  # share of shapes drawn with stripes


@dataclass(frozen=True)
class ImageSplit:
    """A split of `count` images drawn with `seed` in `pose`."""

    count: int
    seed: int
    pose: Pose = field(default_factory=Pose)

    def describe(self) -> str:
        """'2000 images, shift <= 1 px, rotation <= 0 rad, scale 0.95-1.05, no flips'."""
        pose = self.pose
        flips = "flipped" if pose.flip else "no flips"
        return (f"{self.count} images, shift <= {pose.max_shift:g} px, rotation <= {pose.max_rotation:g} rad, "
                f"scale {pose.min_scale:g}-{pose.max_scale:g}, {flips}")


def _circle(u, v):
    return u * u + v * v < 0.5**2


def _square(u, v):
    return np.maximum(np.abs(u), np.abs(v)) < 0.42


def _triangle(u, v):  # apex up
    return (v > -0.4) & (v < 0.55 - 1.9 * np.abs(u))


def _star(u, v):  # five points, one up
    angle = np.arctan2(v, u) - np.pi / 2
    return np.hypot(u, v) < 0.24 + 0.36 * ((1 + np.cos(5 * angle)) / 2) ** 2


def _cross(u, v):
    return ((np.abs(u) < 0.15) & (np.abs(v) < 0.55)) | ((np.abs(v) < 0.15) & (np.abs(u) < 0.55))


SHAPES = {"circle": _circle, "square": _square, "triangle": _triangle, "star": _star, "cross": _cross}


def _pixel_grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Supersampled pixel centres in [-1, 1], y pointing up."""
    steps = (np.arange(size * SUPERSAMPLE) + 0.5) / (size * SUPERSAMPLE) * 2 - 1
    x, y = np.meshgrid(steps, -steps)
    return x, y


def _render_chunk(rng, classes: tuple, size: int, labels: np.ndarray, pose: Pose, params: ShapesParams) -> np.ndarray:
    n = len(labels)
    x, y = _pixel_grid(size)
    shift = rng.uniform(-pose.max_shift, pose.max_shift, (n, 2)) * 2 / size
    angle = rng.uniform(-pose.max_rotation, pose.max_rotation, n)
    scale = rng.uniform(pose.min_scale, pose.max_scale, n)
    flips = rng.choice([-1.0, 1.0], (n, 2)) if pose.flip else np.ones((n, 2))
    # Inverse pose: pixel -> shape frame (undo shift, rotation, scale, then flip).
    cx, cy = x[None] - shift[:, 0, None, None], y[None] - shift[:, 1, None, None]
    cos, sin = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    u = (cos * cx + sin * cy) / scale[:, None, None] * flips[:, 0, None, None]
    v = (-sin * cx + cos * cy) / scale[:, None, None] * flips[:, 1, None, None]

    mask = np.zeros(u.shape, dtype=bool)
    for index, name in enumerate(classes):
        chosen = labels == index
        mask[chosen] = SHAPES[name](u[chosen], v[chosen])

    background, foreground = _colours(rng, n)
    gradient = rng.uniform(-40, 40, (n, 1, 1, 3)) * (x[None, ..., None] * rng.uniform(-1, 1, (n, 1, 1, 1))
                                                     + y[None, ..., None])
    image = background[:, None, None, :] + gradient
    stripes = _stripes(rng, u, v, n, params.textured_fraction)
    image = np.where(mask[..., None], foreground[:, None, None, :] * stripes[..., None], image)
    # Average the supersampled pixels, then add per-pixel noise at the final resolution.
    image = image.reshape(n, size, SUPERSAMPLE, size, SUPERSAMPLE, 3).mean(axis=(2, 4))
    image += rng.normal(0, params.noise_level, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def _colours(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Background and shape colours whose brightness differs by at least 70 (visible shapes)."""
    background = rng.uniform(0, 255, (n, 3))
    foreground = rng.uniform(0, 255, (n, 3))
    brightness = np.array([0.299, 0.587, 0.114])
    for _ in range(20):
        dull = np.abs((foreground - background) @ brightness) < 70
        if not dull.any():
            break
        foreground[dull] = rng.uniform(0, 255, (int(dull.sum()), 3))
    dull = np.abs((foreground - background) @ brightness) < 70
    foreground[dull] = 255 - background[dull]  # rare leftovers: the complement always contrasts
    return background, foreground


def _stripes(rng, u, v, n: int, fraction: float) -> np.ndarray:
    """Brightness factors: 1 for plain shapes, 0.7/1.0 stripes for textured ones."""
    textured = rng.random(n) < fraction
    frequency = rng.uniform(12, 24, n)[:, None, None]
    direction = rng.uniform(0, np.pi, n)[:, None, None]
    wave = np.sin(frequency * (u * np.cos(direction) + v * np.sin(direction)))
    return np.where(textured[:, None, None] & (wave < 0), 0.7, 1.0)


def render_split(classes: tuple, size: int, split: ImageSplit, params: ShapesParams) -> tuple[np.ndarray, np.ndarray]:
    """`(images uint8 (N, size, size, 3), labels int64 (N,))`, balanced over classes, seeded."""
    rng = np.random.default_rng(split.seed)
    labels = rng.permutation(np.arange(split.count) % len(classes)).astype(np.int64)
    chunks = [
        _render_chunk(rng, classes, size, labels[start : start + CHUNK], split.pose, params)
        for start in range(0, split.count, CHUNK)
    ]
    return np.concatenate(chunks), labels


def learner_split(spec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The `train` or `valid` images and labels (uint8 pixels 0..255), cached on disk."""
    split = spec.dataset.splits[name]
    size = spec.input.shape[0]
    key = ("shapes", RENDER_VERSION, spec.output.classes, size, split, spec.dataset.params)

    def render() -> dict:
        images, labels = render_split(spec.output.classes, size, split, spec.dataset.params)
        return {"x": images, "y": labels}

    arrays = cached_arrays(key, render)
    return arrays["x"], arrays["y"]


def hidden_test(spec, seed: int) -> Examples:
    """The test images as float32 0..255 (the model contract) and their labels; never cached."""
    test = spec.dataset.splits["test"]
    split = ImageSplit(test.count, seed, test.pose)
    images, labels = render_split(spec.output.classes, spec.input.shape[0], split, spec.dataset.params)
    return Examples(images.astype(np.float32), labels)
