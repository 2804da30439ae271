"""`selflearn chat`: talk to the Manager in the terminal; a conversation resumes by its id."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

import typer
from rich.console import Console

from selflearn.cli._components import components
from selflearn.cli._output import console, report_error
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
    from selflearn.agents.manager import Manager

    with components() as built, built.student(telemetry_flush_every=64) as student:
        manager = Manager(
            built.manager_tools(built.campaign_runner(student=student)),
            engine=built.database.engine,
            conversation_id=conversation,
            llm=built.manager_llm(),
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
    say(out, f"Conversation [bold]{manager.conversation_id}[/] \u2014 {how}.")
    if manager.resumed:
        say(out, f"Resumed: {len(manager.transcript())} earlier message(s).")
    else:
        say(out, f"Resume it later with --conversation {manager.conversation_id}.")
    say(out, "Type 'help' for examples, 'quit' to leave.")
    if manager.pending is not None:
        say(out, "Still waiting for your answer:")
        say(out, manager.pending.question, markup=False)
        say(out, "Shall I go ahead? (yes / no)")


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
        say(out, reply.text, markup=False)


def say(out: Console, text: str, *, markup: bool = True) -> None:
    """Print without rich's hard wrapping (the terminal wraps) and without auto-highlight."""
    out.print(text, markup=markup, highlight=False, soft_wrap=True)
