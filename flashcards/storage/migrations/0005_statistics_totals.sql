-- Schema version 5: totals kept as answers are given, so that the statistics read a few rows
-- instead of the whole review log. `review_day` holds each study day's answers (manual changes
-- excluded) by the card's state before the answer, the time spent, and the pass counts of true
-- retention (first answer that day of a review card; young: interval under 21 days). Each card
-- counts the same passes over its whole history. An index holds every column the statistics
-- (and the browser's searches by recall, lapses and state) read of a card, so that they never
-- read the cards' text.

CREATE TABLE review_day (
	day INTEGER NOT NULL, 
	learning INTEGER NOT NULL, 
	review INTEGER NOT NULL, 
	relearning INTEGER NOT NULL, 
	duration_ms BIGINT NOT NULL, 
	young_passed INTEGER NOT NULL, 
	young_total INTEGER NOT NULL, 
	mature_passed INTEGER NOT NULL, 
	mature_total INTEGER NOT NULL, 
	PRIMARY KEY (day)
);

INSERT INTO review_day (day, learning, review, relearning, duration_ms, young_passed, young_total,
	mature_passed, mature_total)
SELECT
	day,
	sum(CASE WHEN state_before IN (0, 1) THEN 1 ELSE 0 END),
	sum(CASE WHEN state_before = 2 THEN 1 ELSE 0 END),
	sum(CASE WHEN state_before = 3 THEN 1 ELSE 0 END),
	coalesce(sum(duration_ms), 0),
	sum(CASE WHEN first_of_day AND state_before = 2 AND interval_before < 21 AND rating > 1
		THEN 1 ELSE 0 END),
	sum(CASE WHEN first_of_day AND state_before = 2 AND interval_before < 21 THEN 1 ELSE 0 END),
	sum(CASE WHEN first_of_day AND state_before = 2 AND interval_before >= 21 AND rating > 1
		THEN 1 ELSE 0 END),
	sum(CASE WHEN first_of_day AND state_before = 2 AND interval_before >= 21 THEN 1 ELSE 0 END)
FROM review
WHERE state_before != 4
GROUP BY day;

ALTER TABLE card ADD COLUMN recall_passed INTEGER NOT NULL DEFAULT 0;

ALTER TABLE card ADD COLUMN recall_total INTEGER NOT NULL DEFAULT 0;

UPDATE card SET recall_passed = counted.passed, recall_total = counted.total
FROM (
	SELECT card_id, sum(CASE WHEN rating > 1 THEN 1 ELSE 0 END) AS passed, count(*) AS total
	FROM review
	WHERE first_of_day AND state_before = 2
	GROUP BY card_id
) AS counted
WHERE card.id = counted.card_id;

CREATE INDEX ix_card_statistics ON card (retired, deck_id, topic, state, suspended, leech,
	buried_until, stability, last_review, lapses, recall_passed, recall_total, due, reps);
