"""The `selflearn` command line."""

from __future__ import annotations

import logging

import click
import typer

from selflearn.cli import (
    _approvals,
    _campaign,
    _cycles,
    _db,
    _eval,
    _learners,
    _params,
    _scenarios,
    _tokens,
    _tune,
)
from selflearn.cli._chat import chat
from selflearn.cli._doctor import doctor
from selflearn.cli._output import report_error
from selflearn.cli._serve import serve
from selflearn.cli._signals import INTERRUPTED_EXIT, stop_on_signals, stop_requested
from selflearn.cli._simulate import simulate
from selflearn.errors import SelflearnError

app = typer.Typer(
    name="selflearn",
    help="Make a memory-augmented chat assistant better through explainable experiments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("doctor")(doctor)
app.command("chat")(chat)
app.command("simulate")(simulate)
app.command("serve")(serve)
app.add_typer(_db.app, name="db")
app.add_typer(_params.app, name="params")
app.add_typer(_approvals.app, name="approvals")
app.add_typer(_scenarios.app, name="scenarios")
app.add_typer(_campaign.app, name="campaign")
app.add_typer(_eval.app, name="eval")
app.add_typer(_cycles.app, name="cycles")
app.add_typer(_tune.app, name="tune")
app.add_typer(_learners.app, name="learners")
app.add_typer(_tokens.app, name="tokens")


def main() -> None:
    """Run the CLI; project errors become one clear message and a non-zero exit code.

    Ctrl+C and SIGTERM both stop a command cleanly with exit code 130: what was running is
    recorded as interrupted and the embedded PostgreSQL is released.
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    stop_on_signals()
    try:
        # Not standalone: click would turn an interrupt into "Aborted!" and exit code 1.
        result = app(standalone_mode=False)
    except SelflearnError as error:
        if stop_requested():  # the interrupt broke a database call: it is still a stop
            click.echo("interrupted", err=True)
            raise SystemExit(INTERRUPTED_EXIT) from None
        report_error(error)
        raise SystemExit(error.exit_code) from None
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        raise SystemExit(INTERRUPTED_EXIT) from None
    except click.ClickException as error:
        error.show()
        raise SystemExit(error.exit_code) from None
    if isinstance(result, int):
        raise SystemExit(result)
