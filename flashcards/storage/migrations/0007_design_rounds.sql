-- Schema version 7: mock design rounds and their attempts.

CREATE TABLE design_round (
	id INTEGER NOT NULL, 
	"key" VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	file VARCHAR NOT NULL, 
	digest VARCHAR NOT NULL, 
	builtin BOOLEAN NOT NULL, 
	content VARCHAR NOT NULL, 
	modified_at BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE ("key")
);

CREATE TABLE round_attempt (
	id INTEGER NOT NULL, 
	round_id INTEGER NOT NULL, 
	started_at BIGINT NOT NULL, 
	saved_at BIGINT NOT NULL, 
	finished_at BIGINT, 
	content VARCHAR NOT NULL, 
	current_step INTEGER NOT NULL, 
	steps VARCHAR NOT NULL, 
	questions VARCHAR NOT NULL, 
	marks VARCHAR NOT NULL, 
	score FLOAT, 
	transcript VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(round_id) REFERENCES design_round (id)
);

CREATE INDEX ix_round_attempt_round_id ON round_attempt (round_id);

CREATE INDEX ix_round_attempt_started_at ON round_attempt (started_at);
