"""`flashcards optimize`: personal FSRS parameters, and desired retention chosen with numbers."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from .command import Command
from .common import Options, fail, open_workspace

if TYPE_CHECKING:  # the command imports these where it uses them: `--help` stays quick
    from datetime import tzinfo

    from ..config import Config
    from ..optimizer.optimization import Fit, Optimization
    from ..optimizer.revlog import CardHistory
    from ..optimizer.simulate import RetentionChoice, StartingCard
    from ..workspace import Workspace

__all__ = ["optimize"]


class _ProgressBar:
    """A progress bar on standard error, drawn only once the job has taken more than a second
    (plain lines when standard error is not a terminal)."""

    WIDTH = 24

    def __init__(
        self, label: str, total: int, delay: float = 1.0, stream: TextIO | None = None
    ) -> None:
        self.label = label
        self.total = total
        self.delay = delay
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.done = 0
        self.drawn = False

    def update(self, done: int, stage: str = "") -> None:
        """Show `done` of `total` steps finished, and the step under way."""
        self.done = done
        if time.monotonic() - self.started < self.delay:
            return
        filled = round(self.WIDTH * min(self.done, self.total) / max(self.total, 1))
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        text = f"{self.label} [{bar}] {self.done}/{self.total} {stage}".rstrip()
        if self.stream.isatty():
            self.stream.write("\r" + text + "\x1b[K")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn and self.stream.isatty():
            self.stream.write("\n")
            self.stream.flush()
        self.drawn = False


@click.command(cls=Command)
@click.option(
    "--revlog",
    "revlog",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fit and evaluate on a review log in the FSRS optimizer tools' CSV format (an Anki "
    "export, say) instead of the collection, which is not touched unless --yes keeps the "
    "fitted parameters for it.",
)
@click.option(
    "--timezone",
    "timezone",
    metavar="ZONE",
    help="With --revlog: the timezone the log was recorded in, which decides its study days "
    "(default: [day] timezone in the config).",
)
@click.option(
    "--reschedule",
    is_flag=True,
    help="Also recompute every card's due date under the new parameters (asks first).",
)
@click.option(
    "--retention",
    "choose_retention",
    is_flag=True,
    help="Simulate your collection over the next year at desired retention 0.70 to 0.97, "
    "then choose one for the config.",
)
@click.option(
    "--desired",
    "desired",
    metavar="R",
    type=click.FloatRange(0.5, 0.99),
    help="With --retention: write this desired retention to the config without asking.",
)
@click.option(
    "--yes",
    "-y",
    "yes",
    is_flag=True,
    help="Accept without asking; with --revlog, keep the parameters fitted to the log for the "
    "collection (they schedule all its decks).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON; change nothing.")
@click.pass_obj
def optimize(
    options: Options,
    revlog: Path | None,
    timezone: str | None,
    reschedule: bool,
    choose_retention: bool,
    desired: float | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Fit FSRS parameters to your review history and compare them with the current ones.

    The fit uses the earlier reviews; the figures (log loss and RMSE(bins), lower is better)
    are measured on the later reviews, held out of the fit. Accepted parameters schedule from
    the next answer.
    """
    if timezone and revlog is None:
        raise click.UsageError("--timezone goes with --revlog (the collection follows the config)")
    if reschedule and (revlog is not None or choose_retention):
        raise click.UsageError("--reschedule works on the collection, after a fit")
    if desired is not None and not choose_retention:
        raise click.UsageError("--desired goes with --retention")
    if choose_retention:
        _retention(options, revlog, timezone, desired, yes, as_json)
    else:
        _fit(options, revlog, timezone, reschedule, yes, as_json)


# -- fitting -------------------------------------------------------------------------------


def _fit(
    options: Options,
    revlog: Path | None,
    timezone: str | None,
    reschedule: bool,
    yes: bool,
    as_json: bool,
) -> None:
    from ..optimizer.optimization import optimize_history
    from ..optimizer.store import active_parameters

    started = time.monotonic()
    stages = ("reading the history", "choosing the training length", "fitting", "evaluating")
    bar = _ProgressBar("optimize", total=len(stages))
    workspace = None
    try:
        if revlog is not None:
            config, zone = _settings_only(options, timezone)
            histories = _revlog_histories(revlog, zone, config.rollover_hour)
            current = None
        elif not _collection_exists(options.database):
            config, zone = _settings_only(options, None)
            histories, current = [], None
        else:
            workspace = open_workspace(options, seed=False)
            config, zone = workspace.config, workspace.zone
            histories = _collection_histories(workspace)
            current = active_parameters(workspace.collection)
        result = optimize_history(
            histories,
            current=current,
            relearning_steps=len(config.relearning_steps),
            on_step=lambda stage: bar.update(stages.index(stage), stage),
        )
        bar.update(len(stages), "done")
        bar.finish()
        seconds = time.monotonic() - started
        if as_json:
            click.echo(json.dumps(_fit_payload(result, seconds), indent=2))
            return
        fit = result.fit
        if fit is None:
            click.echo(_too_little(result))
            return
        _show_fit(result, fit, seconds, zone, config.rollover_hour, revlog is not None)
        if workspace is None:
            if revlog is not None and yes:
                _keep_from_log(options, result.reviews, fit)
            elif revlog is not None:
                click.echo(
                    "Nothing was changed (--revlog). Add --yes to keep these parameters for "
                    "your collection."
                )
            return
        _accept(workspace, result.reviews, fit, reschedule, yes)
    finally:
        bar.finish()
        if workspace is not None:
            workspace.close()


def _collection_exists(database: str) -> bool:
    """Whether there is a collection to read; a missing file is not created just to look."""
    return "://" in database or Path(database).expanduser().exists()


def _settings_only(options: Options, timezone: str | None) -> tuple[Config, tzinfo]:
    """The config and the timezone of study days, without opening the collection."""
    from zoneinfo import ZoneInfoNotFoundError

    from ..clock import local_zone
    from ..config import ConfigError, load_config

    try:
        config = load_config(options.config_file, required=options.config_required)
    except ConfigError as exc:
        fail(f"flashcards: {exc}")
    try:
        zone = local_zone(timezone or config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"flashcards: unknown timezone '{timezone}' (use a name like 'Europe/Berlin')")
    return config, zone


def _revlog_histories(path: Path, zone: tzinfo, rollover_hour: int) -> list[CardHistory]:
    from ..optimizer.revlog import RevlogError, card_histories, read_revlog_csv

    try:
        reviews = read_revlog_csv(path)
    except RevlogError as exc:
        fail(f"flashcards: {exc}")
    return card_histories(reviews, zone, rollover_hour)


def _collection_histories(workspace: Workspace) -> list[CardHistory]:
    from ..optimizer.revlog import card_histories, collection_reviews

    reviews = collection_reviews(workspace.collection)
    return card_histories(reviews, workspace.zone, workspace.config.rollover_hour)


def _fit_payload(result: Optimization, seconds: float) -> dict[str, object]:
    fit = result.fit
    payload: dict[str, object] = {
        "reviews": result.reviews,
        "train_reviews": fit.train_reviews if fit else 0,
        "test_reviews": fit.test_reviews if fit else 0,
        "default": fit.default.as_dict() if fit else None,
        "fitted": fit.fitted.as_dict() if fit else None,
        "parameters": list(fit.parameters) if fit else None,
        "seconds": round(seconds, 3),
    }
    if fit is not None and fit.current is not None:
        payload["current"] = fit.current.as_dict()
    if fit is None:
        payload["message"] = _too_little(result)
    return payload


def _too_little(result: Optimization) -> str:
    from ..optimizer.optimization import MIN_REVIEWS

    if result.reviews == 0:
        found = "there are no reviews yet"
    else:
        found = (
            f"{result.predictable:,} of {result.reviews:,} reviews came on a later day than "
            "the card's previous review"
        )
    return (
        f"Not enough history to fit your own parameters: {found}, and a fit needs "
        f"{MIN_REVIEWS} such reviews. The current parameters stay; try again after more study."
    )


def _show_fit(
    result: Optimization,
    fit: Fit,
    seconds: float,
    zone: tzinfo,
    rollover_hour: int,
    from_log: bool,
) -> None:
    from ..scheduling.days import study_day

    source = "the review log" if from_log else "your history"
    held_out_from = study_day(fit.held_out_from, zone, rollover_hour).date
    click.echo(
        f"FSRS-6 fitted to {source}: {result.reviews:,} reviews, {result.predictable:,} of "
        f"them on a later day than the card's previous review."
    )
    click.echo(
        f"Fitted on the earlier {fit.train_reviews:,}; measured on the later "
        f"{fit.test_reviews:,} (from {held_out_from.isoformat()} on), held out of the fit."
    )
    click.echo("")
    click.echo("  later reviews, held out     log loss   RMSE(bins)")
    rows = [("default parameters", fit.default)]
    if fit.current is not None:
        rows.append(("current parameters", fit.current))
    rows.append(("fitted parameters", fit.fitted))
    for label, figures in rows:
        click.echo(f"  {label:<26}{figures.log_loss:>9.4f}{figures.rmse_bins:>13.4f}")
    click.echo("")
    click.echo("Lower is better for both.")
    click.echo(
        f"Trained for {fit.epochs} epochs (the length that did best on the latest fifth of "
        "the earlier reviews)."
    )
    click.echo("Parameters: " + ", ".join(f"{w:g}" for w in fit.parameters))
    click.echo(f"Time: {seconds:.2f} s")


def _accept(workspace: Workspace, reviews: int, fit: Fit, reschedule: bool, yes: bool) -> None:
    from ..optimizer.store import save_parameter_set

    if not fit.improves:
        which = "current" if fit.current is not None else "default"
        click.echo(
            f"The fitted parameters do not predict your later reviews better than the {which} "
            "ones (log loss), so nothing changes."
        )
        return
    if not (yes or click.confirm("Use the new parameters?", default=False)):
        click.echo("Kept the current parameters.")
        return
    baseline = fit.baseline
    save_parameter_set(
        workspace.collection,
        fit.parameters,
        now=workspace.clock.now(),
        reviews=reviews,
        log_loss_before=baseline.log_loss,
        log_loss_after=fit.fitted.log_loss,
        rmse_before=baseline.rmse_bins,
        rmse_after=fit.fitted.rmse_bins,
    )
    click.echo("Saved. Scheduling uses the new parameters from the next answer.")
    if reschedule:
        _reschedule(workspace, fit.parameters, yes)


def _keep_from_log(options: Options, reviews: int, fit: Fit) -> None:
    """--revlog --yes: the parameters fitted to an imported log (from Anki, say) schedule the
    collection, when they predict that log's later reviews better than the defaults."""
    from ..optimizer.store import save_parameter_set

    if not fit.improves:
        click.echo(
            "The fitted parameters do not predict the log's later reviews better than the "
            "default ones (log loss), so nothing changes."
        )
        return
    workspace = open_workspace(options, seed=False)
    try:
        baseline = fit.baseline
        save_parameter_set(
            workspace.collection,
            fit.parameters,
            now=workspace.clock.now(),
            reviews=reviews,
            log_loss_before=baseline.log_loss,
            log_loss_after=fit.fitted.log_loss,
            rmse_before=baseline.rmse_bins,
            rmse_after=fit.fitted.rmse_bins,
        )
        where = workspace.collection.location
    finally:
        workspace.close()
    click.echo(
        f"Saved for the collection {where}: these parameters schedule every deck in it from "
        "the next answer, and its recall figures (statistics, search, exams) use them. "
        "`flashcards optimize` on your own history later can replace them."
    )


def _reschedule(workspace: Workspace, parameters: Sequence[float], yes: bool) -> None:
    from ..optimizer.reschedule import apply_reschedule, plan_reschedule

    plan = plan_reschedule(workspace.collection, workspace.config, parameters, workspace.today())
    click.echo(plan.summary())
    if not plan.changes:
        return
    if not (yes or click.confirm("Reschedule them?", default=False)):
        click.echo("Due dates unchanged; new intervals apply as cards are answered.")
        return
    updated = apply_reschedule(workspace.collection, plan, workspace.clock.now())
    click.echo(
        f"Rescheduled: {len(plan.moves)} due dates moved; {updated} "
        f"card{'s' * (updated != 1)} updated with their memory state under the new parameters."
    )


# -- desired retention -----------------------------------------------------------------------


def _retention(
    options: Options,
    revlog: Path | None,
    timezone: str | None,
    desired: float | None,
    yes: bool,
    as_json: bool,
) -> None:
    from ..optimizer.simulate import (
        Behaviour,
        Limits,
        RetentionChoice,
        retention_table,
        workspace_retention_choice,
    )

    bar = _ProgressBar("simulate", total=0)

    def step(done: int, total: int) -> None:
        bar.total = total
        bar.update(done, "simulating")

    workspace = None
    try:
        if revlog is not None:
            config, zone = _settings_only(options, timezone)
            histories = _revlog_histories(revlog, zone, config.rollover_hour)
            parameters, fitted, cards = _log_cards(histories, config)
            limits = Limits.from_config(config)
            behaviour = Behaviour.from_histories(histories, limits)
            rows = retention_table(parameters, cards, 0, behaviour, limits, on_step=step)
            choice = RetentionChoice(rows, len(cards), 0, fitted, config.desired_retention, limits)
        else:
            workspace = open_workspace(options, seed=False)
            choice = workspace_retention_choice(workspace, on_step=step)
        bar.finish()
        source = "the parameters fitted to " + ("the log" if revlog else "your history")
        if not choice.fitted:
            source = "the default parameters"
        if as_json:
            payload = {
                "parameters": "fitted" if choice.fitted else "default",
                "studied_cards": choice.studied_cards,
                "new_cards": choice.new_cards,
                "days": 365,
                "current": choice.current,
                "rows": [row.as_dict() for row in choice.rows],
            }
            click.echo(json.dumps(payload, indent=2))
            return
        _show_retention(choice, source)
        if workspace is None:
            click.echo("Nothing was changed (--revlog).")
            return
        _choose(options.config_file, choice.current, desired, yes)
    finally:
        bar.finish()
        if workspace is not None:
            workspace.close()


def _log_cards(
    histories: Sequence[CardHistory], config: Config
) -> tuple[Sequence[float], bool, list[StartingCard]]:
    """For --revlog: parameters fitted to the whole log (the defaults if it is too short), and
    its cards as the log leaves them."""
    from ..optimizer.dataset import items_from
    from ..optimizer.fit import DEFAULT_PARAMETERS, fit_parameters
    from ..optimizer.optimization import MIN_REVIEWS
    from ..optimizer.simulate import history_cards

    items = items_from(histories)
    fitted = len(items) >= MIN_REVIEWS
    if fitted:
        parameters = fit_parameters(items, len(config.relearning_steps))
    else:
        parameters = DEFAULT_PARAMETERS
    cards = history_cards(histories, parameters, config.desired_retention, config.maximum_interval)
    return parameters, fitted, cards


def _show_retention(choice: RetentionChoice, source: str) -> None:
    limits = choice.limits
    click.echo(
        f"The next 365 days of {choice.studied_cards:,} studied and {choice.new_cards:,} new "
        f"cards, simulated with {source},"
    )
    click.echo(
        f"{limits.new_per_day} new cards and at most {limits.reviews_per_day} reviews a day, "
        "answering as you have answered:"
    )
    click.echo("")
    click.echo("  desired     reviews   new cards    minutes   cards known")
    click.echo("  retention   per day     per day    per day    at the end")
    for row in choice.rows:
        mark = "  ← current" if abs(row.desired_retention - choice.current) < 1e-9 else ""
        click.echo(
            f"  {row.desired_retention:>8.2f}{row.reviews_per_day:>10.1f}"
            f"{row.new_per_day:>12.1f}{row.minutes_per_day:>11.1f}"
            f"{row.cards_known:>14,.0f}{mark}"
        )
    click.echo("")
    if not any(abs(row.desired_retention - choice.current) < 1e-9 for row in choice.rows):
        click.echo(f"Your desired retention now: {choice.current:.2f}.")
    click.echo("Reviews count one answer per due card; minutes include new cards and relearning.")


def _choose(config_file: Path, current: float, desired: float | None, yes: bool) -> None:
    from ..config import ConfigError, set_desired_retention

    if desired is None:
        if yes:
            click.echo(f"Desired retention stays {current:.2f}.")
            return
        desired = click.prompt(
            "Desired retention", default=round(current, 2), type=click.FloatRange(0.5, 0.99)
        )
    if round(desired, 4) == round(current, 4):
        click.echo(f"Desired retention stays {current:.2f}.")
        return
    try:
        set_desired_retention(config_file, desired)
    except (OSError, ValueError, ConfigError) as exc:
        fail(f"flashcards: cannot write {config_file}: {exc}")
    click.echo(f"Desired retention set to {desired:.2f} in {config_file}.")
