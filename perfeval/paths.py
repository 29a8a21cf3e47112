"""Get and set model values by layout path (``basic.projects[3].amounts.budget``)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter

from perfeval.model import Level1

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?")


@functools.lru_cache(maxsize=4096)  # the layouts' paths, parsed once
def _steps(path: str) -> tuple[str | int, ...]:
    steps: list[str | int] = []
    for part in path.split("."):
        m = _TOKEN.fullmatch(part)
        if not m:
            raise KeyError(path)
        steps.append(m.group(1))
        if m.group(2) is not None:
            steps.append(int(m.group(2)))
    return tuple(steps)


def get_path(obj: Any, path: str) -> Any:
    return walk(obj, _steps(path))


def set_path(obj: Any, path: str, value: Any) -> None:
    """Set a leaf value (validated by the model's ``validate_assignment``)."""
    parents, last = path_steps(path)
    obj = walk(obj, parents)
    if isinstance(last, int):
        obj[last] = value
    elif isinstance(obj, BaseModel):
        setattr(obj, last, value)
    else:  # pragma: no cover - models only
        raise KeyError(path)


@functools.lru_cache(maxsize=256)
def field_validator(model: type[BaseModel], name: str) -> Callable[[Any], Any]:
    """The validation ``model`` applies when its field ``name`` is assigned (type, constraints, field validators):
    returns the value as assignment would store it, raises ``ValueError`` (a pydantic ``ValidationError``) when
    assignment would refuse it. No model of the code base has a model-level validator (which assignment would
    also run), so this is all an assignment checks."""
    fields = model.model_fields
    if name not in fields:
        raise KeyError(name)
    return TypeAdapter(fields[name].rebuild_annotation()).validator.validate_python


def walk(obj: Any, steps: tuple[str | int, ...]) -> Any:
    """The object ``steps`` (a path's parsed steps) lead to from ``obj``."""
    for step in steps:
        obj = obj[step] if isinstance(step, int) else getattr(obj, step)
    return obj


def path_steps(path: str) -> tuple[tuple[str | int, ...], str | int]:
    """A path as (the steps to the model holding the value, the last step)."""
    steps = _steps(path)
    return steps[:-1], steps[-1]


def assign(parent: Any, name: str, value: Any) -> None:
    """``parent.name = value`` converted and checked as :func:`set_path` does (``ValueError`` when refused), with
    the field's own validator (:func:`field_validator`) but without the model's assignment machinery: for the
    reader's hundreds of cells per workbook."""
    if not isinstance(parent, BaseModel):  # pragma: no cover - models only
        raise KeyError(name)
    vars(parent)[name] = field_validator(type(parent), name)(value)
    parent.__pydantic_fields_set__.add(name)


def level1_label(level1: Level1) -> str:
    """The printed 一级 label: "产出指标\n（50分）"."""
    from perfeval.numbers import fmt_number

    if level1.weight is None:
        return level1.name
    return f"{level1.name}\n（{fmt_number(level1.weight)}分）"


_LEVEL1 = re.compile(r"^(?P<name>.*?)\s*[（(]\s*(?P<w>[0-9０-９.．]+)\s*分\s*[)）]\s*$", re.S)


def parse_level1_label(text: str) -> tuple[str, str | None]:
    """"产出指标（50分)" → ("产出指标", "50"); a label without weight → (label, None)."""
    from perfeval.numbers import normalise_text

    t = (text or "").strip()
    m = _LEVEL1.match(t)
    if not m:
        return t, None
    return m.group("name").strip(), normalise_text(m.group("w"))
