"""Statistics of the collection and its review history (headless; the screens draw them)."""
