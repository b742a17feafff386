"""Personal FSRS parameters: fitted to a review history, evaluated on later reviews held out of
the fit, stored in the collection, and a simulator for choosing desired retention.

Headless: no Textual here. Fitting, evaluation and the memory model of the simulator use the
Rust-backed `fsrs_rs_python`; scheduling stays with the `fsrs` package. Names are loaded from
their modules on first use, so that importing `store` (as the workspace does) stays light.
"""

from __future__ import annotations

from importlib import import_module

__all__ = [
    "MIN_REVIEWS",
    "CardHistory",
    "Evaluation",
    "Fit",
    "Optimization",
    "ParameterSet",
    "ReschedulePlan",
    "RetentionChoice",
    "RetentionRow",
    "Review",
    "RevlogError",
    "active_parameter_set",
    "active_parameters",
    "apply_reschedule",
    "card_histories",
    "collection_reviews",
    "evaluate_parameters",
    "fit_parameters",
    "optimize_history",
    "plan_reschedule",
    "read_revlog_csv",
    "retention_table",
    "save_parameter_set",
    "workspace_retention_choice",
]

_HOMES = {
    "MIN_REVIEWS": "optimization",
    "Fit": "optimization",
    "Optimization": "optimization",
    "optimize_history": "optimization",
    "CardHistory": "revlog",
    "Review": "revlog",
    "RevlogError": "revlog",
    "card_histories": "revlog",
    "collection_reviews": "revlog",
    "read_revlog_csv": "revlog",
    "Evaluation": "evaluate",
    "evaluate_parameters": "evaluate",
    "fit_parameters": "fit",
    "ParameterSet": "store",
    "active_parameter_set": "store",
    "active_parameters": "store",
    "save_parameter_set": "store",
    "ReschedulePlan": "reschedule",
    "apply_reschedule": "reschedule",
    "plan_reschedule": "reschedule",
    "RetentionChoice": "simulate",
    "RetentionRow": "simulate",
    "retention_table": "simulate",
    "workspace_retention_choice": "simulate",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{home}", __name__), name)
