"""Layouts are cached by shape (a receiver reads thousands of workbooks of a few shapes): a read must never leave
anything in a shared layout that changes the next read. Workbooks of one shape and of other shapes, with clean and
with troublesome cells, are read in sequence and compared with reads made after every layout cache was emptied."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from perfeval import forms
from perfeval.config import DEFAULT_CONFIG
from perfeval.forms.department import layout as department_layout
from perfeval.forms.department.model import Report
from perfeval.forms.project import layout as project_layout
from perfeval.forms.project.model import ProjectBook
from perfeval.layout import Layout
from perfeval.model import Level3
from perfeval.reading import ReadResult
from perfeval.rules import run_rules
from perfeval.xlsx.reader import read_workbook
from perfeval.xlsx.workflow import fill
from tests.project_support import load_projects

_CACHES: tuple[Any, ...] = (department_layout._cached_layout, department_layout._cached_bd,
                            department_layout._cached_zp, project_layout._cached_layout, project_layout._cached_sheet)


def _clear_layout_caches() -> None:
    for cached in _CACHES:
        cached.cache_clear()


def _edit(path: Path, layout: Layout, edits: dict[str, object]) -> None:
    wb = load_workbook(path)
    for model_path, value in edits.items():
        cell = layout.find(model_path)
        wb[cell.sheet][cell.address].value = value
    wb.save(path)


def _seen(result: ReadResult) -> dict[str, Any]:
    """All a read gives the rest of the code (and what the rules make of it)."""
    pack = forms.get(result.layout.form)
    computed = pack.compute(result.report, DEFAULT_CONFIG)
    findings = run_rules(result.report, result.layout, computed, read_issues=result.issues)
    return {
        "report": result.report.model_dump(), "set": result.report.model_dump(exclude_unset=True),
        "issues": list(result.issues), "typed_over": [c.model_dump() for c in result.typed_over],
        "text_numbers": [(t.cell.model_dump(), t.raw, t.value) for t in result.text_numbers],
        "sheet_names": dict(result.sheet_names), "layout": result.layout.model_dump(),
        "cells": [c.model_dump() for c in result.layout.cells()],
        "findings": [repr(f) for f in findings],
    }


def _department_books(tmp_path: Path, seed: Report) -> list[Path]:
    """Two clean and two edited workbooks of the seed's shape, two of other shapes."""
    same = tmp_path / "same.xlsx"
    fill(seed, same)
    edited = tmp_path / "edited.xlsx"
    fill(seed, edited)
    layout = department_layout.layout_for(seed)
    _edit(edited, layout, {  # a text number, an unreadable amount, a typed-over total, a fraction of a person
        "self_eval.funds.initial_budget": "568.61万元", "basic.public_funds.budget": "约一千",
        "basic.projects_stated.budget": 12.345, "basic.staff_actual": "40.5",
        "self_eval.indicators[0].secondaries[0].rows[0].weight": "五分",
    })
    garbage = tmp_path / "garbage.xlsx"
    fill(seed, garbage)
    _edit(garbage, layout, {"self_eval.unit_name": None, "basic.fill_date": "昨天",
                            "self_eval.indicators[0].secondaries[0].name": None})
    fewer = seed.model_copy(deep=True)
    fewer.basic.projects = fewer.basic.projects[:2]
    other = tmp_path / "fewer.xlsx"
    fill(fewer, other)
    more = seed.model_copy(deep=True)
    more.self_eval.indicators[0].secondaries[0].rows.append(Level3(name="新增指标", target="≥1项", actual="1项"))
    longer = tmp_path / "longer.xlsx"
    fill(more, longer)
    return [same, edited, other, garbage, longer, same, edited]


def _project_books(tmp_path: Path, book: ProjectBook) -> list[Path]:
    same = tmp_path / "p_same.xlsx"
    fill(book, same)
    edited = tmp_path / "p_edited.xlsx"
    fill(book, edited)
    layout = project_layout.layout_for(book)
    _edit(edited, layout, {"projects[0].funds.initial_budget": "12.5万元", "projects[0].funds.executed": "很多",
                           "projects[0].indicators[0].secondaries[0].rows[0].actual": 95})
    renamed = book.model_copy(deep=True)
    renamed.projects[0].name = "另一个项目名称"
    other = tmp_path / "p_renamed.xlsx"
    fill(renamed, other)
    shorter = book.model_copy(deep=True)
    shorter.projects = shorter.projects[:1]
    one = tmp_path / "p_one.xlsx"
    fill(shorter, one)
    return [same, edited, other, one, same, edited]


def _check_sequence(paths: list[Path], read: Callable[[Path], ReadResult]) -> None:
    _clear_layout_caches()
    in_sequence = [read(p) for p in paths]
    seen = [_seen(r) for r in in_sequence]
    for path, before in zip(paths, seen, strict=True):
        _clear_layout_caches()
        assert _seen(read(path)) == before, path.name  # what a fresh layout gives
    # the layouts really are shared (else this test would prove nothing) and were not changed by the reads
    first, again = in_sequence[0].layout, in_sequence[len(paths) - 2].layout
    assert paths[0] == paths[len(paths) - 2] and first is again
    _clear_layout_caches()
    assert read(paths[0]).layout.model_dump() == first.model_dump()
    assert [s["issues"] for s in seen].count([]) < len(seen)  # the edited workbooks did raise issues


def test_department_reads_do_not_leak_through_shared_layouts(tmp_path: Path, seed: Report) -> None:
    _check_sequence(_department_books(tmp_path, seed), read_workbook)


def test_project_reads_do_not_leak_through_shared_layouts(tmp_path: Path) -> None:
    book = load_projects()
    assert len(book.projects) > 1
    _check_sequence(_project_books(tmp_path, book), read_workbook)


def test_a_layout_is_the_same_whether_cached_or_built_afresh(seed: Report) -> None:
    cached = department_layout.layout_for(seed)
    assert department_layout.layout_for(seed) is cached
    _clear_layout_caches()
    assert department_layout.layout_for(seed).model_dump() == cached.model_dump()
    book = load_projects()
    cached_book = project_layout.layout_for(book)
    _clear_layout_caches()
    assert project_layout.layout_for(book).model_dump() == cached_book.model_dump()


def test_only_shapes_of_a_usual_size_are_kept() -> None:
    """A workbook at the limits (thousands of rows) is laid out afresh each time: the caches stay small."""
    _clear_layout_caches()
    big = department_layout.Shape(year=2023, n_projects=department_layout.CACHED_ROWS + 1, indicator_rows=((1,),))
    first = department_layout.build_layout(big)
    assert department_layout.build_layout(big) is not first
    assert department_layout.build_layout(big).model_dump() == first.model_dump()
    assert department_layout._cached_layout.cache_info().currsize == 0
    assert department_layout._cached_bd.cache_info().currsize == 0
    assert department_layout._cached_zp.cache_info().currsize == 1  # its 附件1-2 is of a usual size: shared
    small = department_layout.Shape(year=2023, n_projects=department_layout.CACHED_ROWS, indicator_rows=((1,),))
    assert department_layout.build_layout(small) is department_layout.build_layout(small)
    sheet = project_layout.SheetShape(name="大项目", indicator_rows=((project_layout.CACHED_ROWS + 1,),))
    project_layout.build_layout(project_layout.Shape(year=2023, sheets=(sheet,)))
    assert project_layout._cached_sheet.cache_info().currsize == 0  # the book is small enough, not its sheet
    sheets = tuple(project_layout.SheetShape(name=f"项目{i}", indicator_rows=((1,),))
                   for i in range(project_layout.CACHED_SHEETS + 1))
    many = project_layout.Shape(year=2023, sheets=sheets)
    assert project_layout.build_layout(many) is not project_layout.build_layout(many)
    assert project_layout._cached_sheet.cache_info().currsize == len(sheets)
