-- The built-in provider's authorization codes (RFC 6749 4.1, PKCE RFC 7636): short-lived, single-use (a token
-- request deletes the row it redeems), kept in PostgreSQL so any gateway replica can redeem a code another issued.
-- Only the code's sha256 is stored: a database read alone does not yield a redeemable code.

CREATE TABLE gateway.authorization_codes (
    code_hash      text        PRIMARY KEY,
    client_id      text        NOT NULL,
    redirect_uri   text        NOT NULL,
    code_challenge text        NOT NULL,                -- S256 only
    account        text        NOT NULL,
    expires_at     timestamptz NOT NULL
);

CREATE INDEX authorization_codes_expiry ON gateway.authorization_codes (expires_at);
