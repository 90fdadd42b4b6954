//! Accounts on the web: who is asking, and whether they may.
//!
//! - Pages authenticate with the session cookie [`COOKIE_SESSION`] (its secret is never
//!   stored: the base keeps its SHA-256); the API with `Authorization: Bearer <jeton>`.
//! - [`session_et_csrf`] is the one middleware of the pages: it resolves the session and
//!   checks the CSRF token of every state-changing request before any handler runs.
//! - [`Utilisateur::exiger`] and [`Utilisateur::contrat_pour`] are the one door to
//!   `pacte_core::droits::decider`: every handler asks through them.

pub mod entretien;
pub mod memoire;
pub mod mot_de_passe;
pub mod pages;
pub mod proconnect;
pub mod session;
pub mod temps;

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use pacte_core::droits::{Action, Cible, Decision, Habilitation, Perimetre, decider};
use pacte_store::comptes::empreinte_secret;
use pacte_store::{ContratStocke, ErreurStore};

use crate::{ErreurApi, ErreurWeb, Etat};

/// Name of the session cookie.
pub const COOKIE_SESSION: &str = "pacte_session";
/// A session unused for this long is closed (seconds).
pub const INACTIVITE_MAX: i64 = 2 * 3600;
/// A session lasts at most this long (seconds).
pub const DUREE_SESSION: i64 = 12 * 3600;
/// Failed sign-ins allowed per account and per address within [`FENETRE_ECHECS`].
pub const ECHECS_MAX: i64 = 5;
/// The throttling window (seconds).
pub const FENETRE_ECHECS: i64 = 15 * 60;
/// Largest body of a page form, the contract file upload included (axum's default).
pub const TAILLE_FORMULAIRE_MAX: usize = 2 * 1024 * 1024;

/// Largest body of a form that carries a document (a lifecycle step's form and its
/// confirmation page, which carries the document in base64; a document's upload): the
/// documents' limit (10 Mio) in base64 and the form's fields.
pub const TAILLE_ENVOI_MAX: usize = 16 * 1024 * 1024;

/// Whether the form at `chemin` carries a document.
pub fn envoi_de_document(chemin: &str) -> bool {
    chemin.starts_with("/contrats/") && (chemin.contains("/etapes/") || chemin.ends_with("/pieces"))
}

/// How a request was authenticated.
#[derive(Debug, Clone)]
pub enum Acces {
    /// A page session: the SHA-256 of the cookie's secret, the session's CSRF token, and the
    /// ProConnect ID token of a session opened through ProConnect.
    Session {
        id_hash: String,
        csrf: String,
        jeton_id_proconnect: Option<String>,
    },
    /// An API token, by id.
    Jeton { id: i64 },
}

/// The authenticated user of a request, with their habilitation.
#[derive(Debug, Clone)]
pub struct Utilisateur {
    pub compte: pacte_store::comptes::Utilisateur,
    pub habilitation: Habilitation,
    pub acces: Acces,
}

// Role and scope codes, and the account name check, are the domain's: re-exported for the
// pages that read and print them.
pub use pacte_core::droits::{
    NOM_MAX, code_perimetre, code_role, lire_habilitation, lire_perimetre, lire_role, verifier_nom,
};

/// Who made a write, as the audit log names them, for people, without their name:
/// `utilisateur:3:a@b.fr` → `a@b.fr`, `jeton:7:a@b.fr` → `a@b.fr, jeton d'API n° 7`,
/// `proconnect:<sub>` (an account created at first sign-in), `cli:marie` →
/// `ligne de commande (marie)`, `demo`, `systeme`; anything else as is. Pages name the person
/// through [`Auteurs`].
pub fn auteur_lisible(acteur: &str) -> String {
    Auteurs::default().lisible(acteur)
}

/// The accounts behind audit actors (`utilisateur:<id>:<email>`, `jeton:<id>:<email>`), by
/// id and by address, so that a page names people « Marie Dupont (marie.dupont@…) » with one
/// query whatever its number of rows.
#[derive(Debug, Clone, Default)]
pub struct Auteurs {
    par_id: std::collections::HashMap<i64, (String, String)>,
    par_email: std::collections::HashMap<String, String>,
}

/// The account id (a session's writes) or the address (an API token's) of an actor.
fn compte_de(acteur: &str) -> (Option<i64>, Option<&str>) {
    let mut morceaux = acteur.splitn(3, ':');
    match (morceaux.next(), morceaux.next(), morceaux.next()) {
        (Some("utilisateur"), Some(id), Some(_)) => (id.parse().ok(), None),
        (Some("jeton"), Some(_), Some(email)) => (None, Some(email)),
        _ => (None, None),
    }
}

impl Auteurs {
    /// The names of the accounts behind `acteurs`, read in one query.
    pub async fn lire<'a>(
        base: &pacte_store::Base,
        acteurs: impl IntoIterator<Item = &'a str>,
    ) -> Result<Auteurs, ErreurStore> {
        let (mut ids, mut emails) = (Vec::new(), Vec::new());
        for a in acteurs {
            match compte_de(a) {
                (Some(id), _) => ids.push(id),
                (_, Some(e)) => emails.push(e.to_string()),
                _ => {}
            }
        }
        ids.sort_unstable();
        ids.dedup();
        emails.sort_unstable();
        emails.dedup();
        Ok(Auteurs::de(base.noms_des_comptes(&ids, &emails).await?))
    }

    /// From accounts already at hand (id → name and address).
    pub fn de(comptes: std::collections::HashMap<i64, (String, String)>) -> Auteurs {
        let par_email = comptes
            .values()
            .map(|(nom, email)| (email.clone(), nom.clone()))
            .collect();
        Auteurs {
            par_id: comptes,
            par_email,
        }
    }

    /// `acteur` for people: `Marie Dupont (marie@exemple.fr)`,
    /// `Marie Dupont (marie@exemple.fr), jeton d'API n° 7`, and the texts of
    /// [`auteur_lisible`] for the others.
    pub fn lisible(&self, acteur: &str) -> String {
        let personne = |nom: Option<&String>, email: &str| match nom {
            Some(n) if !n.trim().is_empty() => format!("{n} ({email})"),
            _ => email.to_string(),
        };
        let mut morceaux = acteur.splitn(3, ':');
        match (morceaux.next(), morceaux.next(), morceaux.next()) {
            (Some("utilisateur"), Some(id), Some(email)) => {
                match id.parse().ok().and_then(|i: i64| self.par_id.get(&i)) {
                    Some((nom, actuel)) => personne(Some(nom), actuel),
                    None => email.to_string(),
                }
            }
            (Some("jeton"), Some(id), Some(email)) => format!(
                "{}, jeton d'API n° {id}",
                personne(self.par_email.get(email), email)
            ),
            (Some("proconnect"), _, _) => "ProConnect (première connexion)".into(),
            (Some("cli"), Some(qui), None) => format!("ligne de commande ({qui})"),
            (Some("demo"), None, None) => "données de démonstration".into(),
            (Some("systeme"), None, None) => "Pacte (mise à jour du référentiel)".into(),
            _ => acteur.to_string(),
        }
    }
}

/// A stored timestamp for tables, in Paris time: `23/11/2026 à 5 h 17`; any other text as is.
pub fn date_heure(horodatage: &str) -> String {
    pacte_core::temps::horodatage_court(horodatage)
}

/// The habilitation of a stored account. A role or scope that no longer makes sense (a
/// territory removed from the list) gives no rights rather than an error.
pub fn habilitation_du_compte(u: &pacte_store::comptes::Utilisateur) -> Habilitation {
    lire_habilitation(&u.role, &u.perimetre).unwrap_or_else(|e| {
        tracing::warn!(compte = u.id, "habilitation illisible ({e}) ; aucun droit");
        Habilitation::aucune()
    })
}

/// The message of a contract that does not exist, or that the user may not see: the same
/// words, so that the answer does not tell them apart.
pub fn contrat_introuvable(id: i64) -> ErreurWeb {
    ErreurWeb::introuvable(format!("Le contrat n° {id} n'existe pas."))
}

impl Utilisateur {
    fn depuis(compte: pacte_store::comptes::Utilisateur, acces: Acces) -> Utilisateur {
        crate::app::traces::noter_compte(compte.id);
        Utilisateur {
            habilitation: habilitation_du_compte(&compte),
            compte,
            acces,
        }
    }

    /// The actor recorded in the audit log for this user's writes.
    pub fn acteur(&self) -> String {
        match &self.acces {
            Acces::Session { .. } => format!("utilisateur:{}:{}", self.compte.id, self.compte.email),
            Acces::Jeton { id } => format!("jeton:{id}:{}", self.compte.email),
        }
    }

    /// The CSRF token of the session (empty for an API token).
    pub fn csrf(&self) -> &str {
        match &self.acces {
            Acces::Session { csrf, .. } => csrf,
            Acces::Jeton { .. } => "",
        }
    }

    pub fn decider(&self, action: Action, cible: &Cible) -> Decision {
        decider(&self.habilitation, action, cible)
    }

    pub fn peut(&self, action: Action, cible: &Cible) -> bool {
        self.decider(action, cible) == Decision::Autorise
    }

    /// Whether a page offers the control of `action` on contract `c` (a button, a link, a
    /// form): the user may do it (`decider`) and the contract's state allows it
    /// (`etat_apres`). The handler behind the control checks both again.
    pub fn propose(&self, action: Action, c: &pacte_core::Contrat) -> bool {
        propose(&self.habilitation, action, c)
    }

    /// The target of creating a contract, by the form or from a file: a draft of the user's
    /// own collectivity (the national scope covers any collectivity).
    pub fn cible_creation(&self) -> Cible {
        let collectivite = match self.habilitation.perimetre() {
            Perimetre::Collectivite(c) => c.clone(),
            _ => String::new(),
        };
        Cible::Contrat {
            collectivite,
            etat: pacte_core::contrat::EtatContrat::Brouillon,
        }
    }

    /// Whether the user may create a contract at all (the « Nouveau contrat » and import
    /// controls).
    pub fn cree(&self) -> bool {
        self.peut(Action::Importer, &self.cible_creation())
    }

    /// R-ACT-03: a derogation for an action outside the référentiel is granted by the
    /// commissaire, on the fiche's derogation page (or its API route). Whoever else writes a
    /// fiche keeps the stored derogation: `apres` must equal `avant` unless the user may grant
    /// derogations on the contract (`c`); otherwise 403 naming the fiche and the rule.
    pub fn exiger_derogation_gardee(
        &self,
        c: &pacte_core::Contrat,
        numero: impl std::fmt::Display,
        avant: Option<&pacte_core::contrat::Derogation>,
        apres: Option<&pacte_core::contrat::Derogation>,
    ) -> Result<(), ErreurWeb> {
        if avant == apres || self.peut(Action::AccorderDerogation, &Cible::contrat(c)) {
            return Ok(());
        }
        Err(ErreurWeb {
            statut: StatusCode::FORBIDDEN,
            code: "interdit",
            message: format!(
                "Fiche {numero} : la dérogation pour une action hors référentiel est accordée par le ou la commissaire à la lutte contre la pauvreté, sur la page de dérogation de la fiche (R-ACT-03) ; elle ne peut être ni ajoutée, ni modifiée, ni retirée ici. Renvoyez la dérogation enregistrée telle quelle."
            ),
            champ: Some(format!("fiches[{numero}].derogation")),
        })
    }

    /// A contract created from a file or the API may carry derogations only when it is a
    /// reprise — the user may import contracts past the draft, asserting decisions taken before
    /// Pacte (the national administrator) — or when the user grants derogations themself.
    pub fn exiger_derogations_importables(&self, c: &pacte_core::Contrat) -> Result<(), ErreurWeb> {
        let reprise = self.peut(
            Action::Importer,
            &Cible::Contrat {
                collectivite: c.contrat.collectivite.clone(),
                etat: pacte_core::contrat::EtatContrat::Valide,
            },
        );
        if reprise {
            return Ok(());
        }
        for f in &c.fiches {
            self.exiger_derogation_gardee(c, f.numero, None, f.derogation.as_ref())?;
        }
        Ok(())
    }

    /// Whether the user may read the contract of `collectivite` at `etat` (lists).
    pub fn lit(&self, collectivite: &str, etat: pacte_core::contrat::EtatContrat) -> bool {
        self.peut(
            Action::Lire,
            &Cible::Contrat {
                collectivite: collectivite.to_string(),
                etat,
            },
        )
    }

    /// `Ok` if the user may do `action` on `cible`: 403 `interdit` otherwise, or 404 when the
    /// target is to stay hidden.
    pub fn exiger(&self, action: Action, cible: &Cible) -> Result<(), ErreurWeb> {
        match self.decider(action, cible) {
            Decision::Autorise => Ok(()),
            Decision::Interdit => Err(ErreurWeb::interdit(format!(
                "Action refusée : {}.",
                self.habilitation.refus(action)
            ))),
            Decision::Masque => Err(ErreurWeb::introuvable(
                "Cette adresse ne correspond à aucune page de Pacte.",
            )),
        }
    }

    /// Contract `id`, if the user may do `action` on it. A contract the user may not see
    /// answers exactly as a contract that does not exist.
    pub async fn contrat_pour(
        &self,
        etat: &Etat,
        id: i64,
        action: Action,
    ) -> Result<ContratStocke, ErreurWeb> {
        let c = match etat.base.contrat(id).await {
            Ok(c) => c,
            Err(ErreurStore::Introuvable { .. }) => return Err(contrat_introuvable(id)),
            Err(e) => return Err(e.into()),
        };
        match self.decider(action, &Cible::contrat(&c.contrat)) {
            Decision::Autorise => Ok(c),
            Decision::Masque => Err(contrat_introuvable(id)),
            Decision::Interdit => Err(ErreurWeb::interdit(format!(
                "Action refusée : {}.",
                self.habilitation.refus(action)
            ))),
        }
    }
}

/// Whether a page offers `h` the control of `action` on contract `c`: `decider` allows it and
/// the contract's state admits it (`etat_apres`). See [`Utilisateur::propose`].
pub fn propose(h: &Habilitation, action: Action, c: &pacte_core::Contrat) -> bool {
    decider(h, action, &Cible::contrat(c)) == Decision::Autorise
        && pacte_core::droits::etat_apres(action, c.contrat.etat).is_ok()
}

/// The lifecycle action that leads a contract to `etat` (`None` for the draft, which no
/// action leads back to).
pub fn action_vers(etat: pacte_core::contrat::EtatContrat) -> Option<Action> {
    Action::TOUTES
        .into_iter()
        .find(|a| pacte_core::droits::transition(*a).is_some_and(|(_, vers)| vers == etat))
}

/// The value of cookie `nom` in the request's `Cookie` headers.
pub fn cookie(entetes: &HeaderMap, nom: &str) -> Option<String> {
    entetes
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == nom)
        .map(|(_, v)| v.to_string())
}

/// The user of the session named by the request's cookie; `None` when there is none, it has
/// expired or been idle too long (it is then closed).
async fn utilisateur_de_session(etat: &Etat, entetes: &HeaderMap) -> Result<Option<Utilisateur>, ErreurWeb> {
    let Some(secret) = cookie(entetes, COOKIE_SESSION).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let id_hash = empreinte_secret(&secret);
    let ecritures = etat.base.ecritures_locales();
    let ouverte = match etat.sessions.lire(&id_hash, ecritures) {
        Some(s) => s,
        None => {
            let Some(s) = etat.base.session(&id_hash).await? else {
                return Ok(None);
            };
            etat.sessions.garder(&id_hash, ecritures, s.clone());
            s
        }
    };
    let inactive = temps::secondes(&ouverte.session.derniere_activite)
        .is_none_or(|t| temps::maintenant() - t > INACTIVITE_MAX);
    if inactive {
        etat.sessions.oublier(&id_hash);
        etat.base.fermer_session(&id_hash).await?;
        return Ok(None);
    }
    Ok(Some(Utilisateur::depuis(
        ouverte.utilisateur,
        Acces::Session {
            id_hash,
            csrf: ouverte.session.jeton_csrf,
            jeton_id_proconnect: ouverte.session.jeton_id_proconnect,
        },
    )))
}

/// Whether a page path is served without a session.
fn public(chemin: &str) -> bool {
    chemin.starts_with("/statique/") || chemin == "/banc/reference.html"
}

/// The middleware of the pages: resolves the session (made available to the
/// [`Utilisateur`] extractor) and, on every request that may change state, checks the CSRF
/// token sent in the form's `csrf` field (URL-encoded or multipart) against the session's.
/// A request without a session goes on: its handler sends it to the sign-in page. The API
/// is not concerned: it takes no cookie, only Bearer tokens.
pub async fn session_et_csrf(State(etat): State<Etat>, mut requete: Request, next: Next) -> Response {
    let chemin = requete.uri().path();
    if chemin.starts_with(crate::app::PREFIXE_API) || public(chemin) {
        return next.run(requete).await;
    }
    let utilisateur = match utilisateur_de_session(&etat, requete.headers()).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let modifie = !matches!(*requete.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let limite = if envoi_de_document(chemin) {
        TAILLE_ENVOI_MAX
    } else {
        TAILLE_FORMULAIRE_MAX
    };
    if let Some(u) = utilisateur {
        if modifie {
            let (parts, corps) = requete.into_parts();
            let octets = match axum::body::to_bytes(corps, limite).await {
                Ok(o) => o,
                Err(_) => {
                    return ErreurWeb {
                        statut: StatusCode::PAYLOAD_TOO_LARGE,
                        code: "requete",
                        message: format!(
                            "L'envoi dépasse {} Mo : envoyez un fichier plus petit.",
                            limite / (1024 * 1024)
                        ),
                        champ: None,
                    }
                    .into_response();
                }
            };
            let recu = jeton_csrf_envoye(&parts.headers, &octets).await;
            if !recu.is_some_and(|r| egaux(r.as_bytes(), u.csrf().as_bytes())) {
                return ErreurWeb::csrf().into_response();
            }
            requete = Request::from_parts(parts, Body::from(octets));
        }
        requete.extensions_mut().insert(u);
    }
    next.run(requete).await
}

/// The `csrf` field of a form body.
async fn jeton_csrf_envoye(entetes: &HeaderMap, octets: &axum::body::Bytes) -> Option<String> {
    let type_contenu = entetes
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if type_contenu.starts_with("multipart/form-data") {
        // The parser refuses a body over its default limit (2 Mio): the token is looked for in
        // the first 2 Mio, where every form of Pacte sends it (its first field).
        let debut = octets.slice(..octets.len().min(TAILLE_FORMULAIRE_MAX));
        let mut r = Request::new(Body::from(debut));
        r.headers_mut()
            .insert(header::CONTENT_TYPE, entetes.get(header::CONTENT_TYPE)?.clone());
        let mut envoi = Multipart::from_request(r, &()).await.ok()?;
        while let Ok(Some(champ)) = envoi.next_field().await {
            if champ.name() == Some("csrf") {
                return champ.text().await.ok();
            }
        }
        None
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(octets)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v)
    }
}

/// Comparison whose time does not depend on where the inputs differ.
fn egaux(a: &[u8], b: &[u8]) -> bool {
    !b.is_empty() && a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A path safe to return to after sign-in (password or ProConnect): a local path of the
/// application, never another site. Accepted: one leading `/`, then visible ASCII only (no
/// space, tab, line break or control character, which browsers drop or reject — `/\t/hote`
/// is read as `//hote`), no `//` and no backslash in the path (`/\hote` is read as `//hote`),
/// and the whole text a valid URI path and query, so that it makes a valid `Location`.
/// Anything else gives `None` (the caller goes to `/`).
pub fn retour_local(retour: &str) -> Option<&str> {
    let chemin = retour.split(['?', '#']).next().unwrap_or_default();
    let local = retour.starts_with('/')
        && retour.chars().all(|c| c.is_ascii_graphic())
        && !chemin.contains("//")
        && !chemin.contains('\\')
        && retour
            .parse::<axum::http::uri::PathAndQuery>()
            .is_ok_and(|p| p.as_str() == retour);
    local.then_some(retour)
}

/// The page user: from the session resolved by [`session_et_csrf`]. Without one, the
/// request is sent to the sign-in page, which brings the user back afterwards.
impl FromRequestParts<Etat> for Utilisateur {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _etat: &Etat) -> Result<Utilisateur, Response> {
        if let Some(u) = parts.extensions.get::<Utilisateur>() {
            return Ok(u.clone());
        }
        let ici = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        // After sign-in the user comes back with a GET: a form posted without a session goes
        // back to the page itself rather than to the form's target.
        let retour = if parts.method == Method::GET { ici } else { "/" };
        let cible = format!("/connexion?retour={}", encoder(retour));
        Err(Redirect::to(&cible).into_response())
    }
}

/// The API client: from `Authorization: Bearer <jeton>`. Without a valid token: 401
/// `non_authentifie`.
#[derive(Debug, Clone)]
pub struct ClientApi(pub Utilisateur);

impl FromRequestParts<Etat> for ClientApi {
    type Rejection = ErreurApi;

    async fn from_request_parts(parts: &mut Parts, etat: &Etat) -> Result<ClientApi, ErreurApi> {
        let jeton = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|j| !j.is_empty())
            .ok_or_else(non_authentifie)?;
        let valide = etat
            .base
            .jeton_par_hash(&empreinte_secret(jeton))
            .await?
            .ok_or_else(non_authentifie)?;
        Ok(ClientApi(Utilisateur::depuis(
            valide.utilisateur,
            Acces::Jeton { id: valide.jeton.id },
        )))
    }
}

fn non_authentifie() -> ErreurApi {
    ErreurApi(ErreurWeb {
        statut: StatusCode::UNAUTHORIZED,
        code: "non_authentifie",
        message: "authentification requise : envoyez un jeton d'API valide dans l'en-tête « Authorization: Bearer <jeton> » (jetons créés sur la page « Mes jetons d'API »)".into(),
        champ: None,
    })
}

/// Percent-encoding of a query value.
pub fn encoder(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What the layout shows of the signed-in user, made here so that `ui` needs nothing of the
/// accounts.
impl crate::ui::Visiteur {
    /// Whether the page offers the control of `action` on contract `c` (rights and state; see
    /// `Utilisateur::propose`).
    pub fn propose(&self, action: pacte_core::droits::Action, c: &pacte_core::Contrat) -> bool {
        propose(&self.droits, action, c)
    }

    pub fn de(u: &Utilisateur) -> crate::ui::Visiteur {
        crate::ui::Visiteur {
            nom: u.compte.nom.clone(),
            habilitation: format!(
                "{}, {}",
                u.habilitation.role().libelle(),
                u.habilitation.perimetre()
            ),
            csrf: u.csrf().to_string(),
            droits: u.habilitation.clone(),
            mot_de_passe: u.compte.hash_mot_de_passe.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noms_auteurs_et_dates() {
        assert_eq!(auteur_lisible("utilisateur:3:a@b.fr"), "a@b.fr");
        assert_eq!(auteur_lisible("jeton:7:a@b.fr"), "a@b.fr, jeton d'API n° 7");
        assert_eq!(
            auteur_lisible("proconnect:abc-123"),
            "ProConnect (première connexion)"
        );
        assert_eq!(auteur_lisible("cli:marie"), "ligne de commande (marie)");
        assert_eq!(auteur_lisible("demo"), "données de démonstration");
        assert_eq!(auteur_lisible("inconnu:x"), "inconnu:x");
        // 04:17 UTC in November is 5 h 17 in Paris (UTC+1).
        assert_eq!(date_heure("2026-11-23T04:17:03.123Z"), "23/11/2026 à 5 h 17");
        let auteurs = Auteurs::de([(3, ("Marie Dupont".to_string(), "marie@b.fr".to_string()))].into());
        assert_eq!(
            auteurs.lisible("utilisateur:3:a@b.fr"),
            "Marie Dupont (marie@b.fr)"
        );
        assert_eq!(auteurs.lisible("utilisateur:4:x@b.fr"), "x@b.fr");
        assert_eq!(
            auteurs.lisible("jeton:7:marie@b.fr"),
            "Marie Dupont (marie@b.fr), jeton d'API n° 7"
        );
        assert_eq!(date_heure("hier"), "hier");
    }

    #[test]
    fn retours() {
        assert_eq!(retour_local("/contrats/3?x=1"), Some("/contrats/3?x=1"));
        assert_eq!(retour_local("//exemple.fr"), None);
        assert_eq!(retour_local("https://exemple.fr"), None);
        assert_eq!(retour_local("/\\exemple.fr"), None);
        // Browsers drop tabs and line breaks from a URL: `/\t/hote` would be `//hote`.
        for refuse in [
            "/\t/127.0.0.2:18999/",
            "/\n/exemple.fr",
            "/\u{1}",
            "/ /exemple.fr",
            "/contrats//exemple.fr",
            "/a\\b",
            "/é",
            "",
            "contrats",
            "javascript:alert(1)",
            "/\u{7f}",
        ] {
            assert_eq!(retour_local(refuse), None, "{refuse:?}");
        }
        assert_eq!(retour_local("/contrats?retour=//x"), Some("/contrats?retour=//x"));
        assert_eq!(retour_local("/"), Some("/"));
        assert!(egaux(b"abc", b"abc") && !egaux(b"abc", b"abd") && !egaux(b"", b""));
    }
}
