"""Running the command line of this checkout as a user would, and reading what a terminal would show."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

#: English that argparse or pydantic would print; none of it may reach the user
ENGLISH = re.compile(
    r"\b(usage|positional|optional arguments|options|show this|help message|required|invalid|error|argument|"
    r"expected|unrecognized|choose from|input should|field|value|traceback|exception|default)\b",
    re.IGNORECASE,
)


def run_cli(*args: str, cwd: Path | None = None, encoding: str = "utf-8", env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m perfeval.cli ARGS`` of this checkout, stdout and stderr pipes in ``encoding``."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": encoding, **(env or {})}
    return subprocess.run([sys.executable, "-m", "perfeval.cli", *args], capture_output=True, cwd=cwd or ROOT,
                          env=full_env, timeout=timeout, text=True, encoding=encoding, errors="strict")


def temp_files(folder: Path) -> list[Path]:
    """Temp files an atomic write would leave behind (``.NAME.XXXX.tmp``), anywhere below ``folder``."""
    return sorted(p for p in folder.rglob("*.tmp"))
