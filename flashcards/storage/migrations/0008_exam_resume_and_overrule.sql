-- Schema version 8: an exam keeps the questions it drew (card ids with the order their options
-- were shown in, as JSON), so that a quit or killed exam can be resumed as it was; an answer
-- keeps the grader's own verdict beside the credit that counts, and whether the person overruled
-- the grader (the credit then follows the person).

ALTER TABLE exam ADD COLUMN questions VARCHAR NOT NULL DEFAULT '[]';

ALTER TABLE exam_answer ADD COLUMN machine_credit FLOAT;

ALTER TABLE exam_answer ADD COLUMN overruled BOOLEAN NOT NULL DEFAULT FALSE;
