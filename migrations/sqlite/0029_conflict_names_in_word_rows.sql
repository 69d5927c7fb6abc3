-- Each name word's row carries its owner's whole name as a check compares
-- it (its words, space-separated; see intake_domain::conflict::name_words):
-- a check reads its candidates from the word tables alone (WITHOUT ROWID:
-- the primary key holds the rows), instead of looking up each candidate's
-- lead or party, which made a check of a common name read a thousand rows
-- at random. The same personal data as the words: erased with them.
ALTER TABLE lead_words ADD COLUMN name TEXT;
UPDATE lead_words SET name = (SELECT group_concat(w.word, ' ') FROM lead_words w WHERE w.lead_id = lead_words.lead_id);

-- A party's rows also hold its organisation's words, so its name cannot be
-- rebuilt from them: the server folds it at start-up (fill_party_names),
-- finding the rows left by this partial index, empty once done.
ALTER TABLE party_words ADD COLUMN name TEXT;
CREATE INDEX party_words_unnamed ON party_words (party_id) WHERE name IS NULL;
