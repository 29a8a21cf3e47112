"""Shared fixtures: the seed example and helpers to build real workbooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfeval.model import Report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def load_example(name: str = "huaihua-2023.json") -> Report:
    return Report.model_validate_json((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture
def seed() -> Report:
    return load_example()


@pytest.fixture
def seed_xlsx(tmp_path: Path, seed: Report) -> Path:
    from perfeval.xlsx.workflow import fill

    out = tmp_path / "seed.xlsx"
    fill(seed, out)
    return out
