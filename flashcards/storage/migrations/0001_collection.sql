-- Schema version 1: decks, cards and their review log.

CREATE TABLE meta (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE deck (
	id INTEGER NOT NULL, 
	file VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	tags VARCHAR NOT NULL, 
	settings VARCHAR NOT NULL, 
	builtin BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (file)
);

CREATE INDEX ix_deck_name ON deck (name);

CREATE TABLE card (
	id INTEGER NOT NULL, 
	uid VARCHAR NOT NULL, 
	explicit_id VARCHAR, 
	fingerprint VARCHAR NOT NULL, 
	deck_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	front VARCHAR NOT NULL, 
	back VARCHAR NOT NULL, 
	choices VARCHAR NOT NULL, 
	answers VARCHAR NOT NULL, 
	cloze_source VARCHAR, 
	cloze_group VARCHAR, 
	sibling_key VARCHAR, 
	topic VARCHAR NOT NULL, 
	tags VARCHAR NOT NULL, 
	source_line INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	retired BOOLEAN NOT NULL, 
	suspended BOOLEAN NOT NULL, 
	leech BOOLEAN NOT NULL, 
	buried_until BIGINT, 
	state INTEGER NOT NULL, 
	step INTEGER, 
	stability FLOAT, 
	difficulty FLOAT, 
	due BIGINT NOT NULL, 
	last_review BIGINT, 
	reps INTEGER NOT NULL, 
	lapses INTEGER NOT NULL, 
	created_at BIGINT NOT NULL, 
	modified_at BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (uid), 
	UNIQUE (explicit_id), 
	FOREIGN KEY(deck_id) REFERENCES deck (id)
);

CREATE INDEX ix_card_deck_id ON card (deck_id);

CREATE INDEX ix_card_deck_position ON card (deck_id, position);

CREATE INDEX ix_card_fingerprint ON card (fingerprint);

CREATE INDEX ix_card_queue ON card (retired, suspended, state, due, buried_until);

CREATE INDEX ix_card_sibling_key ON card (sibling_key);

CREATE TABLE review (
	id INTEGER NOT NULL, 
	card_id INTEGER NOT NULL, 
	rating INTEGER NOT NULL, 
	reviewed_at BIGINT NOT NULL, 
	duration_ms INTEGER, 
	state_before INTEGER NOT NULL, 
	interval_before FLOAT NOT NULL, 
	scheduled_days FLOAT NOT NULL, 
	day INTEGER NOT NULL, 
	first_of_day BOOLEAN NOT NULL, 
	stability FLOAT, 
	difficulty FLOAT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(card_id) REFERENCES card (id)
);

CREATE INDEX ix_review_card_id ON review (card_id);

CREATE INDEX ix_review_day ON review (day);

CREATE INDEX ix_review_reviewed_at ON review (reviewed_at);
