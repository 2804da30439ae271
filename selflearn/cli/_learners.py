"""`selflearn learners bench bifurcation|mirror`: the learners against worlds they cannot see."""

from __future__ import annotations

from dataclasses import replace

import typer
from rich.table import Table

from selflearn.cli._components import components
from selflearn.cli._output import console, err_console, print_json
from selflearn.learners.micrograph import ANTI_LOOP_SIMILARITY

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
    anti_loop_similarity: float = typer.Option(
        ANTI_LOOP_SIMILARITY,
        "--anti-loop-similarity",
        min=0.3,
        max=1.0,
        help="Similarity to the exhausted topic above which a candidate loops, in every arm "
        "(the seeds' 0.65; 0.35 was chosen by TEC for the offline embedder, "
        "docs/micrograph.md).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object."),
) -> None:
    """Play the same simulated users with the micrograph on, off, and without anti-looping."""
    from selflearn.simulator.engagement import ARMS, run_bifurcation_bench

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
            base=replace(ARMS["on"], anti_loop_similarity=anti_loop_similarity),
        )
    if as_json:
        print_json(result.to_json())
        return
    table = Table(
        title=f"Bifurcation bench: {users} users × {turns} turns, seed {seed}, anti-looping "
        f"above {anti_loop_similarity:g}"
    )
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


@bench.command("mirror")
def mirror(
    hours: float = typer.Option(
        24.0, "--hours", min=0.25, max=24 * 14, help="Simulated hours per world."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the first world (worlds: S, S+1, ...)."),
    worlds: int = typer.Option(
        5, "--worlds", min=2, help="Independent simulated worlds (the unit of inference)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object."),
) -> None:
    """Play adaptive, static and Thompson feedback on the same simulated days of each world."""
    from selflearn.simulator.mirror import run_mirror_bench

    def progress(world: int, arm: str, done: float) -> None:
        if done == int(done) and int(done) % 6 == 0 or done == hours:
            err_console.print(f"  world {world}, {arm}: {done:g}/{hours:g} h", highlight=False)

    result = run_mirror_bench(seed=seed, hours=hours, worlds=worlds, progress=progress).to_json()
    if as_json:
        print_json(result)
        return
    table = Table(
        title=f"Mirror bench: {worlds} worlds × {hours:g} h, seeds {seed}–{seed + worlds - 1}"
    )
    for column in ("arm", "mean Δcoh − Δent", "episodes per world"):
        table.add_column(column, justify="left" if column == "arm" else "right")
    for arm, row in result["arms"].items():
        table.add_row(arm, f"{row['reward']:+.5f}", f"{row['episodes']:.0f}")
    console.print(table)
    for name, label in (
        ("reward", "adaptive − static"),
        ("thompson_vs_static", "thompson − static"),
        ("thompson_vs_adaptive", "thompson − adaptive"),
    ):
        e = result["effect"][name]
        console.print(
            f"{label}: {e['delta']:+.5f}, 95% CI [{e['ci_low']:+.5f}, {e['ci_high']:+.5f}],"
            f" p = {e['p_value']:.3g}, n = {e['n']} worlds"
        )
    console.print(
        f"Bucket coverage of active time (adaptive): {result['coverage']:.1%}"
        f" (lowest world {result['coverage_min']:.1%})"
    )
    variance = result["reward_variance"]
    console.print(
        f"Reward variance, first vs last quarter (adaptive): {variance['first']:.3g} → "
        f"{variance['last']:.3g}; static: {variance['static_first']:.3g} → "
        f"{variance['static_last']:.3g}"
    )
    off = result["off_policy"]
    console.print(
        f"Learned policy: on-line {off['online']:+.5f}; IPS {off['ips']:+.5f} (interval holds"
        f" the on-line value in {off['ips_covers_online']}/{worlds} worlds); DR"
        f" {off['dr']:+.5f} ({off['dr_covers_online']}/{worlds})"
    )
