-- Schema version 6: the statistics count leeches and buried cards from two small indexes that
-- hold only those cards (both are rare), instead of reading every card for them.

CREATE INDEX ix_card_leech ON card (leech, retired) WHERE leech = 1;

CREATE INDEX ix_card_buried ON card (retired, buried_until) WHERE buried_until IS NOT NULL;
