"""Build frozen dataclasses from parsed YAML, strictly, with errors that name the field.

`build(cls, data, path)` checks every key against the dataclass: unknown keys, missing keys and
wrong types each raise `FieldError(path, message)`, where `path` is a dotted field path such as
`metric.ladder.5`. The spec loader adds the file name.

Example:
    @dataclass(frozen=True)
    class Point:
        x: int
        y: float = 0.0

    build(Point, {"x": 1}, "point")  # Point(x=1, y=0.0)
    build(Point, {"x": "a"}, "point")  # FieldError: point.x: expected an integer, got str 'a'

Supported annotations: int, float, str, bool, Any, Literal[...], X | None, tuple[X, ...]
(from a YAML list), dict[K, V] and nested dataclasses.
"""

import dataclasses
import types
import typing
from typing import Any, Union


class FieldError(ValueError):
    """A value at `path` does not match the declared type."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def build(cls: type, data: Any, path: str) -> Any:
    """Return `data` converted to `cls` (a dataclass or a typing annotation), or raise FieldError."""
    return _convert(cls, data, path)


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def _convert(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        non_none = [a for a in args if a is not type(None)]
        errors = []
        for option in non_none:
            try:
                return _convert(option, value, path)
            except FieldError as exc:
                errors.append(exc.message)
        raise FieldError(path, " or ".join(dict.fromkeys(errors)))
    if dataclasses.is_dataclass(tp):
        return _convert_dataclass(tp, value, path)
    if origin is tuple:  # tuple[X, ...]: a YAML list, stored immutably
        if not isinstance(value, list):
            raise FieldError(path, f"expected a list, got {_describe(value)}")
        return tuple(_convert(args[0], item, f"{path}[{i}]") for i, item in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise FieldError(path, f"expected a mapping, got {_describe(value)}")
        key_type, value_type = args
        return {
            _convert(key_type, key, f"{path}.{key}"): _convert(value_type, item, f"{path}.{key}")
            for key, item in value.items()
        }
    if origin is typing.Literal:
        if value not in args:
            choices = ", ".join(repr(a) for a in args)
            raise FieldError(path, f"expected one of {choices}, got {_describe(value)}")
        return value
    return _convert_scalar(tp, value, path)


def _convert_scalar(tp: type, value: Any, path: str) -> Any:
    # bool is a subclass of int in Python; YAML `yes` must not pass as a number.
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise FieldError(path, f"expected true or false, got {_describe(value)}")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise FieldError(path, f"expected an integer, got {_describe(value)}")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise FieldError(path, f"expected a number, got {_describe(value)}")
    if tp is str:
        if isinstance(value, str) and value.strip():
            return value
        raise FieldError(path, f"expected a non-empty string, got {_describe(value)}")
    raise TypeError(f"typed.build does not support the annotation {tp!r} at {path}")


def _convert_dataclass(cls: type, value: Any, path: str) -> Any:
    if isinstance(value, cls):  # validated earlier by a more specific loader
        return value
    if not isinstance(value, dict):
        raise FieldError(path, f"expected a mapping, got {_describe(value)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = [key for key in value if key not in fields]
    if unknown:
        allowed = ", ".join(fields)
        raise FieldError(_join(path, str(unknown[0])), f"unknown field (allowed here: {allowed})")
    kwargs = {}
    for name, field in fields.items():
        field_path = _join(path, name)
        if name in value:
            kwargs[name] = _convert(hints[name], value[name], field_path)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise FieldError(field_path, "missing required field")
    return cls(**kwargs)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
