"""The CLI's table progress bars: the rows/s a user reads at the end of a load."""

from __future__ import annotations

import io
import re
import time

from rich.console import Console

from mlprov.progress import TableProgress


def _final_lines(run: float) -> dict[str, str]:
    out = io.StringIO()
    with TableProgress(Console(file=out, width=140, force_terminal=False), "csv") as bars:
        bars.begin("small", 40_000)
        for _ in range(4):  # a few batches within milliseconds: no meaningful rate
            bars.advance("small", 10_000)
        bars.begin("large", 2_000)
        bars.advance("large", 1_000)
        time.sleep(run)
        bars.advance("large", 1_000)
    return {m.group(1): line for line in out.getvalue().splitlines() if (m := re.match(r"csv (\w+)", line))}


def test_rate_is_blank_for_an_instant_table_and_the_average_for_a_finished_one() -> None:
    lines = _final_lines(run=0.8)
    assert "rows/s" not in lines["small"], lines["small"]
    rate = re.search(r"([\d,]+) rows/s", lines["large"])
    assert rate, lines["large"]
    # 2,000 rows over a bit more than 0.8 s: the whole table's average, not a burst rate
    assert 1_000 <= int(rate.group(1).replace(",", "")) <= 2_500, lines["large"]
