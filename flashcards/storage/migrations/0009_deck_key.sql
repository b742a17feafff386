-- Schema version 9: a deck is identified by a key that is the same on every machine (its `id:`,
-- else its path relative to the folder imported, `builtin/…` for a built-in deck), no longer by
-- its absolute path; the file on this machine is kept beside it, to open it again. The absolute
-- paths become the keys for now: each deck's next import takes its legacy key over
-- (flashcards/deck/identity.py), with the hidden and removed lists that name it.

ALTER TABLE deck RENAME COLUMN file TO key;

ALTER TABLE deck ADD COLUMN file VARCHAR NOT NULL DEFAULT '';

UPDATE deck SET file = key;
