"""Speed of the main operations against a baseline measured in the same run.

Baseline: a bare openpyxl ``load_workbook`` + ``save`` of the same file (the least any tool that
rewrites the workbook must do). Targets (issue tracker): compute ratio ≤ 1.5, validate-with-flags ratio
≤ 1.5, ``perfeval --help`` cold start ≤ 0.5 s.

Run: ``.venv/bin/python benchmarks/bench.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from perfeval.model import Report
    from perfeval.xlsx.workflow import compute_file, fill

    seed = Report.model_validate_json((ROOT / "examples" / "huaihua-2023.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        src = tmp / "seed.xlsx"
        fill(seed, src)
        out = tmp / "out.xlsx"

        def bare() -> None:
            load_workbook(src).save(out)

        bare()  # warm up imports and caches for both sides
        compute_file(src, tmp / "warm.xlsx")
        t_bare = best_of(bare, args.repeat)
        t_compute = best_of(lambda: compute_file(src, out), args.repeat)
        rows = [("bare openpyxl load+save (baseline)", t_bare, 1.0, None),
                ("compute: read+compute+write", t_compute, t_compute / t_bare, 1.5)]
        try:
            from perfeval.xlsx.workflow import validate_file

            validate_file(src, tmp / "warm2.xlsx")
            t_validate = best_of(lambda: validate_file(src, out), args.repeat)
            rows.append(("validate -o (flags + 校验结果)", t_validate, t_validate / t_bare, 1.5))
        except ImportError as exc:  # rule catalogue not installed
            print(f"validate skipped: {exc}")
        try:
            from perfeval.xlsx.export import export_file

            corrected = tmp / "corrected.xlsx"
            fill(Report.model_validate_json(
                (ROOT / "examples" / "huaihua-2023-corrected.json").read_text(encoding="utf-8")), corrected)
            export_file(corrected, tmp / "warm3.xlsx")
            t_export = best_of(lambda: export_file(corrected, out), args.repeat)
            rows.append(("export (validate + freeze + protect)", t_export, t_export / t_bare, None))
        except (ImportError, FileNotFoundError) as exc:
            print(f"export skipped: {exc}")

    cold = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "perfeval.cli", "--help"], check=True, capture_output=True,
                       cwd=ROOT)
        cold.append(time.perf_counter() - t0)
    t_help = statistics.median(cold)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    t_python = time.perf_counter() - t0

    print(f"{'operation':<42}{'seconds':>10}{'ratio':>8}{'target':>8}  ok")
    for name, t, ratio, target in rows:
        ok = "" if target is None else ("yes" if ratio <= target else "NO")
        print(f"{name:<42}{t:>10.4f}{ratio:>8.2f}{(f'≤{target}' if target else ''):>8}  {ok}")
    print(f"{'perfeval --help cold start (median of 5)':<42}{t_help:>10.4f}{'':>8}{'≤0.5s':>8}  "
          f"{'yes' if t_help <= 0.5 else 'NO'}")
    print(f"{'bare python start (for reference)':<42}{t_python:>10.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
