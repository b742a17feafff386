-- Schema version 4: trigram indexes of the cards' text, tags and topics, for the browser's
-- search (flashcards/search/index.py says how it keeps and uses them).
--
-- card_search_text, card_search_tags and card_search_topic are FTS5 tables with the trigram
-- tokenizer, contentless (they hold the index, not the text), a card's id as their rowid. They
-- index front and back, the tags between spaces, and the topic, with KELVIN SIGN and LONG S as
-- U+FFFD. They hold every card up to card_search_indexed.last_card_id as it was when indexed:
-- a newer card has a greater id (SQLite gives a new row one above every other), and the
-- triggers list in card_search_stale each card up to it that is edited or deleted, with the
-- values it was indexed with, which an index needs to take it out (NULL for an id that was
-- not indexed). No trigger on INSERT: any trigger there would cost each inserted card a
-- statement journal, and an import of 1,000 cards a tenth more time. The search indexes what
-- is new in bulk when it needs the indexes. SQLite only, and only where it has FTS5 with the
-- trigram tokenizer; elsewhere the search reads the cards.

-- sqlite, optional

CREATE VIRTUAL TABLE card_search_text USING fts5(
	front, back, content='', columnsize=0, tokenize='trigram'
);

CREATE VIRTUAL TABLE card_search_tags USING fts5(
	tags, content='', columnsize=0, tokenize='trigram'
);

CREATE VIRTUAL TABLE card_search_topic USING fts5(
	topic, content='', columnsize=0, tokenize='trigram'
);

CREATE TABLE card_search_indexed (
	last_card_id INTEGER NOT NULL
);

CREATE TABLE card_search_stale (
	card_id INTEGER NOT NULL,
	front VARCHAR,
	back VARCHAR,
	tags VARCHAR,
	topic VARCHAR,
	PRIMARY KEY (card_id)
);

-- NOT EXISTS rather than INSERT OR IGNORE, which a writer's own OR clause would override. The
-- first entry for a card stays: it holds the values the indexes have.

CREATE TRIGGER card_search_update AFTER UPDATE OF id, front, back, tags, topic ON card
WHEN old.id IS NOT new.id OR old.front IS NOT new.front OR old.back IS NOT new.back
	OR old.tags IS NOT new.tags OR old.topic IS NOT new.topic
BEGIN
	INSERT INTO card_search_stale (card_id, front, back, tags, topic)
	SELECT old.id, old.front, old.back, old.tags, old.topic
	WHERE old.id <= (SELECT last_card_id FROM card_search_indexed)
		AND NOT EXISTS (SELECT 1 FROM card_search_stale WHERE card_id = old.id);
	INSERT INTO card_search_stale (card_id)
	SELECT new.id
	WHERE new.id IS NOT old.id AND new.id <= (SELECT last_card_id FROM card_search_indexed)
		AND NOT EXISTS (SELECT 1 FROM card_search_stale WHERE card_id = new.id);
END;

CREATE TRIGGER card_search_delete AFTER DELETE ON card BEGIN
	INSERT INTO card_search_stale (card_id, front, back, tags, topic)
	SELECT old.id, old.front, old.back, old.tags, old.topic
	WHERE old.id <= (SELECT last_card_id FROM card_search_indexed)
		AND NOT EXISTS (SELECT 1 FROM card_search_stale WHERE card_id = old.id);
END;

INSERT INTO card_search_text (rowid, front, back)
SELECT
	id,
	replace(replace(front, char(8490), char(65533)), char(383), char(65533)),
	replace(replace(back, char(8490), char(65533)), char(383), char(65533))
FROM card;

INSERT INTO card_search_tags (rowid, tags)
SELECT id, ' ' || replace(replace(tags, char(8490), char(65533)), char(383), char(65533)) || ' '
FROM card;

INSERT INTO card_search_topic (rowid, topic)
SELECT id, replace(replace(topic, char(8490), char(65533)), char(383), char(65533))
FROM card;

INSERT INTO card_search_indexed (last_card_id) SELECT coalesce(max(id), 0) FROM card;
