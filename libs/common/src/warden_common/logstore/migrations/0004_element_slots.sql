-- Feature distributions read typed arrays instead of JSONB: each scalar element of a part (`{"Age": 39}`, or one
-- class of a group, `{"Income": {">$50K": 0.2}}`) has a slot number per deployment and part, given by the store
-- the first time it writes that element (`element_slots`, never renumbered), and every instance keeps its part's
-- values by slot: `<part>_numbers[slot]` (JSON numbers as float8) and `<part>_labels[slot]` (strings, booleans and
-- integers as the text `#>> '{}'` gives; NULL for other numbers, which queries read from `elements`). The store
-- writes both with the part, so they say what `elements` says. Element names are data (`path`), never identifiers.
CREATE TABLE warden_logs.element_slots (
    namespace  text   NOT NULL,
    deployment text   NOT NULL,
    part       text   NOT NULL CHECK (part IN ('request', 'response')),
    path       text[] NOT NULL CHECK (cardinality(path) IN (1, 2)),  -- {name} or {name, class}
    slot       int    NOT NULL CHECK (slot >= 1),
    PRIMARY KEY (namespace, deployment, part, path),
    UNIQUE (namespace, deployment, part, slot)
);

ALTER TABLE warden_logs.instances
    ADD COLUMN request_numbers  float8[],
    ADD COLUMN request_labels   text[],
    ADD COLUMN response_numbers float8[],
    ADD COLUMN response_labels  text[];

-- A distribution query scans every instance of the range, so the row it reads should be narrow: the arrays stay
-- inline (compressed only when a row is still over 512 bytes without its documents), while `elements` (now read
-- only for elements without a slot) goes out of line with `doc` whenever PostgreSQL toasts a row.
ALTER TABLE warden_logs.instances
    ALTER COLUMN elements SET STORAGE EXTENDED,
    ALTER COLUMN request_numbers SET STORAGE MAIN,
    ALTER COLUMN request_labels SET STORAGE MAIN,
    ALTER COLUMN response_numbers SET STORAGE MAIN,
    ALTER COLUMN response_labels SET STORAGE MAIN;
ALTER TABLE warden_logs.instances SET (toast_tuple_target = 512);

-- Instances logged before: slots in path order (at most 1000 per deployment and part, as the store gives), then
-- each instance's arrays from its `elements`, by the same rules as the store's writer (`postgres_slots`).
INSERT INTO warden_logs.element_slots (namespace, deployment, part, path, slot)
SELECT namespace, deployment, part, path, slot
FROM (
    SELECT namespace, deployment, part, path,
           row_number() OVER (PARTITION BY namespace, deployment, part ORDER BY path) AS slot
    FROM (
        SELECT DISTINCT i.namespace, i.deployment, p.part, s.path
        FROM warden_logs.instances i
        CROSS JOIN (VALUES ('request'), ('response')) AS p(part)
        CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(i.elements -> p.part) = 'object'
                                           THEN i.elements -> p.part ELSE '{}'::jsonb END) AS e
        CROSS JOIN LATERAL (
            SELECT ARRAY[e.key] WHERE jsonb_typeof(e.value) IN ('number', 'string', 'boolean')
            UNION ALL
            SELECT ARRAY[e.key, c.key]
            FROM jsonb_each(CASE WHEN jsonb_typeof(e.value) = 'object' THEN e.value ELSE '{}'::jsonb END) AS c
            WHERE jsonb_typeof(c.value) IN ('number', 'string', 'boolean')
        ) AS s(path)
    ) found
) numbered
WHERE slot <= 1000;

CREATE FUNCTION pg_temp.slot_arrays(ns text, dep text, part_name text, elements jsonb,
                                    OUT numbers float8[], OUT labels text[])
LANGUAGE sql STABLE AS $$
    SELECT array_agg(CASE WHEN jsonb_typeof(x) = 'number' THEN
                         CASE WHEN abs(x::numeric) <= 1.7976931348623157e308 THEN x::float8 END
                     END ORDER BY v.slot),
           array_agg(CASE jsonb_typeof(x)
                         WHEN 'string' THEN x #>> '{}'
                         WHEN 'boolean' THEN x #>> '{}'
                         WHEN 'number' THEN CASE WHEN (x #>> '{}') ~ '^-?[0-9]+$' THEN x #>> '{}' END
                     END ORDER BY v.slot)
    FROM (
        SELECT s.slot, CASE WHEN cardinality(s.path) = 1 THEN elements -> s.path[1]
                            ELSE elements -> s.path[1] -> s.path[2] END AS x
        FROM warden_logs.element_slots s
        WHERE s.namespace = ns AND s.deployment = dep AND s.part = part_name
    ) v
    HAVING count(x) > 0
$$;

UPDATE warden_logs.instances i
SET (request_numbers, request_labels) = (
        SELECT numbers, labels FROM pg_temp.slot_arrays(i.namespace, i.deployment, 'request', i.elements -> 'request')),
    (response_numbers, response_labels) = (
        SELECT numbers, labels FROM pg_temp.slot_arrays(i.namespace, i.deployment, 'response', i.elements -> 'response'))
WHERE jsonb_typeof(i.elements -> 'request') = 'object' OR jsonb_typeof(i.elements -> 'response') = 'object';

DROP FUNCTION pg_temp.slot_arrays(text, text, text, jsonb);
