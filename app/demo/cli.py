"""`flask demo seed` and `flask demo logins`. Output is for operators (plain English);
area names are data and stay Chinese."""
import time

import click
from flask.cli import AppGroup

from app.demo import generator, services

cli = AppGroup("demo", help="Demo data.")

MAX_HOUSEHOLDS = 3_000_000  # the scale benchmark's 2,000,000 households fit, ages keep room for their people
PROGRESS_EVERY = 20_000


@cli.command("seed")
@click.option("--households", default=600, show_default=True, type=click.IntRange(1, MAX_HOUSEHOLDS),
              help="How many households to generate.")
@click.option("--seed", "seed_value", default=2026, show_default=True, type=int,
              help="The same seed and size always give the same county.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has data.")
def seed_command(households: int, seed_value: int, if_empty: bool) -> None:
    """Build the demo county 云岭县 in an empty database and print its logins."""
    if if_empty and not services.is_empty():
        click.echo("The database already has areas or users: no demo county seeded.")
        _print_logins()  # `make run` relies on this to show the logins at every start
        return

    def progress(done: int) -> None:
        if done % PROGRESS_EVERY == 0 and done < households:
            click.echo(f"  {done} households written")

    started = time.perf_counter()
    try:
        result = services.seed(seed_value, households, on_progress=progress)
    except services.DatabaseNotEmpty:
        raise click.ClickException(
            "The database already has areas or users. Demo data goes only into an empty database "
            "(use --if-empty to skip quietly)."
        ) from None
    click.echo(f"Seeded {generator.COUNTY_NAME}: {result.households} households, {result.members} members "
               f"(seed {seed_value}) in {time.perf_counter() - started:.1f} s.")
    _print_logins()


@cli.command("logins")
def logins_command() -> None:
    """Print the demo logins (one per role)."""
    _print_logins()


def _print_logins() -> None:
    logins = services.demo_logins()
    if not logins:
        click.echo("No demo logins in this database.")
        return
    click.echo("Demo logins:")
    click.echo(f"  {'username':<16}{'password':<12}{'role':<20}area")
    for login in logins:
        click.echo(f"  {login.username:<16}{login.password:<12}{login.role:<20}{', '.join(login.areas)}")
