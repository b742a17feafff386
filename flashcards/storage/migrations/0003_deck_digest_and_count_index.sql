-- Schema version 3: a digest of each deck file's bytes (an unchanged file need not be parsed
-- again), and an index that holds a deck's cards with the columns today's counts read.

ALTER TABLE deck ADD COLUMN digest VARCHAR NOT NULL DEFAULT '';

CREATE INDEX ix_card_deck_queue ON card (deck_id, retired, suspended, state, due, buried_until);
