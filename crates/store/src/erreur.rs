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

    /// A caller's guard refused the write, judged on the record as stored inside the write's
    /// transaction (the contract's state, its blocking findings). Nothing was written.
    #[error("{}", .0.message)]
    Refus(Refus),

    #[error("donnée stockée illisible ({0}) : la base a été modifiée hors de Pacte")]
    Corrompue(String),
}

/// Why a caller's guard refused a write: a French message and, when the refusal comes from
/// rules, the codes of the rules at fault (`R-COFI-50`). The store runs guards; it never
/// decides what they check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refus {
    pub message: String,
    pub codes: Vec<String>,
}

impl Refus {
    pub fn new(message: impl Into<String>) -> Refus {
        Refus {
            message: message.into(),
            codes: Vec::new(),
        }
    }

    pub fn avec_codes(message: impl Into<String>, codes: Vec<String>) -> Refus {
        Refus {
            message: message.into(),
            codes,
        }
    }
}

impl From<Refus> for ErreurStore {
    fn from(r: Refus) -> ErreurStore {
        ErreurStore::Refus(r)
    }
}

pub type Resultat<T> = Result<T, ErreurStore>;
