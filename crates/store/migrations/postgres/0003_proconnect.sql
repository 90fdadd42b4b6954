-- Pacte: the ID token of a session opened through ProConnect, sent back to the provider as
-- `id_token_hint` when the agent signs out (ProConnect's logout). NULL for password sessions.
-- Sessions are never backed up nor audited.

ALTER TABLE sessions ADD COLUMN jeton_id_proconnect TEXT;
