"""Shared fixtures: the seed example and helpers to build real workbooks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from perfeval.forms.department.model import Report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Hypothesis profiles. ``ci`` (selected when the environment sets CI, as CI does with CI=true) is
# derandomized: every run draws the same examples, so a green run cannot be luck. ``dev`` (the default
# elsewhere: Hypothesis' own defaults) draws fresh examples each run and replays local failures first.
# HYPOTHESIS_PROFILE=ci|dev|thorough overrides the choice. Tests that set their own max_examples keep it;
# the property suite over workbook states scales its count from the profile's (see test_property_commands).
settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=100, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev")  # Hypothesis' defaults
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _profile() -> str:
    chosen = os.environ.get("HYPOTHESIS_PROFILE", "").strip()
    if chosen:
        return chosen
    return "ci" if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no") else "dev"


settings.load_profile(_profile())


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
