from perfeval.blocks import plan_blocks


def test_runs_bridge_filler_and_stack() -> None:
    filler = {(7, 3), (7, 5), (8, 3), (8, 5)}
    cells = {(7, 2): "=a", (7, 4): "=b", (7, 6): "=c", (8, 2): "=d", (8, 4): "=e", (8, 6): "=f", (13, 2): 1}
    blocks = plan_blocks(cells, filler)
    assert [(b.top, b.left, b.values) for b in blocks] == [
        (7, 2, [["=a", None, "=b", None, "=c"], ["=d", None, "=e", None, "=f"]]),
        (13, 2, [[1]]),
    ]


def test_gap_that_is_not_filler_splits_the_run() -> None:
    blocks = plan_blocks({(1, 1): 1, (1, 3): 3})
    assert [(b.top, b.left, b.values) for b in blocks] == [(1, 1, [[1]]), (1, 3, [[3]])]


def test_every_cell_written_exactly_once() -> None:
    cells = {(r, c): r * 10 + c for r in range(1, 6) for c in (1, 2, 4) if (r + c) % 3}
    seen = {}
    for b in plan_blocks(cells):
        for i, row in enumerate(b.values):
            for j, v in enumerate(row):
                seen[(b.top + i, b.left + j)] = v
    assert seen == cells
