"""`selflearn learners bench bifurcation`: the micrograph against users it cannot see."""

from __future__ import annotations

import typer
from rich.table import Table

from selflearn.cli._components import components
from selflearn.cli._output import console, err_console, print_json

app = typer.Typer(
    help="The learners that run as tool nodes of the assistant.", no_args_is_help=True
)
bench = typer.Typer(help="Benchmarks of the learners.", no_args_is_help=True)
app.add_typer(bench, name="bench")


@bench.command("bifurcation")
def bifurcation(
    users: int = typer.Option(50, "--users", min=2, help="Simulated users (the unit)."),
    turns: int = typer.Option(200, "--turns", min=3, help="User messages per user."),
    seed: int = typer.Option(0, "--seed", help="Seed of the world (users, tastes, replies)."),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object."),
) -> None:
    """Play the same simulated users with the micrograph on, off, and without anti-looping."""
    from selflearn.simulator.engagement import run_bifurcation_bench

    with components() as opened:
        student = opened.student()

        def progress(arm: str, done: int) -> None:
            if not as_json and done % 10 == 0:
                err_console.print(f"  {arm}: {done}/{users} users", highlight=False)

        result = run_bifurcation_bench(
            opened.database.engine,
            opened.embedder,
            student,
            users=users,
            turns=turns,
            seed=seed,
            progress=progress,
        )
    if as_json:
        print_json(result.to_json())
        return
    table = Table(title=f"Bifurcation bench: {users} users × {turns} turns, seed {seed}")
    for column in ("arm", "mean TEC", "reply words", "topic repeat rate"):
        table.add_column(column, justify="left" if column == "arm" else "right")
    for arm in result.runs:
        row = result.arm_summary(arm)
        table.add_row(
            arm, f"{row['tec']:.4f}", f"{row['reply_words']:.1f}", f"{row['repeat_rate']:.1%}"
        )
    console.print(table)
    effect = result.effect
    verdict = "significant" if effect.significant else "not significant"
    console.print(
        f"TEC on − off: {effect.delta:+.4f}, 95% CI [{effect.ci_low:+.4f}, {effect.ci_high:+.4f}],"
        f" p = {effect.p_value:.3g}, n = {effect.n} users ({verdict})"
    )
    console.print(f"Transitions learned (arm on): {result.transitions_learned}")
