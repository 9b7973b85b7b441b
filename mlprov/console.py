"""The CLI's two rich consoles: results on stdout, progress and messages on stderr.

Piped output (logs, CI) gets wide tables instead of rich's 80-column default.
"""

import sys

from rich.console import Console

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)
