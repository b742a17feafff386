-- Schema version 9 on PostgreSQL, as ../0009_deck_key.sql on SQLite: a deck is identified by a
-- key that is the same on every machine (its `id:`, else its path relative to the folder
-- imported, `builtin/…` for a built-in deck), no longer by its absolute path; the file on this
-- machine is kept beside it. The absolute paths become the keys for now: each deck's next
-- import takes its legacy key over (flashcards/deck/identity.py).

ALTER TABLE deck RENAME COLUMN file TO "key";

-- The unique constraint (and its index) keeps the old column's name otherwise: named as a new
-- database names it.
ALTER TABLE deck RENAME CONSTRAINT deck_file_key TO deck_key_key;

ALTER TABLE deck ADD COLUMN file VARCHAR DEFAULT '' NOT NULL;

UPDATE deck SET file = "key";
