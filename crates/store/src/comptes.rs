//! Accounts, sessions, API tokens and login attempts.
//!
//! No secret reaches the base. Passwords arrive already hashed (argon2id PHC strings computed
//! by the caller; the store neither hashes nor checks them), session ids and API tokens as the
//! hex SHA-256 of the secret ([`empreinte_secret`]). Roles and scopes are kept as plain strings
//! (`"administrateur"`, `"region:93"`, `"aucun"`): their meaning belongs to the permission
//! model, not to the store.
//!
//! # Audit
//!
//! Changes of accounts (entity `utilisateur`: `creation`, `modification`,
//! `modification du mot de passe`, `desactivation`) and of API tokens (entity `jeton_api`:
//! `creation`, `revocation`) are written to the hash-chained audit log in the same transaction,
//! with the acting user, like contracts and fiches. The log holds a redacted view of the
//! record, never the row itself: an account's view says whether it has a password but carries
//! no password hash, a token's view carries no token hash. Both views are functions of the
//! stored row alone.
//!
//! [`Base::verifier_audit`] compares each account's and token's current view with its last
//! audited one, and the SHA-256 of the stored password or token hash with the one the log
//! recorded (`EntreeAudit::colonnes`, written by the audit log itself), so a hash replaced in
//! the base is found without the log ever holding a hash.
//!
//! # The last administrator
//!
//! A base keeps at least one active national administrator ([`ROLE_ADMINISTRATEUR`]) once it
//! has one: [`Base::modifier_utilisateur`] and [`Base::desactiver_utilisateur`] refuse to
//! demote or deactivate the last one, checked inside the write's transaction.
//!
//! Sessions and login attempts are not audited: they change on every request or sign-in
//! attempt, carry no business data and would swamp the log. Their writes are not counted by
//! [`Base::ecritures_locales`] either, so they do not invalidate caches of the data.
//!
//! # Time
//!
//! Timestamps are text in the store's format, `2026-11-23T04:17:03.123Z` (UTC, milliseconds),
//! and are compared as strings. Those the caller passes (expiries, attempt times, windows) must
//! have exactly that shape; [`maintenant`] gives the store's clock in it.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ecriture::{Ecriture, Unicite};
use crate::erreur::{ErreurStore, Resultat};
use crate::{Base, Tampon, horloge, json};

/// How often a session's last activity is written, at most (seconds).
pub const ACTIVITE_GRAIN_SECONDES: i64 = 60;

/// The role counted by [`Base::compter_administrateurs_actifs`].
pub const ROLE_ADMINISTRATEUR: &str = "administrateur_national";

/// Longest display name of an account (characters).
pub const NOM_MAX: usize = pacte_core::droits::NOM_MAX;
/// Longest stored role or scope code (characters): `organisation:<nom>` is the longest.
pub const HABILITATION_MAX: usize = 300;
/// Longest label of an API token (characters).
pub const LIBELLE_JETON_MAX: usize = 200;
/// Most API tokens an account may hold active (neither revoked nor expired) at once.
pub const JETONS_ACTIFS_MAX: i64 = 20;

/// Audit entity of accounts.
pub const ENTITE_UTILISATEUR: &str = "utilisateur";
/// Audit entity of API tokens.
pub const ENTITE_JETON: &str = "jeton_api";

/// A stored account.
///
/// The password hash is never serialized and `Debug` masks it.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Utilisateur {
    pub id: i64,
    /// Lower-cased.
    pub email: String,
    pub nom: String,
    /// Argon2id PHC string; `None` for an account that only signs in through ProConnect.
    #[serde(skip_serializing)]
    pub hash_mot_de_passe: Option<String>,
    pub role: String,
    pub perimetre: String,
    pub actif: bool,
    pub version: i64,
    pub cree_le: String,
    pub modifie_par: String,
    pub modifie_le: String,
}

impl Utilisateur {
    /// The account's concurrency stamp.
    pub fn tampon(&self) -> Tampon {
        Tampon {
            id: self.id,
            version: self.version,
            modifie_par: self.modifie_par.clone(),
            modifie_le: self.modifie_le.clone(),
        }
    }
}

fn masque(hash: &Option<String>) -> Option<&'static str> {
    hash.as_ref().map(|_| "<masqué>")
}

impl fmt::Debug for Utilisateur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Utilisateur")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("nom", &self.nom)
            .field("hash_mot_de_passe", &masque(&self.hash_mot_de_passe))
            .field("role", &self.role)
            .field("perimetre", &self.perimetre)
            .field("actif", &self.actif)
            .field("version", &self.version)
            .field("cree_le", &self.cree_le)
            .field("modifie_par", &self.modifie_par)
            .field("modifie_le", &self.modifie_le)
            .finish()
    }
}

/// An account to create. It starts active, at version 1.
#[derive(Clone, PartialEq, Eq)]
pub struct NouvelUtilisateur {
    /// Trimmed and lower-cased before storage.
    pub email: String,
    pub nom: String,
    /// Argon2id PHC string (`$argon2id$…`); `None` for a ProConnect-only account.
    pub hash_mot_de_passe: Option<String>,
    pub role: String,
    pub perimetre: String,
}

impl fmt::Debug for NouvelUtilisateur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NouvelUtilisateur")
            .field("email", &self.email)
            .field("nom", &self.nom)
            .field("hash_mot_de_passe", &masque(&self.hash_mot_de_passe))
            .field("role", &self.role)
            .field("perimetre", &self.perimetre)
            .finish()
    }
}

/// What an administrator may change on an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfilUtilisateur {
    pub nom: String,
    pub role: String,
    pub perimetre: String,
    pub actif: bool,
}

/// A server-side session. `id_hash` is the SHA-256 of the cookie's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub utilisateur_id: i64,
    pub cree_le: String,
    pub expire_le: String,
    pub derniere_activite: String,
    pub jeton_csrf: String,
    /// The ID token of a session opened through ProConnect (its `id_token_hint` at sign-out).
    pub jeton_id_proconnect: Option<String>,
}

/// A live session and its (active) account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOuverte {
    /// `derniere_activite` is the previous activity, before the lookup that returned it.
    pub session: Session,
    pub utilisateur: Utilisateur,
}

/// An API token, without its hash. Also its view in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JetonApi {
    pub id: i64,
    pub utilisateur_id: i64,
    pub libelle: String,
    pub cree_le: String,
    pub expire_le: String,
    pub revoque_le: Option<String>,
}

/// A usable API token (neither revoked nor expired) and its (active) account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JetonValide {
    pub jeton: JetonApi,
    pub utilisateur: Utilisateur,
}

/// The audited view of an account: the row without the password hash.
#[derive(Serialize)]
struct VueUtilisateur<'a> {
    id: i64,
    email: &'a str,
    nom: &'a str,
    role: &'a str,
    perimetre: &'a str,
    actif: bool,
    mot_de_passe: bool,
    version: i64,
    cree_le: &'a str,
    modifie_par: &'a str,
    modifie_le: &'a str,
}

/// The text logged for an account: no password hash, only whether there is one.
pub(crate) fn vue_utilisateur(u: &Utilisateur) -> String {
    json(&VueUtilisateur {
        id: u.id,
        email: &u.email,
        nom: &u.nom,
        role: &u.role,
        perimetre: &u.perimetre,
        actif: u.actif,
        mot_de_passe: u.hash_mot_de_passe.is_some(),
        version: u.version,
        cree_le: &u.cree_le,
        modifie_par: &u.modifie_par,
        modifie_le: &u.modifie_le,
    })
}

/// The text logged for a token (which holds no hash).
pub(crate) fn vue_jeton(j: &JetonApi) -> String {
    json(j)
}

/// The store's clock, in the format of every stored timestamp.
pub fn maintenant() -> String {
    horloge::maintenant()
}

/// The hex SHA-256 of a secret (session id, API token): what the base stores and looks up.
pub fn empreinte_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// An e-mail address as stored: trimmed, lower-cased.
pub fn normaliser_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The throttling key of an account.
pub fn cle_compte(email: &str) -> String {
    format!("compte:{}", normaliser_email(email))
}

/// The throttling key of a client address.
pub fn cle_adresse(adresse: &str) -> String {
    format!("adresse:{}", adresse.trim())
}

pub(crate) const COLONNES_UTILISATEUR: &str =
    "id, email, nom, hash_mot_de_passe, role, perimetre, actif, version, cree_le, modifie_par, modifie_le";

/// The same columns from `utilisateurs u` in a join.
const COLONNES_U: &str = "u.id, u.email, u.nom, u.hash_mot_de_passe, u.role, u.perimetre, u.actif, u.version, \
     u.cree_le, u.modifie_par, u.modifie_le";

const COLONNES_JETON: &str = "id, utilisateur_id, libelle, cree_le, expire_le, revoque_le";

pub(crate) fn lire_utilisateur(r: &AnyRow) -> Resultat<Utilisateur> {
    Ok(Utilisateur {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        nom: r.try_get("nom")?,
        hash_mot_de_passe: r.try_get("hash_mot_de_passe")?,
        role: r.try_get("role")?,
        perimetre: r.try_get("perimetre")?,
        actif: r.try_get::<i64, _>("actif")? != 0,
        version: r.try_get("version")?,
        cree_le: r.try_get("cree_le")?,
        modifie_par: r.try_get("modifie_par")?,
        modifie_le: r.try_get("modifie_le")?,
    })
}

fn lire_jeton(r: &AnyRow) -> Resultat<JetonApi> {
    Ok(JetonApi {
        id: r.try_get("id")?,
        utilisateur_id: r.try_get("utilisateur_id")?,
        libelle: r.try_get("libelle")?,
        cree_le: r.try_get("cree_le")?,
        expire_le: r.try_get("expire_le")?,
        revoque_le: r.try_get("revoque_le")?,
    })
}

/// The audited view of every account and token as stored now, keyed like the audit log
/// (`utilisateur`/`jeton_api`, id), for [`Base::verifier_audit`].
pub(crate) async fn vues_actuelles(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
) -> Resultat<Vec<((String, String), String)>> {
    let mut vues = Vec::new();
    for r in sqlx::query(&format!("SELECT {COLONNES_UTILISATEUR} FROM utilisateurs"))
        .fetch_all(&mut **tx)
        .await?
    {
        let u = lire_utilisateur(&r)?;
        vues.push((
            (ENTITE_UTILISATEUR.to_string(), u.id.to_string()),
            vue_utilisateur(&u),
        ));
    }
    for r in sqlx::query(&format!("SELECT {COLONNES_JETON} FROM jetons_api"))
        .fetch_all(&mut **tx)
        .await?
    {
        let j = lire_jeton(&r)?;
        vues.push(((ENTITE_JETON.to_string(), j.id.to_string()), vue_jeton(&j)));
    }
    Ok(vues)
}

fn invalide(message: String) -> ErreurStore {
    ErreurStore::Invalide(message)
}

/// A trimmed, non-empty text.
fn requis(valeur: &str, quoi: &str) -> Resultat<String> {
    let v = valeur.trim();
    if v.is_empty() {
        return Err(invalide(format!("{quoi} est vide")));
    }
    Ok(v.to_string())
}

/// A trimmed, non-empty text of at most `max` characters.
fn requis_borne(valeur: &str, quoi: &str, max: usize) -> Resultat<String> {
    let v = requis(valeur, quoi)?;
    let n = v.chars().count();
    if n > max {
        return Err(invalide(format!(
            "{quoi} est trop long : {n} caractères pour {max} au plus"
        )));
    }
    Ok(v)
}

/// A plausible e-mail address, normalised: one `@` between non-empty parts, no space. The
/// check [`Base::creer_utilisateur`] makes, for callers that validate a form before writing.
pub fn email_valide(email: &str) -> Resultat<String> {
    let e = normaliser_email(email);
    let correcte = match e.split_once('@') {
        Some((local, domaine)) => {
            !local.is_empty()
                && !domaine.is_empty()
                && !domaine.contains('@')
                && !e.chars().any(|c| c.is_whitespace() || c.is_control())
                && e.len() <= 254
        }
        None => false,
    };
    if !correcte {
        return Err(invalide(format!(
            "adresse électronique invalide « {} » : attendu nom@domaine",
            email.trim()
        )));
    }
    Ok(e)
}

/// A password hash in PHC format (`$argon2id$v=19$…`): refuses, among others, a clear password
/// passed by mistake.
fn hash_valide(hash: &str) -> Resultat<()> {
    if hash.len() < 2 || !hash.starts_with('$') || hash.chars().any(char::is_whitespace) {
        return Err(invalide(
            "empreinte de mot de passe invalide : attendu une chaîne au format PHC ($argon2id$…), jamais le mot de passe lui-même"
                .into(),
        ));
    }
    Ok(())
}

/// A hex SHA-256 (64 lower-case hexadecimal digits).
fn empreinte_valide(empreinte: &str, quoi: &str) -> Resultat<()> {
    let correcte = empreinte.len() == 64
        && empreinte
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !correcte {
        return Err(invalide(format!(
            "{quoi} invalide : attendu l'empreinte SHA-256 du secret (64 chiffres hexadécimaux), jamais le secret lui-même"
        )));
    }
    Ok(())
}

/// A timestamp of the store's shape, `2026-11-23T04:17:03.123Z`: comparable as text.
fn horodatage_valide(h: &str, quoi: &str) -> Resultat<()> {
    const FORME: &[u8; 24] = b"0000-00-00T00:00:00.000Z";
    let correct = h.len() == FORME.len()
        && h.bytes().zip(FORME).all(|(c, f)| match f {
            b'0' => c.is_ascii_digit(),
            _ => c == *f,
        });
    if !correct {
        return Err(invalide(format!(
            "{quoi} invalide « {h} » : attendu un horodatage UTC de la forme 2026-11-23T04:17:03.123Z"
        )));
    }
    Ok(())
}

fn email_pris(email: &str) -> ErreurStore {
    invalide(format!("un compte existe déjà pour l'adresse {email}"))
}

fn utilisateur_introuvable(id: i64) -> ErreurStore {
    ErreurStore::Introuvable {
        entite: ENTITE_UTILISATEUR,
        id: id.to_string(),
    }
}

async fn lire_utilisateur_tx(conn: &mut AnyConnection, id: i64) -> Resultat<Utilisateur> {
    let r = sqlx::query(&format!(
        "SELECT {COLONNES_UTILISATEUR} FROM utilisateurs WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| utilisateur_introuvable(id))?;
    lire_utilisateur(&r)
}

/// Refuses a change after which no active national administrator would be left: `avant` is
/// the account as stored, `reste_administrateur` whether it is still an active administrator
/// after the change. Called inside the write's transaction, after the audit head is taken,
/// so that two administrators demoting each other at the same time cannot both succeed.
async fn garder_un_administrateur(
    conn: &mut AnyConnection,
    avant: &Utilisateur,
    reste_administrateur: bool,
) -> Resultat<()> {
    if !avant.actif || avant.role != ROLE_ADMINISTRATEUR || reste_administrateur {
        return Ok(());
    }
    let autres: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM utilisateurs WHERE role = $1 AND actif = 1 AND id <> $2")
            .bind(ROLE_ADMINISTRATEUR)
            .bind(avant.id)
            .fetch_one(conn)
            .await?
            .try_get("n")?;
    if autres == 0 {
        return Err(invalide(format!(
            "le compte {} est le dernier administrateur national actif : il ne peut être ni désactivé ni changer de rôle tant qu'aucun autre administrateur national n'est actif",
            avant.email
        )));
    }
    Ok(())
}

/// Refuses to give access to a deactivated account.
fn exiger_actif(u: &Utilisateur) -> Resultat<()> {
    if !u.actif {
        return Err(invalide(format!("le compte {} est désactivé", u.email)));
    }
    Ok(())
}

/// Cuts every access of an account: deletes its sessions, revokes (and logs the revocation
/// of) its live tokens.
async fn couper_acces(e: &mut Ecriture<'_>, utilisateur_id: i64) -> Resultat<()> {
    sqlx::query("DELETE FROM sessions WHERE utilisateur_id = $1")
        .bind(utilisateur_id)
        .execute(e.conn())
        .await?;
    let jetons = sqlx::query(&format!(
        "SELECT {COLONNES_JETON} FROM jetons_api WHERE utilisateur_id = $1 AND revoque_le IS NULL ORDER BY id"
    ))
    .bind(utilisateur_id)
    .fetch_all(e.conn())
    .await?
    .iter()
    .map(lire_jeton)
    .collect::<Resultat<Vec<_>>>()?;
    for j in jetons {
        revoquer(e, j).await?;
    }
    Ok(())
}

async fn revoquer(e: &mut Ecriture<'_>, jeton: JetonApi) -> Resultat<JetonApi> {
    let maintenant = e.maintenant().to_string();
    sqlx::query("UPDATE jetons_api SET revoque_le = $1 WHERE id = $2")
        .bind(&maintenant)
        .bind(jeton.id)
        .execute(e.conn())
        .await?;
    let apres = JetonApi {
        revoque_le: Some(maintenant),
        ..jeton.clone()
    };
    e.consigner(
        ENTITE_JETON,
        &jeton.id.to_string(),
        "revocation",
        Some(&vue_jeton(&jeton)),
        Some(&vue_jeton(&apres)),
    )
    .await?;
    Ok(apres)
}

impl Base {
    // ----- Accounts -----

    /// Creates an active account. An e-mail address already used (whatever its case) is
    /// refused.
    pub async fn creer_utilisateur(
        &self,
        nouveau: &NouvelUtilisateur,
        acteur: &str,
    ) -> Resultat<Utilisateur> {
        let email = email_valide(&nouveau.email)?;
        let nom = requis_borne(&nouveau.nom, "le nom", NOM_MAX)?;
        let role = requis_borne(&nouveau.role, "le rôle", HABILITATION_MAX)?;
        let perimetre = requis_borne(&nouveau.perimetre, "le périmètre", HABILITATION_MAX)?;
        if let Some(h) = &nouveau.hash_mot_de_passe {
            hash_valide(h)?;
        }
        let mut e = self.ecriture(acteur).await?;
        let maintenant = e.maintenant().to_string();
        let existe = sqlx::query("SELECT id FROM utilisateurs WHERE email = $1")
            .bind(&email)
            .fetch_optional(e.conn())
            .await?;
        if existe.is_some() {
            return Err(email_pris(&email));
        }
        let r = sqlx::query(&format!(
            "INSERT INTO utilisateurs (email, nom, hash_mot_de_passe, role, perimetre, actif, version, cree_le, modifie_par, modifie_le) \
             VALUES ($1, $2, $3, $4, $5, 1, 1, $6, $7, $6) RETURNING {COLONNES_UTILISATEUR}"
        ))
        .bind(&email)
        .bind(&nom)
        .bind(nouveau.hash_mot_de_passe.as_deref())
        .bind(&role)
        .bind(&perimetre)
        .bind(&maintenant)
        .bind(acteur)
        .fetch_one(e.conn())
        .await
        .map_err(|err| Unicite::EmailUtilisateur.traduire(err, || email_pris(&email)))?;
        let u = lire_utilisateur(&r)?;
        e.consigner(
            ENTITE_UTILISATEUR,
            &u.id.to_string(),
            "creation",
            None,
            Some(&vue_utilisateur(&u)),
        )
        .await?;
        e.conclure().await?;
        Ok(u)
    }

    /// The account of an e-mail address (any case), active or not.
    pub async fn utilisateur_par_email(&self, email: &str) -> Resultat<Option<Utilisateur>> {
        sqlx::query(&format!(
            "SELECT {COLONNES_UTILISATEUR} FROM utilisateurs WHERE email = $1"
        ))
        .bind(normaliser_email(email))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(lire_utilisateur)
        .transpose()
    }

    /// One account, active or not.
    pub async fn utilisateur(&self, id: i64) -> Resultat<Utilisateur> {
        let r = sqlx::query(&format!(
            "SELECT {COLONNES_UTILISATEUR} FROM utilisateurs WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| utilisateur_introuvable(id))?;
        lire_utilisateur(&r)
    }

    /// Every account, deactivated ones included, in creation order.
    pub async fn utilisateurs(&self) -> Resultat<Vec<Utilisateur>> {
        sqlx::query(&format!(
            "SELECT {COLONNES_UTILISATEUR} FROM utilisateurs ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(lire_utilisateur)
        .collect()
    }

    /// Changes an account's name, role, scope and activity, if `version` is still the stored
    /// one. Deactivating it this way cuts its accesses as [`Base::desactiver_utilisateur`]
    /// does. Demoting or deactivating the last active national administrator is refused
    /// (`Invalide`), nothing written.
    pub async fn modifier_utilisateur(
        &self,
        id: i64,
        profil: &ProfilUtilisateur,
        version: i64,
        acteur: &str,
    ) -> Resultat<Utilisateur> {
        let nom = requis_borne(&profil.nom, "le nom", NOM_MAX)?;
        let role = requis_borne(&profil.role, "le rôle", HABILITATION_MAX)?;
        let perimetre = requis_borne(&profil.perimetre, "le périmètre", HABILITATION_MAX)?;
        let mut e = self.ecriture(acteur).await?;
        let maintenant = e.maintenant().to_string();
        let avant = lire_utilisateur_tx(e.conn(), id).await?;
        e.controler_version(format!("le compte {}", avant.email), &avant.tampon(), version)?;
        garder_un_administrateur(e.conn(), &avant, profil.actif && role == ROLE_ADMINISTRATEUR).await?;
        let r = sqlx::query(&format!(
            "UPDATE utilisateurs SET nom = $1, role = $2, perimetre = $3, actif = $4, version = version + 1, \
             modifie_par = $5, modifie_le = $6 WHERE id = $7 AND version = $8 RETURNING {COLONNES_UTILISATEUR}"
        ))
        .bind(&nom)
        .bind(&role)
        .bind(&perimetre)
        .bind(i64::from(profil.actif))
        .bind(acteur)
        .bind(&maintenant)
        .bind(id)
        .bind(version)
        .fetch_one(e.conn())
        .await?;
        let apres = lire_utilisateur(&r)?;
        e.consigner(
            ENTITE_UTILISATEUR,
            &id.to_string(),
            "modification",
            Some(&vue_utilisateur(&avant)),
            Some(&vue_utilisateur(&apres)),
        )
        .await?;
        if !apres.actif {
            couper_acces(&mut e, id).await?;
        }
        e.conclure().await?;
        Ok(apres)
    }

    /// Replaces an account's password hash. The log records the change, not the hash. Other
    /// sessions are left open: close them with [`Base::fermer_sessions_de`].
    pub async fn changer_mot_de_passe(
        &self,
        id: i64,
        hash_mot_de_passe: &str,
        acteur: &str,
    ) -> Resultat<Utilisateur> {
        hash_valide(hash_mot_de_passe)?;
        let mut e = self.ecriture(acteur).await?;
        let maintenant = e.maintenant().to_string();
        let avant = lire_utilisateur_tx(e.conn(), id).await?;
        let r = sqlx::query(&format!(
            "UPDATE utilisateurs SET hash_mot_de_passe = $1, version = version + 1, modifie_par = $2, modifie_le = $3 \
             WHERE id = $4 RETURNING {COLONNES_UTILISATEUR}"
        ))
        .bind(hash_mot_de_passe)
        .bind(acteur)
        .bind(&maintenant)
        .bind(id)
        .fetch_one(e.conn())
        .await?;
        let apres = lire_utilisateur(&r)?;
        e.consigner(
            ENTITE_UTILISATEUR,
            &id.to_string(),
            "modification du mot de passe",
            Some(&vue_utilisateur(&avant)),
            Some(&vue_utilisateur(&apres)),
        )
        .await?;
        e.conclure().await?;
        Ok(apres)
    }

    /// Deactivates an account: it can no longer sign in, its sessions are deleted and its API
    /// tokens revoked, in one transaction. Deactivating an inactive account changes nothing
    /// but still makes sure no access is left. Deactivating the last active national
    /// administrator is refused (`Invalide`), nothing written.
    pub async fn desactiver_utilisateur(&self, id: i64, acteur: &str) -> Resultat<Utilisateur> {
        let mut e = self.ecriture(acteur).await?;
        let maintenant = e.maintenant().to_string();
        let avant = lire_utilisateur_tx(e.conn(), id).await?;
        garder_un_administrateur(e.conn(), &avant, false).await?;
        let apres = if avant.actif {
            let r = sqlx::query(&format!(
                "UPDATE utilisateurs SET actif = 0, version = version + 1, modifie_par = $1, modifie_le = $2 \
                 WHERE id = $3 RETURNING {COLONNES_UTILISATEUR}"
            ))
            .bind(acteur)
            .bind(&maintenant)
            .bind(id)
            .fetch_one(e.conn())
            .await?;
            let apres = lire_utilisateur(&r)?;
            e.consigner(
                ENTITE_UTILISATEUR,
                &id.to_string(),
                "desactivation",
                Some(&vue_utilisateur(&avant)),
                Some(&vue_utilisateur(&apres)),
            )
            .await?;
            apres
        } else {
            avant
        };
        couper_acces(&mut e, id).await?;
        e.conclure().await?;
        Ok(apres)
    }

    /// Number of active accounts whose role is `role`.
    pub async fn compter_actifs_par_role(&self, role: &str) -> Resultat<i64> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM utilisateurs WHERE role = $1 AND actif = 1")
            .bind(role)
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("n")?)
    }

    /// Number of active administrators ([`ROLE_ADMINISTRATEUR`]): zero on a new base, until
    /// the first one is created.
    pub async fn compter_administrateurs_actifs(&self) -> Resultat<i64> {
        self.compter_actifs_par_role(ROLE_ADMINISTRATEUR).await
    }

    // ----- Sessions (not audited) -----

    /// Opens a session of an active account. `id_hash` is the SHA-256 of the cookie's secret
    /// ([`empreinte_secret`]), `expire_le` its absolute expiry.
    pub async fn ouvrir_session(
        &self,
        utilisateur_id: i64,
        id_hash: &str,
        jeton_csrf: &str,
        expire_le: &str,
    ) -> Resultat<Session> {
        empreinte_valide(id_hash, "l'identifiant de session")?;
        let jeton_csrf = requis(jeton_csrf, "le jeton anti-CSRF")?;
        horodatage_valide(expire_le, "l'expiration de la session")?;
        let maintenant = horloge::maintenant();
        // One statement: an account deactivated meanwhile gets no session.
        let n = sqlx::query(
            "INSERT INTO sessions (id_hash, utilisateur_id, cree_le, expire_le, derniere_activite, jeton_csrf) \
             SELECT $1, id, $2, $3, $2, $4 FROM utilisateurs WHERE id = $5 AND actif = 1",
        )
        .bind(id_hash)
        .bind(&maintenant)
        .bind(expire_le)
        .bind(&jeton_csrf)
        .bind(utilisateur_id)
        .execute(&self.pool)
        .await
        .map_err(|e| Unicite::IdSession.traduire(e, || invalide("cet identifiant de session est déjà pris".into())))?
        .rows_affected();
        if n == 0 {
            exiger_actif(&self.utilisateur(utilisateur_id).await?)?;
            return Err(invalide(format!(
                "la session du compte {utilisateur_id} n'a pas pu être ouverte"
            )));
        }
        Ok(Session {
            id_hash: id_hash.to_string(),
            utilisateur_id,
            cree_le: maintenant.clone(),
            expire_le: expire_le.to_string(),
            derniere_activite: maintenant,
            jeton_csrf,
            jeton_id_proconnect: None,
        })
    }

    /// The live session of `id_hash` and its account; `None` when unknown, expired, or when
    /// the account is deactivated. Records the activity: the session returned carries the
    /// previous one, so that the caller can enforce an idle timeout.
    pub async fn session(&self, id_hash: &str) -> Resultat<Option<SessionOuverte>> {
        empreinte_valide(id_hash, "l'identifiant de session")?;
        let maintenant = horloge::maintenant();
        let Some(r) = sqlx::query(&format!(
            "SELECT s.id_hash, s.cree_le AS session_cree_le, s.expire_le, s.derniere_activite, s.jeton_csrf, \
             s.jeton_id_proconnect, {COLONNES_U} \
             FROM sessions s JOIN utilisateurs u ON u.id = s.utilisateur_id \
             WHERE s.id_hash = $1 AND s.expire_le > $2 AND u.actif = 1"
        ))
        .bind(id_hash)
        .bind(&maintenant)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let utilisateur = lire_utilisateur(&r)?;
        let session = Session {
            id_hash: r.try_get("id_hash")?,
            utilisateur_id: utilisateur.id,
            cree_le: r.try_get("session_cree_le")?,
            expire_le: r.try_get("expire_le")?,
            derniere_activite: r.try_get("derniere_activite")?,
            jeton_csrf: r.try_get("jeton_csrf")?,
            jeton_id_proconnect: r.try_get("jeton_id_proconnect")?,
        };
        // The activity is recorded at most once a minute: a write on every request would
        // serialise all readers behind SQLite's single writer for no use (idle timeouts are
        // counted in hours).
        if session.derniere_activite < horloge::decale(-ACTIVITE_GRAIN_SECONDES) {
            sqlx::query("UPDATE sessions SET derniere_activite = $1 WHERE id_hash = $2")
                .bind(&maintenant)
                .bind(id_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(SessionOuverte { session, utilisateur }))
    }

    /// Keeps the ProConnect ID token of a session just opened, for the provider's logout.
    pub async fn lier_session_proconnect(&self, id_hash: &str, jeton_id: &str) -> Resultat<()> {
        empreinte_valide(id_hash, "l'identifiant de session")?;
        let jeton_id = requis(jeton_id, "le jeton d'identité ProConnect")?;
        let n = sqlx::query("UPDATE sessions SET jeton_id_proconnect = $1 WHERE id_hash = $2")
            .bind(&jeton_id)
            .bind(id_hash)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(invalide("cette session n'existe pas ou a été fermée".into()));
        }
        Ok(())
    }

    /// Closes a session (sign-out). `false` if there was none.
    pub async fn fermer_session(&self, id_hash: &str) -> Resultat<bool> {
        empreinte_valide(id_hash, "l'identifiant de session")?;
        let n = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// Closes every session of an account except `sauf` (the current one, after a password
    /// change). Returns the number closed.
    pub async fn fermer_sessions_de(&self, utilisateur_id: i64, sauf: Option<&str>) -> Resultat<u64> {
        if let Some(s) = sauf {
            empreinte_valide(s, "l'identifiant de session")?;
        }
        let n = sqlx::query("DELETE FROM sessions WHERE utilisateur_id = $1 AND id_hash <> COALESCE($2, '')")
            .bind(utilisateur_id)
            .bind(sauf)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n)
    }

    /// Deletes the sessions idle since before `avant` (they would be closed at their next use).
    /// Returns the number deleted.
    pub async fn purger_sessions_inactives(&self, avant: &str) -> Resultat<u64> {
        horodatage_valide(avant, "la limite de la purge")?;
        let n = sqlx::query("DELETE FROM sessions WHERE derniere_activite < $1")
            .bind(avant)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n)
    }

    /// Deletes the expired sessions. Returns the number deleted.
    pub async fn purger_sessions_expirees(&self) -> Resultat<u64> {
        let n = sqlx::query("DELETE FROM sessions WHERE expire_le <= $1")
            .bind(horloge::maintenant())
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n)
    }

    // ----- API tokens -----

    /// Records an API token of an active account. `hash` is the SHA-256 of the token
    /// ([`empreinte_secret`]); the token itself is shown once by the caller and never stored.
    pub async fn creer_jeton(
        &self,
        utilisateur_id: i64,
        libelle: &str,
        hash: &str,
        expire_le: &str,
        acteur: &str,
    ) -> Resultat<JetonApi> {
        let libelle = requis_borne(libelle, "le libellé du jeton", LIBELLE_JETON_MAX)?;
        empreinte_valide(hash, "l'empreinte du jeton")?;
        horodatage_valide(expire_le, "l'expiration du jeton")?;
        let mut e = self.ecriture(acteur).await?;
        let maintenant = e.maintenant().to_string();
        exiger_actif(&lire_utilisateur_tx(e.conn(), utilisateur_id).await?)?;
        // Counted after the audit head is taken: two creations at once cannot both pass.
        let actifs: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM jetons_api WHERE utilisateur_id = $1 AND revoque_le IS NULL AND expire_le > $2",
        )
        .bind(utilisateur_id)
        .bind(&maintenant)
        .fetch_one(e.conn())
        .await?
        .try_get("n")?;
        if actifs >= JETONS_ACTIFS_MAX {
            return Err(invalide(format!(
                "ce compte a déjà {actifs} jetons actifs, le maximum : révoquez-en un avant d'en créer un autre"
            )));
        }
        let r = sqlx::query(&format!(
            "INSERT INTO jetons_api (utilisateur_id, libelle, hash, cree_le, expire_le, revoque_le) \
             VALUES ($1, $2, $3, $4, $5, NULL) RETURNING {COLONNES_JETON}"
        ))
        .bind(utilisateur_id)
        .bind(&libelle)
        .bind(hash)
        .bind(&maintenant)
        .bind(expire_le)
        .fetch_one(e.conn())
        .await
        .map_err(|err| Unicite::HashJeton.traduire(err, || invalide("ce jeton existe déjà".into())))?;
        let jeton = lire_jeton(&r)?;
        e.consigner(
            ENTITE_JETON,
            &jeton.id.to_string(),
            "creation",
            None,
            Some(&vue_jeton(&jeton)),
        )
        .await?;
        e.conclure().await?;
        Ok(jeton)
    }

    /// The token whose SHA-256 is `hash` and its account; `None` when unknown, revoked,
    /// expired, or when the account is deactivated.
    pub async fn jeton_par_hash(&self, hash: &str) -> Resultat<Option<JetonValide>> {
        empreinte_valide(hash, "l'empreinte du jeton")?;
        let Some(r) = sqlx::query(&format!(
            "SELECT j.id AS jeton_id, j.libelle, j.cree_le AS jeton_cree_le, j.expire_le, j.revoque_le, {COLONNES_U} \
             FROM jetons_api j JOIN utilisateurs u ON u.id = j.utilisateur_id \
             WHERE j.hash = $1 AND j.revoque_le IS NULL AND j.expire_le > $2 AND u.actif = 1"
        ))
        .bind(hash)
        .bind(horloge::maintenant())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let utilisateur = lire_utilisateur(&r)?;
        let jeton = JetonApi {
            id: r.try_get("jeton_id")?,
            utilisateur_id: utilisateur.id,
            libelle: r.try_get("libelle")?,
            cree_le: r.try_get("jeton_cree_le")?,
            expire_le: r.try_get("expire_le")?,
            revoque_le: r.try_get("revoque_le")?,
        };
        Ok(Some(JetonValide { jeton, utilisateur }))
    }

    /// Revokes a token. Revoking a revoked token changes nothing and writes nothing.
    pub async fn revoquer_jeton(&self, id: i64, acteur: &str) -> Resultat<JetonApi> {
        let mut e = self.ecriture(acteur).await?;
        let r = sqlx::query(&format!("SELECT {COLONNES_JETON} FROM jetons_api WHERE id = $1"))
            .bind(id)
            .fetch_optional(e.conn())
            .await?
            .ok_or_else(|| ErreurStore::Introuvable {
                entite: ENTITE_JETON,
                id: id.to_string(),
            })?;
        let jeton = lire_jeton(&r)?;
        if jeton.revoque_le.is_some() {
            return Ok(jeton);
        }
        let jeton = revoquer(&mut e, jeton).await?;
        e.conclure().await?;
        Ok(jeton)
    }

    /// Every token of an account, revoked and expired ones included, in creation order.
    pub async fn jetons_de(&self, utilisateur_id: i64) -> Resultat<Vec<JetonApi>> {
        sqlx::query(&format!(
            "SELECT {COLONNES_JETON} FROM jetons_api WHERE utilisateur_id = $1 ORDER BY id"
        ))
        .bind(utilisateur_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(lire_jeton)
        .collect()
    }

    // ----- Sign-in attempts (not audited) -----

    /// Records a sign-in attempt under `cle` ([`cle_compte`], [`cle_adresse`]) at `horodatage`.
    pub async fn noter_tentative(&self, cle: &str, reussie: bool, horodatage: &str) -> Resultat<()> {
        let cle = requis(cle, "la clé de la tentative")?;
        horodatage_valide(horodatage, "l'horodatage de la tentative")?;
        sqlx::query("INSERT INTO tentatives_connexion (cle, horodatage, reussie) VALUES ($1, $2, $3)")
            .bind(&cle)
            .bind(horodatage)
            .bind(i64::from(reussie))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Number of failed attempts under `cle` at or after `depuis`. Successes do not reset it.
    pub async fn echecs_recents(&self, cle: &str, depuis: &str) -> Resultat<i64> {
        horodatage_valide(depuis, "le début de la fenêtre")?;
        let r = sqlx::query(
            "SELECT COUNT(*) AS n FROM tentatives_connexion WHERE cle = $1 AND horodatage >= $2 AND reussie = 0",
        )
        .bind(cle.trim())
        .bind(depuis)
        .fetch_one(&self.pool)
        .await?;
        Ok(r.try_get("n")?)
    }

    /// Deletes the attempts older than `avant`. Returns the number deleted.
    pub async fn purger_tentatives(&self, avant: &str) -> Resultat<u64> {
        horodatage_valide(avant, "la limite de la purge")?;
        let n = sqlx::query("DELETE FROM tentatives_connexion WHERE horodatage < $1")
            .bind(avant)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formes_refusees() {
        assert!(horodatage_valide("2026-11-23T04:17:03.123Z", "x").is_ok());
        assert!(horodatage_valide(&maintenant(), "x").is_ok());
        for h in [
            "2026-11-23T04:17:03Z",
            "2026-11-23 04:17:03.123Z",
            "2026-11-23T04:17:03.123+01:00",
            "",
        ] {
            assert!(horodatage_valide(h, "x").is_err(), "{h}");
        }
        assert!(empreinte_valide(&empreinte_secret("s"), "x").is_ok());
        assert!(empreinte_valide("secret-en-clair", "x").is_err());
        assert!(empreinte_valide(&empreinte_secret("s").to_uppercase(), "x").is_err());
        assert!(hash_valide("$argon2id$v=19$m=19456,t=2,p=1$c2Vs$aGFjaA").is_ok());
        assert!(hash_valide("motdepasse").is_err());
        assert_eq!(email_valide(" Alice@Exemple.FR ").unwrap(), "alice@exemple.fr");
        for e in ["alice", "@exemple.fr", "alice@", "a@b@c", "al ice@exemple.fr"] {
            assert!(email_valide(e).is_err(), "{e}");
        }
        assert_eq!(cle_compte(" Alice@Exemple.FR"), "compte:alice@exemple.fr");
    }

    #[test]
    fn le_hash_ne_sort_pas() {
        let u = Utilisateur {
            id: 1,
            email: "a@b.fr".into(),
            nom: "A".into(),
            hash_mot_de_passe: Some("$argon2id$secret".into()),
            role: "r".into(),
            perimetre: "aucun".into(),
            actif: true,
            version: 1,
            cree_le: String::new(),
            modifie_par: String::new(),
            modifie_le: String::new(),
        };
        for texte in [format!("{u:?}"), json(&u), vue_utilisateur(&u)] {
            assert!(!texte.contains("argon2id"), "{texte}");
        }
        assert!(vue_utilisateur(&u).contains("\"mot_de_passe\":true"));
    }
}

#[cfg(test)]
mod tests_roles {
    #[test]
    fn le_role_administrateur_est_celui_du_modele_de_droits() {
        let role = serde_json::to_value(pacte_core::droits::Role::AdministrateurNational).unwrap();
        assert_eq!(role, super::ROLE_ADMINISTRATEUR);
    }
}

// ----- ProConnect identities pinned to accounts -----

/// Audit entity of the link between an account and a ProConnect identity (id: the account's).
pub const ENTITE_LIEN_PROCONNECT: &str = "lien_proconnect";

/// The link of an account to a ProConnect identity. Also its view in the audit log, and its
/// row in a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LienProConnect {
    pub utilisateur_id: i64,
    /// The provider's `sub`; `None` while the link is only authorised by an administrator
    /// ([`Base::autoriser_liaison_proconnect`]), until the next ProConnect sign-in makes it.
    pub sujet: Option<String>,
    pub modifie_par: String,
    pub modifie_le: String,
}

const COLONNES_LIEN: &str = "utilisateur_id, sujet, modifie_par, modifie_le";

/// The longest `sub` accepted (OpenID Connect Core §2: at most 255 ASCII characters).
pub const LONGUEUR_MAX_SUJET: usize = 255;

fn lire_lien(r: &AnyRow) -> Resultat<LienProConnect> {
    Ok(LienProConnect {
        utilisateur_id: r.try_get("utilisateur_id")?,
        sujet: r.try_get("sujet")?,
        modifie_par: r.try_get("modifie_par")?,
        modifie_le: r.try_get("modifie_le")?,
    })
}

/// The text logged for a link.
fn vue_lien(l: &LienProConnect) -> String {
    json(l)
}

fn sujet_valide(sujet: &str) -> Resultat<&str> {
    if sujet.is_empty()
        || sujet.len() > LONGUEUR_MAX_SUJET
        || sujet.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(invalide(format!(
            "identifiant ProConnect (sub) invalide : attendu de 1 à {LONGUEUR_MAX_SUJET} caractères sans espace"
        )));
    }
    Ok(sujet)
}

/// The audited view of every link as stored now, for [`Base::verifier_audit`].
pub(crate) async fn vues_liens_proconnect(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
) -> Resultat<Vec<((String, String), String)>> {
    sqlx::query(&format!("SELECT {COLONNES_LIEN} FROM liens_proconnect"))
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| {
            let l = lire_lien(r)?;
            Ok((
                (ENTITE_LIEN_PROCONNECT.to_string(), l.utilisateur_id.to_string()),
                vue_lien(&l),
            ))
        })
        .collect()
}

/// Every link, for a backup.
pub(crate) async fn liens_proconnect_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
) -> Resultat<Vec<LienProConnect>> {
    sqlx::query(&format!(
        "SELECT {COLONNES_LIEN} FROM liens_proconnect ORDER BY utilisateur_id"
    ))
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(lire_lien)
    .collect()
}

/// Writes the links of a backup as they were (their audit entries come with the log).
pub(crate) async fn restaurer_liens_proconnect(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    liens: &[LienProConnect],
) -> Resultat<()> {
    for l in liens {
        sqlx::query(&format!(
            "INSERT INTO liens_proconnect ({COLONNES_LIEN}) VALUES ($1, $2, $3, $4)"
        ))
        .bind(l.utilisateur_id)
        .bind(l.sujet.as_deref())
        .bind(&l.modifie_par)
        .bind(&l.modifie_le)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn lien_tx(conn: &mut AnyConnection, utilisateur_id: i64) -> Resultat<Option<LienProConnect>> {
    sqlx::query(&format!(
        "SELECT {COLONNES_LIEN} FROM liens_proconnect WHERE utilisateur_id = $1"
    ))
    .bind(utilisateur_id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(lire_lien)
    .transpose()
}

/// Writes `apres` over the link of its account (`avant`, if any) and logs the change.
async fn ecrire_lien(
    e: &mut Ecriture<'_>,
    avant: Option<&LienProConnect>,
    apres: &LienProConnect,
    operation: &str,
) -> Resultat<()> {
    let requete = if avant.is_some() {
        "UPDATE liens_proconnect SET sujet = $2, modifie_par = $3, modifie_le = $4 WHERE utilisateur_id = $1"
    } else {
        "INSERT INTO liens_proconnect (utilisateur_id, sujet, modifie_par, modifie_le) VALUES ($1, $2, $3, $4)"
    };
    sqlx::query(requete)
        .bind(apres.utilisateur_id)
        .bind(apres.sujet.as_deref())
        .bind(&apres.modifie_par)
        .bind(&apres.modifie_le)
        .execute(e.conn())
        .await
        .map_err(|err| {
            Unicite::SujetProConnect.traduire(err, || {
                invalide("cette identité ProConnect est déjà liée à un autre compte Pacte".into())
            })
        })?;
    e.consigner(
        ENTITE_LIEN_PROCONNECT,
        &apres.utilisateur_id.to_string(),
        operation,
        avant.map(vue_lien).as_deref(),
        Some(&vue_lien(apres)),
    )
    .await
}

impl Base {
    /// The link of an account to a ProConnect identity, if any (made or only authorised).
    pub async fn lien_proconnect(&self, utilisateur_id: i64) -> Resultat<Option<LienProConnect>> {
        sqlx::query(&format!(
            "SELECT {COLONNES_LIEN} FROM liens_proconnect WHERE utilisateur_id = $1"
        ))
        .bind(utilisateur_id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(lire_lien)
        .transpose()
    }

    /// The account linked to the ProConnect identity `sujet`, active or not.
    pub async fn utilisateur_par_sujet_proconnect(&self, sujet: &str) -> Resultat<Option<Utilisateur>> {
        sqlx::query(&format!(
            "SELECT {COLONNES_U} FROM utilisateurs u JOIN liens_proconnect l ON l.utilisateur_id = u.id \
             WHERE l.sujet = $1"
        ))
        .bind(sujet)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(lire_utilisateur)
        .transpose()
    }

    /// Links an account to the ProConnect identity `sujet` (audited: `liaison`). Linking it
    /// again to the same identity changes nothing and writes nothing. Refused (`Invalide`,
    /// nothing written) when the account is linked to another identity — only an
    /// administrator's [`autoriser_liaison_proconnect`](Self::autoriser_liaison_proconnect)
    /// undoes a link — or when the identity is linked to another account.
    ///
    /// Whether the link may be made (the account's password, the provider's verified address,
    /// the person's explicit act) is the caller's decision.
    pub async fn lier_proconnect(
        &self,
        utilisateur_id: i64,
        sujet: &str,
        acteur: &str,
    ) -> Resultat<LienProConnect> {
        let sujet = sujet_valide(sujet)?;
        let mut e = self.ecriture(acteur).await?;
        let maintenant = e.maintenant().to_string();
        let compte = lire_utilisateur_tx(e.conn(), utilisateur_id).await?;
        let avant = lien_tx(e.conn(), utilisateur_id).await?;
        match avant.as_ref().and_then(|l| l.sujet.as_deref()) {
            Some(s) if s == sujet => return Ok(avant.expect("link read")),
            Some(_) => {
                return Err(invalide(format!(
                    "le compte {} est déjà lié à une autre identité ProConnect",
                    compte.email
                )));
            }
            None => {}
        }
        let apres = LienProConnect {
            utilisateur_id,
            sujet: Some(sujet.to_string()),
            modifie_par: acteur.to_string(),
            modifie_le: maintenant,
        };
        ecrire_lien(&mut e, avant.as_ref(), &apres, "liaison").await?;
        e.conclure().await?;
        Ok(apres)
    }

    /// A national administrator's explicit act: the next ProConnect sign-in with the account's
    /// address links it to that identity, even if the account has a password. Replaces any
    /// link the account had (audited: `autorisation de liaison`).
    pub async fn autoriser_liaison_proconnect(
        &self,
        utilisateur_id: i64,
        acteur: &str,
    ) -> Resultat<LienProConnect> {
        let mut e = self.ecriture(acteur).await?;
        let maintenant = e.maintenant().to_string();
        lire_utilisateur_tx(e.conn(), utilisateur_id).await?;
        let avant = lien_tx(e.conn(), utilisateur_id).await?;
        let apres = LienProConnect {
            utilisateur_id,
            sujet: None,
            modifie_par: acteur.to_string(),
            modifie_le: maintenant,
        };
        ecrire_lien(&mut e, avant.as_ref(), &apres, "autorisation de liaison").await?;
        e.conclure().await?;
        Ok(apres)
    }
}
