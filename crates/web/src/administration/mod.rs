//! Administration (national administrators): the accounts with their roles and scopes
//! (`utilisateurs`), the audit log with its integrity and one entry's change (`journal`).

pub mod journal;
pub mod utilisateurs;
