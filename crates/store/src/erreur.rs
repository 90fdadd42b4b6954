//! The store's error type. Messages are French: they reach users through the CLI and the web.

/// What went wrong while reading or writing the base.
#[derive(Debug, thiserror::Error)]
pub enum ErreurStore {
    /// An update based on a stale version: someone else changed the record since it was read.
    #[error(
        "{quoi} a été modifié(e) par {par} le {le} depuis votre lecture (version {attendue} lue, version {actuelle} en base) : rechargez avant d'enregistrer ; rien n'a été écrit"
    )]
    Conflit {
        quoi: String,
        par: String,
        le: String,
        attendue: i64,
        actuelle: i64,
    },

    #[error("{entite} {id} introuvable")]
    Introuvable { entite: &'static str, id: String },

    /// Data refused before anything is written.
    #[error("{0}")]
    Invalide(String),

    #[error(
        "adresse de base de données invalide « {0} » : attendu sqlite://chemin/vers/pacte.db ou postgres://utilisateur@hôte:port/base"
    )]
    Adresse(String),

    #[error("migration du schéma impossible : {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    #[error("erreur de la base de données : {0}")]
    Base(#[from] sqlx::Error),

    #[error("donnée stockée illisible ({0}) : la base a été modifiée hors de Pacte")]
    Corrompue(String),
}

pub type Resultat<T> = Result<T, ErreurStore>;
