"""The click classes of the `flashcards` commands."""

from __future__ import annotations

import click

__all__ = ["Command", "Group"]


class Command(click.Command):
    """A command whose summary in `flashcards --help` is its whole first sentence: click cuts
    it at the terminal's width by default, and here the help formatter wraps it instead."""

    def get_short_help_str(self, limit: int = 45) -> str:
        return super().get_short_help_str(limit=10_000)


class Group(Command, click.Group):
    """A group of such commands; its subgroups are of this class too."""

    command_class = Command
    group_class = type
