-- Pacte: the audit log keyed with HMAC-SHA256 (the key is kept outside the base).
--
-- `cle`: identifier of the key whose HMAC is the entry's `hash` (NULL: the entry predates the
-- key and `hash` is its plain SHA-256; the first entry naming a key is where the key applies).
-- `colonnes`: the record's key columns as written (JSON; secrets as the SHA-256 of their
-- stored hash), compared with the rows by `pacte audit verifier`. NULL for a deletion and for
-- entries written before this migration.
ALTER TABLE audit ADD COLUMN colonnes TEXT;
ALTER TABLE audit ADD COLUMN cle TEXT;
