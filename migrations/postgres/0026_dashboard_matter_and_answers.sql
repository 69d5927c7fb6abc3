-- The dashboard filters by matter type and searches short-text and phone
-- answers as well as names and emails. Both are copied onto the lead's row
-- when it is stored (personal data, erased with the row): `answers_text` is
-- the short-text and phone answers, one per line
-- (intake_domain::questions::MatterType::searchable).
ALTER TABLE leads ADD COLUMN matter_type TEXT;
ALTER TABLE leads ADD COLUMN answers_text TEXT NOT NULL DEFAULT '';
CREATE INDEX leads_matter_type ON leads (matter_type, id);
CREATE INDEX leads_answers_trgm ON leads USING gin (lower(answers_text) gin_trgm_ops);

-- Leads stored before this version: their matter type, and their short-text
-- and phone answers read through the form version they answered.
UPDATE leads l SET matter_type = la.matter_type, answers_text = COALESCE((
        SELECT string_agg(ans.value, E'\n' ORDER BY q.n)
        FROM intake_forms f,
             jsonb_array_elements(f.definition::jsonb -> 'matter_types') m,
             jsonb_array_elements(m -> 'questions') WITH ORDINALITY q (v, n),
             jsonb_each_text(la.answers::jsonb) ans
        WHERE f.version = la.form_version AND m ->> 'key' = la.matter_type
          AND ans.key = q.v ->> 'key' AND q.v ->> 'kind' IN ('short_text', 'phone')), '')
    FROM lead_answers la WHERE la.lead_id = l.id;
