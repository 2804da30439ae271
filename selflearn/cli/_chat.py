"""`selflearn chat`: talk to the Manager in the terminal; a conversation resumes by its id."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

import typer
from rich.console import Console

from selflearn.cli._output import console, err_console, report_error
from selflearn.errors import SelflearnError

if TYPE_CHECKING:
    from selflearn.agents.manager import Manager

QUIT = frozenset({"quit", "exit", "bye", ":q"})


def chat(
    conversation: str | None = typer.Option(
        None, "--conversation", help="Resume the conversation with this id."
    ),
) -> None:
    """Talk to the Manager: set goals, run campaigns, decide on proposals ('quit' to leave)."""
    from selflearn.agents import manager as manager_api
    from selflearn.store import get_database

    try:
        tools = manager_api.default_tools()
    except NotImplementedError as error:
        err_console.print(f"[bold red]chat is not available yet[/]: {error}", highlight=False)
        err_console.print(
            "[bold]what to do[/]: the campaign graph provides the Manager's tools; "
            "until it does, use `selflearn approvals` and `selflearn params`.",
            highlight=False,
        )
        raise typer.Exit(code=2) from None
    manager = manager_api.Manager(
        tools,
        engine=get_database().engine,
        conversation_id=conversation,
        llm=manager_api.manager_llm(),
    )
    greet(manager, console)
    converse(manager, sys.stdin, console)


def greet(manager: Manager, out: Console) -> None:
    """Say which conversation this is, how the Manager reads, and what waits, if anything."""
    how = (
        "a language model chooses the tools"
        if manager.mode == "llm"
        else "offline intent parser (deterministic)"
    )
    out.print(f"Conversation [bold]{manager.conversation_id}[/] \u2014 {how}.", highlight=False)
    if manager.resumed:
        spoken = manager.transcript()
        out.print(f"Resumed: {len(spoken)} earlier message(s).", highlight=False)
    else:
        out.print(
            f"Resume it later with --conversation {manager.conversation_id}.", highlight=False
        )
    out.print("Type 'help' for examples, 'quit' to leave.", highlight=False)
    if manager.pending is not None:
        out.print("Still waiting for your answer:", highlight=False)
        out.print(manager.pending.question, markup=False, highlight=False)
        out.print("Shall I go ahead? (yes / no)", highlight=False)


def converse(manager: Manager, lines: TextIO, out: Console) -> None:
    """Read lines until end of input or 'quit'; print each reply."""
    while True:
        out.print("[bold cyan]you>[/] ", end="")
        line = lines.readline()
        if not line:
            out.print()
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in QUIT:
            break
        try:
            reply = manager.handle(text)
        except SelflearnError as error:
            report_error(error)
            continue
        out.print(reply.text, markup=False, highlight=False)
