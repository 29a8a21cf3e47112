"""Form packs: one sub-package per official form, reached only through :class:`~perfeval.forms.base.FormPack`.

Built-in packs are imported on first use (a command imports only what it needs); :func:`register` adds another
pack at run time (a test's throw-away pack, or a locality's own form).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from perfeval.forms.base import BlankOptions, FormPack, ListedProject, TableRef

if TYPE_CHECKING:
    from perfeval.reading import BookGrid

#: name → module holding ``FORM`` (the order is the order ``perfeval forms`` lists them and recognition tries)
BUILTIN: dict[str, str] = {
    "department": "perfeval.forms.department",
    "project": "perfeval.forms.project",
}
DEFAULT_FORM = "department"

_registered: dict[str, FormPack] = {}


class UnknownForm(KeyError):
    """``str()`` is a Chinese message listing the known forms."""

    def __str__(self) -> str:
        return f"没有名为“{self.args[0]}”的表格类型（可用：{'、'.join(names())}）"


def register(pack: FormPack) -> FormPack:
    """Add (or replace) a pack; returns it."""
    _registered[pack.name] = pack
    return pack


def unregister(name: str) -> None:
    _registered.pop(name, None)


def names() -> list[str]:
    return list(dict.fromkeys([*BUILTIN, *_registered]))


def get(name: str) -> FormPack:
    """The pack called ``name``; :class:`UnknownForm` otherwise."""
    if name in _registered:
        return _registered[name]
    if name not in BUILTIN:
        raise UnknownForm(name)
    pack: FormPack = import_module(BUILTIN[name]).FORM
    return register(pack)


def all_forms() -> list[FormPack]:
    return [get(name) for name in names()]


def for_report(report: object) -> FormPack:
    """The pack whose model ``report`` is an instance of."""
    for pack in all_forms():
        if isinstance(report, pack.model):
            return pack
    raise UnknownForm(type(report).__name__)


def recognising(book: BookGrid) -> list[FormPack]:
    """Every pack whose sheets ``book`` holds (one, normally; :func:`perfeval.reading.read_grid` refuses more)."""
    return [pack for pack in all_forms() if pack.recognise(book)]


def recognise(book: BookGrid) -> FormPack | None:
    """The pack whose sheets ``book`` holds (the first that recognises it), or None."""
    return next(iter(recognising(book)), None)


__all__ = ["BUILTIN", "DEFAULT_FORM", "BlankOptions", "FormPack", "ListedProject", "TableRef", "UnknownForm",
           "all_forms", "for_report", "get", "names", "recognise", "recognising", "register", "unregister"]
