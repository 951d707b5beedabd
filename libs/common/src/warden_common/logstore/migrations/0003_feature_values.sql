-- Feature distributions read the named elements of each instance, and whether a load test sent it, without
-- detoasting the whole document: two narrow columns PostgreSQL keeps in step with `doc` on every upsert.
-- `loadtest` is true when the document names the load test that sent it (`"loadTest": "<job>"`).
ALTER TABLE warden_logs.instances
    ADD COLUMN elements jsonb GENERATED ALWAYS AS (
        -- jsonb_set, not jsonb_build_object: a generated column needs immutable functions
        jsonb_set(jsonb_set('{}'::jsonb, '{request}', COALESCE(doc->'request'->'elements', 'null'::jsonb)),
                  '{response}', COALESCE(doc->'response'->'elements', 'null'::jsonb))
    ) STORED,
    ADD COLUMN loadtest boolean GENERATED ALWAYS AS (
        doc ? 'loadTest'
    ) STORED;
-- Keep the rows a distribution query scans narrow: documents whose compressed form still makes a row over 1 kB
-- go out of line (TOAST), while `elements` stays inline and uncompressed unless nothing else makes the row fit.
ALTER TABLE warden_logs.instances ALTER COLUMN elements SET STORAGE MAIN;
ALTER TABLE warden_logs.instances SET (toast_tuple_target = 1024);
