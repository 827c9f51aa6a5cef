"""The `healthtune` command line: `main` is the console script's entry point (commands in cli/commands.py)."""

from healthtune.cli.commands import main

__all__ = ["main"]
