"""Rich progress bars for long CLI work: one bar per table with rows/s."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text


class RowsPerSecond(ProgressColumn):
    """Rows per second: the recent rate while a table runs, its whole average once it is done.

    Blank for a table that has run less than ``MIN_SECONDS``: a rate over a few milliseconds (a small
    table written at once) is noise, not a speed.
    """

    MIN_SECONDS = 0.5

    def render(self, task: Task) -> Text:
        seconds = task.finished_time if task.finished else task.elapsed
        if seconds is None or seconds < self.MIN_SECONDS:
            return Text("")
        speed = task.completed / seconds if task.finished else task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s")


class TableProgress:
    """A LoadObserver that draws a bar per table on stderr."""

    def __init__(self, console: Console, title: str) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            RowsPerSecond(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._title = title
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> TableProgress:
        self._progress.start()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.stop()

    def begin(self, table: str, total: int) -> None:
        self._tasks[table] = self._progress.add_task(f"{self._title} {table}", total=max(total, 0))

    def advance(self, table: str, rows: int) -> None:
        self._progress.advance(self._tasks[table], rows)
