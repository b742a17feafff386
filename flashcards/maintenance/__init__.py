"""Looking after a collection: the doctor's checks and repairs."""
