"""The command line: `flashcards check`, `import`, `review`, `stats` and the app itself."""
