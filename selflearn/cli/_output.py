"""Terminal output: rich for people, exactly one JSON object for machines, errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

from selflearn.errors import SelflearnError

console = Console()
err_console = Console(stderr=True)


def print_json(payload: Any) -> None:
    """Print one JSON object on stdout, nothing else."""
    sys.stdout.write(json.dumps(payload, default=str, sort_keys=False) + "\n")
    sys.stdout.flush()


def report_error(error: SelflearnError) -> None:
    """Print an error and its hint on stderr, without a traceback."""
    err_console.print(
        f"[bold red]error[/] [dim]({error.code})[/]: {error.message}", highlight=False
    )
    if error.hint:
        err_console.print(f"[bold]what to do[/]: {error.hint}", highlight=False)
