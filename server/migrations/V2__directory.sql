-- Communities, accounts, sessions, sync tokens and the audit log: small JSON
-- documents by kind and key, the same as the sled backend keeps them.
CREATE TABLE documents (
    kind   text NOT NULL,
    key    text NOT NULL,
    value  text NOT NULL,
    PRIMARY KEY (kind, key)
);
