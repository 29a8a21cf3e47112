"""Group scattered cell writes into few rectangular block writes.

Writing cell by cell through xlwings costs one round trip (COM) or one action (remote engine) per
cell; the add-in writes one contiguous block at a time instead. A block may cover cells the caller
declares as *filler* (written as empty), but never any other cell. The add-in passes none: writing
through the hidden parts of merged ranges is refused by some Excel clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Block:
    top: int  # 1-based row
    left: int  # 1-based column
    values: list[list[Any]]

    @property
    def bottom(self) -> int:
        return self.top + len(self.values) - 1

    @property
    def right(self) -> int:
        return self.left + len(self.values[0]) - 1


def plan_blocks(cells: Mapping[tuple[int, int], Any], filler: set[tuple[int, int]] | None = None) -> list[Block]:
    """Row runs of ``cells`` (bridging filler cells), then runs stacked when they span the same columns."""
    filler = filler or set()
    runs: list[tuple[int, int, int, list[Any]]] = []  # row, first col, last col, values
    for row in sorted({r for r, _ in cells}):
        cols = sorted(c for r, c in cells if r == row)
        start = prev = cols[0]
        for col in cols[1:]:
            if all((row, c) in filler for c in range(prev + 1, col)):
                prev = col
                continue
            runs.append((row, start, prev, [cells.get((row, c)) for c in range(start, prev + 1)]))
            start = prev = col
        runs.append((row, start, prev, [cells.get((row, c)) for c in range(start, prev + 1)]))
    blocks: list[Block] = []
    for row, first, last, values in runs:
        if blocks and blocks[-1].bottom == row - 1 and blocks[-1].left == first and blocks[-1].right == last:
            blocks[-1].values.append(values)
        else:
            blocks.append(Block(row, first, [values]))
    return blocks
