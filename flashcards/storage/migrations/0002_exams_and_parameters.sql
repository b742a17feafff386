-- Schema version 2: exams with their answers, and fitted FSRS parameter sets.

CREATE TABLE exam (
	id INTEGER NOT NULL, 
	started_at BIGINT NOT NULL, 
	finished_at BIGINT, 
	decks VARCHAR NOT NULL, 
	tags VARCHAR NOT NULL, 
	seed INTEGER, 
	minutes FLOAT, 
	weak BOOLEAN NOT NULL, 
	count INTEGER NOT NULL, 
	correct FLOAT NOT NULL, 
	score FLOAT NOT NULL, 
	passed BOOLEAN NOT NULL, 
	threshold FLOAT NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_exam_started_at ON exam (started_at);

CREATE TABLE exam_answer (
	id INTEGER NOT NULL, 
	exam_id INTEGER NOT NULL, 
	card_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	given VARCHAR NOT NULL, 
	credit FLOAT NOT NULL, 
	answered_at BIGINT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(exam_id) REFERENCES exam (id), 
	FOREIGN KEY(card_id) REFERENCES card (id)
);

CREATE INDEX ix_exam_answer_card_id ON exam_answer (card_id);

CREATE INDEX ix_exam_answer_exam_id ON exam_answer (exam_id);

CREATE TABLE parameter_set (
	id INTEGER NOT NULL, 
	created_at BIGINT NOT NULL, 
	parameters VARCHAR NOT NULL, 
	reviews INTEGER NOT NULL, 
	log_loss_before FLOAT, 
	log_loss_after FLOAT, 
	rmse_before FLOAT, 
	rmse_after FLOAT, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);
