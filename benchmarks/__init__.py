"""Benchmarks of flashcards against the floor of its libraries and against Anki.

Run `uv run python -m benchmarks --help`; see benchmarks/README.md.
"""
