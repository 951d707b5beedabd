-- Authentication and authorization (issue 12): the built-in identity provider's users, groups and service
-- clients, its RS256 signing keys, and the authorization policy document.
-- (Version 3: version 2 is the outbox, whose DDL comes from warden_common.db.outbox.)

CREATE TABLE gateway.users (
    name          text        PRIMARY KEY,
    password_hash text        NOT NULL,                 -- argon2id (PHC string); a client's secret for clients
    groups        text[]      NOT NULL DEFAULT '{}',
    is_client     boolean     NOT NULL DEFAULT false,   -- a service client (client-credentials grant), not a person
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text        NOT NULL
);

-- Private keys are PKCS#8 PEM encrypted with the configured passphrase; the newest is the one that signs, the
-- others stay in the JWKS until the tokens they signed have expired.
CREATE TABLE gateway.signing_keys (
    kid           text        PRIMARY KEY,
    private_pem   text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- One row: the current policy document; `version` grows on every change so replicas notice by polling it.
CREATE TABLE gateway.authorization_policy (
    id          integer     PRIMARY KEY CHECK (id = 1),
    document    jsonb       NOT NULL,
    version     bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text        NOT NULL
);

-- Until an admin writes one: everyone may read and write the demo namespace and the default project, as in the
-- seed's demo 5.1.13.
INSERT INTO gateway.authorization_policy (id, document, version, updated_by)
VALUES (1, '{"role_grants": {}, "user_grants": {"*": [
    {"resource": "namespace/seldon", "action": "write"}, {"resource": "project/default", "action": "write"}]}}'::jsonb,
    1, 'migration');
