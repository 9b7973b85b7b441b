"""Rich progress bars for long CLI work: one bar per table with rows/s."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class RowsPerSecond(TextColumn):
    def __init__(self) -> None:
        super().__init__("")

    def render(self, task):  # type: ignore[no-untyped-def]
        speed = task.finished_speed or task.speed
        return self.text_format if speed is None else f"{speed:,.0f} rows/s"

    @property
    def text_format(self) -> str:
        return ""

    @text_format.setter
    def text_format(self, value: str) -> None:
        pass


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
