-- Each name word's row carries its owner's whole name as a check compares
-- it (its words, space-separated; see intake_domain::conflict::name_words),
-- in the primary key's index too (INCLUDE): a check reads its candidates
-- by index-only scans, instead of looking up each candidate's lead or
-- party, which made a check of a common name read a thousand rows at
-- random. The same personal data as the words: erased (and vacuumed) with them.
ALTER TABLE lead_words ADD COLUMN name TEXT;
UPDATE lead_words l SET name = (SELECT string_agg(w.word, ' ') FROM lead_words w WHERE w.lead_id = l.lead_id);
ALTER TABLE lead_words DROP CONSTRAINT lead_words_pkey, ADD PRIMARY KEY (word, lead_id) INCLUDE (name);

-- A party's rows also hold its organisation's words, so its name cannot be
-- rebuilt from them: the server folds it at start-up (fill_party_names),
-- finding the rows left by this partial index, empty once done.
ALTER TABLE party_words ADD COLUMN name TEXT;
ALTER TABLE party_words DROP CONSTRAINT party_words_pkey, ADD PRIMARY KEY (word, party_id) INCLUDE (name);
CREATE INDEX party_words_unnamed ON party_words (party_id) WHERE name IS NULL;

-- Index-only scans need the visibility map, which vacuum sets: by default a
-- table gaining rows is vacuumed after 20% more, so a big firm's newest word
-- rows (a check's reads) would mostly be visited in the table too. Sooner here.
ALTER TABLE lead_words SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_insert_threshold = 1000);
ALTER TABLE party_words SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_insert_threshold = 1000);
