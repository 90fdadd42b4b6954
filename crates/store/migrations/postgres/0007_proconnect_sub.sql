-- Pacte: ProConnect identities pinned to accounts (PostgreSQL).
-- Keep in step with sqlite/0007_proconnect_sub.sql.
--
-- An account is linked to at most one ProConnect identity (the provider's `sub`), and an
-- identity to at most one account. Once linked, the account is found by `sub` alone; an
-- e-mail address asserted by the provider never reaches an account linked to another `sub`,
-- nor a password account that was never linked explicitly. Links are audited (entity
-- `lien_proconnect`, id = the account's id).

CREATE TABLE liens_proconnect (
    utilisateur_id BIGINT PRIMARY KEY REFERENCES utilisateurs (id),
    -- NULL: a link authorised by a national administrator, made at the next ProConnect
    -- sign-in with the account's address.
    sujet TEXT UNIQUE,
    modifie_par TEXT NOT NULL,
    modifie_le TEXT NOT NULL
);
