//! The account pages: sign-in, sign-out, password change, API tokens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use pacte_store::comptes::{cle_adresse, cle_compte, empreinte_secret};
use serde::Deserialize;

use super::mot_de_passe::{self, aleatoire};
use super::session::{Adresse, PageConnexion, cookie_session, ouvrir_session};
use super::{Acces, ECHECS_MAX, FENETRE_ECHECS, Utilisateur, retour_local, temps};
use crate::ui::{Page, rendre};
use crate::{ErreurWeb, Etat};

/// The one message of a failed sign-in, whatever the cause: it tells nothing about the
/// account.
pub const ECHEC_CONNEXION: &str =
    "Identifiant ou mot de passe incorrect, ou compte temporairement bloqué après trop d'essais.";

/// Longest life of an API token (days).
pub const JETON_JOURS_MAX: i64 = 365;
/// Most API tokens an account may hold active at once.
pub use pacte_store::comptes::JETONS_ACTIFS_MAX;
/// Longest label of an API token (characters).
pub use pacte_store::comptes::LIBELLE_JETON_MAX;
/// Most tokens listed on « Mes jetons d'API »: the active ones, then the most recent others.
pub const JETONS_AFFICHES: usize = 50;

#[derive(Debug, Deserialize)]
pub struct Retour {
    retour: Option<String>,
}

fn retour_ou_accueil(retour: Option<&str>) -> String {
    retour.and_then(retour_local).unwrap_or("/").to_string()
}

pub async fn page_connexion(
    State(etat): State<Etat>,
    Query(q): Query<Retour>,
) -> Result<Response, ErreurWeb> {
    rendre(&PageConnexion::new(
        &etat,
        String::new(),
        retour_ou_accueil(q.retour.as_deref()),
        None,
    ))
}

#[derive(Debug, Deserialize)]
pub struct FormConnexion {
    #[serde(default)]
    email: String,
    #[serde(default)]
    mot_de_passe: String,
    retour: Option<String>,
}

/// Why a cross-site sign-in is refused.
pub const CONNEXION_EXTERIEURE: &str = "Cette demande de connexion ne provient pas d'une page de Pacte : elle a été refusée. Saisissez votre identifiant et votre mot de passe sur cette page.";

/// Whether a sign-in form was sent from a page of the application itself. A foreign site must
/// not sign a visitor's browser into an account of its choosing (login CSRF), and there is no
/// session yet whose token the form could carry. Browsers tell where a request comes from:
/// `Sec-Fetch-Site` (every current browser) must then be `same-origin`; an older browser sends
/// `Origin` with a cross-site POST, whose host must be the request's `Host` (a reverse proxy
/// must pass `Host` through). A request with neither does not come from a browser page (a
/// script, a command-line client) and goes on.
pub fn meme_origine(entetes: &HeaderMap) -> bool {
    if let Some(site) = entetes.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    let Some(origine) = entetes.get(header::ORIGIN) else {
        return true;
    };
    let hote = entetes.get(header::HOST).and_then(|h| h.to_str().ok());
    let origine = origine
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, h)| h.trim_end_matches('/'));
    matches!((origine, hote), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
}

/// The locks that make a sign-in attempt's count, check and record one step per throttling
/// key: without them, a burst of simultaneous attempts all read the count before any of them
/// is recorded, and the right password gets through after any number of wrong ones. Keys are
/// spread over a fixed set of locks (memory does not grow with the keys tried); two keys that
/// share a lock only wait for each other. They hold within one process, the deployment the
/// README describes; several processes over one base each keep their own.
fn verrous() -> &'static (std::hash::RandomState, Vec<tokio::sync::Mutex<()>>) {
    static VERROUS: std::sync::OnceLock<(std::hash::RandomState, Vec<tokio::sync::Mutex<()>>)> =
        std::sync::OnceLock::new();
    VERROUS.get_or_init(|| {
        (
            std::hash::RandomState::new(),
            (0..256).map(|_| tokio::sync::Mutex::new(())).collect(),
        )
    })
}

/// Takes the locks of the account key and of the address key (in a fixed order, so that two
/// attempts never wait for each other crosswise).
async fn verrouiller(cles: [&str; 2]) -> Vec<tokio::sync::MutexGuard<'static, ()>> {
    use std::hash::BuildHasher;
    let (graine, verrous) = verrous();
    let mut rangs: Vec<usize> = cles
        .iter()
        .map(|c| (graine.hash_one(c) % verrous.len() as u64) as usize)
        .collect();
    rangs.sort_unstable();
    rangs.dedup();
    let mut gardes = Vec::new();
    for r in rangs {
        gardes.push(verrous[r].lock().await);
    }
    gardes
}

/// Longest e-mail address of an account (as `pacte_store::comptes::email_valide` checks).
const EMAIL_MAX: usize = 254;

pub async fn connexion(
    State(etat): State<Etat>,
    Adresse(adresse): Adresse,
    entetes: HeaderMap,
    Form(f): Form<FormConnexion>,
) -> Result<Response, ErreurWeb> {
    let retour = retour_ou_accueil(f.retour.as_deref());
    // What the page shows back and what keys the throttling: no account has a longer address.
    let email: String = f.email.trim().chars().take(EMAIL_MAX).collect();
    let refus = |statut: StatusCode, message: &str| -> Result<Response, ErreurWeb> {
        let p = PageConnexion::new(&etat, email.clone(), retour.clone(), Some(message.into()));
        Ok((statut, axum::response::Html(p.render()?)).into_response())
    };
    if !meme_origine(&entetes) {
        return refus(StatusCode::FORBIDDEN, CONNEXION_EXTERIEURE);
    }
    let (cle_c, cle_a) = (cle_compte(&email), cle_adresse(&adresse));
    // Count, check and record as one step per key (see `verrous`).
    let gardes = verrouiller([&cle_c, &cle_a]).await;
    let maintenant = temps::maintenant();
    let horodatage = temps::iso(maintenant);
    let depuis = temps::iso(maintenant - FENETRE_ECHECS);
    let bloque = etat.base.echecs_recents(&cle_c, &depuis).await? >= ECHECS_MAX
        || etat.base.echecs_recents(&cle_a, &depuis).await? >= ECHECS_MAX;
    let compte = if f.email.trim().chars().count() > EMAIL_MAX {
        None
    } else {
        etat.base.utilisateur_par_email(&email).await?.filter(|u| u.actif)
    };
    let hash = compte.as_ref().and_then(|u| u.hash_mot_de_passe.clone());
    let mot_de_passe = f.mot_de_passe;
    // argon2 takes tens of milliseconds of CPU: on the blocking pool, so that the other
    // requests (static files, pages) do not wait behind a burst of sign-ins.
    let verifie = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => mot_de_passe::verifier(&hash, &mot_de_passe),
        None => {
            mot_de_passe::verifier_a_blanc(&mot_de_passe);
            false
        }
    })
    .await
    .unwrap_or(false);
    let reussie = verifie && !bloque;
    etat.base.noter_tentative(&cle_c, reussie, &horodatage).await?;
    etat.base.noter_tentative(&cle_a, reussie, &horodatage).await?;
    drop(gardes);
    let Some(compte) = compte.filter(|_| reussie) else {
        return refus(StatusCode::UNAUTHORIZED, ECHEC_CONNEXION);
    };
    let secret = ouvrir_session(&etat, compte.id).await?;
    let mut entetes = HeaderMap::new();
    entetes.insert(header::SET_COOKIE, cookie_session(&etat, Some(&secret)));
    Ok((entetes, Redirect::to(&retour)).into_response())
}

#[derive(Template)]
#[template(path = "deconnexion.html")]
struct PageDeconnexion {
    page: Page,
}

/// The sign-out confirmation: the header links here (the header's links are copied by the DSFR
/// into the mobile menu, which a form must not be).
pub async fn page_deconnexion(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    rendre(&PageDeconnexion {
        page: Page::new(&etat, "Se déconnecter", "").ariane("Se déconnecter", None),
    })
}

pub async fn deconnexion(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    let mut jeton_id = None;
    if let Acces::Session {
        id_hash,
        jeton_id_proconnect,
        ..
    } = &u.acces
    {
        etat.sessions.oublier(id_hash);
        etat.base.fermer_session(id_hash).await?;
        jeton_id = jeton_id_proconnect.as_deref();
    }
    // A session opened through ProConnect ends at the provider too (it brings the agent back).
    let vers = super::proconnect::apres_deconnexion(&etat, jeton_id).await;
    let mut entetes = HeaderMap::new();
    entetes.insert(header::SET_COOKIE, cookie_session(&etat, None));
    Ok((entetes, Redirect::to(&vers)).into_response())
}

// ---------------------------------------------------------------------------------------------
// Password

#[derive(Template)]
#[template(path = "mot_de_passe.html")]
struct PageMotDePasse {
    page: Page,
    /// The field at fault ("" when none) and its message.
    champ_en_erreur: &'static str,
    message_erreur: String,
    message: Option<&'static str>,
    /// A ProConnect-only account: why there is no password to change here.
    sans_mot_de_passe: Option<&'static str>,
}

/// Why a ProConnect-only account has no password to change.
const SANS_MOT_DE_PASSE: &str = "Votre compte se connecte par ProConnect : il n'a pas de mot de passe Pacte. Votre mot de passe se gère auprès du fournisseur d'identité de votre administration.";

fn page_mdp(etat: &Etat) -> Page {
    Page::new(etat, "Changer de mot de passe", "").ariane("Mon mot de passe", None)
}

#[derive(Debug, Deserialize)]
pub struct Enregistre {
    enregistre: Option<String>,
}

pub async fn page_mot_de_passe(
    State(etat): State<Etat>,
    u: Utilisateur,
    Query(q): Query<Enregistre>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    rendre(&PageMotDePasse {
        page: page_mdp(&etat),
        champ_en_erreur: "",
        message_erreur: String::new(),
        message: q
            .enregistre
            .is_some()
            .then_some("Mot de passe changé. Vos autres sessions ont été fermées."),
        sans_mot_de_passe: u.compte.hash_mot_de_passe.is_none().then_some(SANS_MOT_DE_PASSE),
    })
}

#[derive(Debug, Deserialize)]
pub struct FormMotDePasse {
    #[serde(default)]
    actuel: String,
    #[serde(default)]
    nouveau: String,
    #[serde(default)]
    confirmation: String,
}

pub async fn changer_mot_de_passe(
    State(etat): State<Etat>,
    u: Utilisateur,
    Form(f): Form<FormMotDePasse>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let refus = |message: String, champ: &'static str| {
        let p = PageMotDePasse {
            page: page_mdp(&etat),
            champ_en_erreur: champ,
            message_erreur: message,
            message: None,
            sans_mot_de_passe: u.compte.hash_mot_de_passe.is_none().then_some(SANS_MOT_DE_PASSE),
        };
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::response::Html(p.render()?),
        )
            .into_response())
    };
    if u.compte.hash_mot_de_passe.is_none() {
        return refus(SANS_MOT_DE_PASSE.into(), "actuel");
    }
    let bon = u
        .compte
        .hash_mot_de_passe
        .as_deref()
        .is_some_and(|h| mot_de_passe::verifier(h, &f.actuel));
    if !bon {
        return refus("Le mot de passe actuel est incorrect.".into(), "actuel");
    }
    if let Some(m) = mot_de_passe::refus_nouveau(&f.nouveau) {
        return refus(m, "nouveau");
    }
    if f.nouveau != f.confirmation {
        return refus(
            "La confirmation ne reprend pas le nouveau mot de passe à l'identique.".into(),
            "confirmation",
        );
    }
    let hash = mot_de_passe::hacher(&f.nouveau, etat.options.cout_hachage);
    etat.base
        .changer_mot_de_passe(u.compte.id, &hash, &u.acteur())
        .await?;
    if let Acces::Session { id_hash, .. } = &u.acces {
        etat.base.fermer_sessions_de(u.compte.id, Some(id_hash)).await?;
        etat.sessions.vider();
    }
    Ok(Redirect::to("/compte/mot-de-passe?enregistre=1").into_response())
}

// ---------------------------------------------------------------------------------------------
// API tokens

#[derive(Debug, Clone)]
struct LigneJeton {
    id: i64,
    libelle: String,
    cree_le: String,
    expire_le: String,
    statut: &'static str,
    actif: bool,
}

#[derive(Template)]
#[template(path = "jetons.html")]
struct PageJetons {
    page: Page,
    jetons: Vec<LigneJeton>,
    /// The token just created: shown this once.
    nouveau: Option<String>,
    /// The field at fault ("" when none) and its message.
    champ_en_erreur: &'static str,
    message_erreur: String,
    libelle: String,
    jours: String,
    /// Older revoked or expired tokens not listed.
    masques: usize,
    libelle_max: usize,
    actifs_max: i64,
}

async fn page_jetons_de(
    etat: &Etat,
    u: &Utilisateur,
    nouveau: Option<String>,
    erreur: Option<(String, &'static str)>,
    libelle: String,
    jours: String,
) -> Result<PageJetons, ErreurWeb> {
    let maintenant = temps::iso(temps::maintenant());
    let jetons = etat
        .base
        .jetons_de(u.compte.id)
        .await?
        .into_iter()
        .rev()
        .map(|j| {
            let (statut, actif) = if j.revoque_le.is_some() {
                ("révoqué", false)
            } else if j.expire_le <= maintenant {
                ("expiré", false)
            } else {
                ("actif", true)
            };
            LigneJeton {
                id: j.id,
                libelle: j.libelle,
                cree_le: pacte_core::Horodatage::lire(&j.cree_le)
                    .map_or(j.cree_le, |h| h.jour_a_paris().to_string()),
                expire_le: pacte_core::Horodatage::lire(&j.expire_le)
                    .map_or(j.expire_le, |h| h.jour_a_paris().to_string()),
                statut,
                actif,
            }
        });
    // Active tokens are bounded (JETONS_ACTIFS_MAX), revoked and expired ones are not: the page
    // lists every active token, then the most recent others up to JETONS_AFFICHES.
    let (mut jetons, inactifs): (Vec<LigneJeton>, Vec<LigneJeton>) = jetons.partition(|j| j.actif);
    let place = JETONS_AFFICHES.saturating_sub(jetons.len());
    let masques = inactifs.len().saturating_sub(place);
    jetons.extend(inactifs.into_iter().take(place));
    Ok(PageJetons {
        page: Page::new(etat, "Mes jetons d'API", "").ariane("Mes jetons d'API", None),
        jetons,
        nouveau,
        champ_en_erreur: erreur.as_ref().map_or("", |e| e.1),
        message_erreur: erreur.map(|e| e.0).unwrap_or_default(),
        libelle,
        jours,
        masques,
        libelle_max: LIBELLE_JETON_MAX,
        actifs_max: JETONS_ACTIFS_MAX,
    })
}

pub async fn page_jetons(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    rendre(&page_jetons_de(&etat, &u, None, None, String::new(), "90".into()).await?)
}

#[derive(Debug, Deserialize)]
pub struct FormJeton {
    #[serde(default)]
    libelle: String,
    #[serde(default)]
    jours: String,
}

pub async fn creer_jeton(
    State(etat): State<Etat>,
    u: Utilisateur,
    Form(f): Form<FormJeton>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let libelle = f.libelle.trim().to_string();
    let longueur = libelle.chars().count();
    let actifs = || async {
        let maintenant = temps::iso(temps::maintenant());
        Ok::<_, ErreurWeb>(
            etat.base
                .jetons_de(u.compte.id)
                .await?
                .iter()
                .filter(|j| j.revoque_le.is_none() && j.expire_le > maintenant)
                .count(),
        )
    };
    let erreur = if libelle.is_empty() {
        Some((
            "Donnez un libellé au jeton (par exemple le nom du logiciel qui l'utilise).".to_string(),
            "libelle",
        ))
    } else if longueur > LIBELLE_JETON_MAX {
        Some((
            format!(
                "Le libellé du jeton est trop long : {longueur} caractères pour {LIBELLE_JETON_MAX} au plus."
            ),
            "libelle",
        ))
    } else if actifs().await? as i64 >= JETONS_ACTIFS_MAX {
        Some((
            format!(
                "Vous avez déjà {JETONS_ACTIFS_MAX} jetons actifs, le maximum : révoquez un jeton dont vous n'avez plus l'usage avant d'en créer un autre."
            ),
            "libelle",
        ))
    } else {
        match f.jours.trim().parse::<i64>() {
            Ok(j) if (1..=JETON_JOURS_MAX).contains(&j) => None,
            _ => Some((
                format!(
                    "La durée de validité est un nombre de jours entre 1 et {JETON_JOURS_MAX} (« {} » reçu).",
                    f.jours.trim().chars().take(20).collect::<String>()
                ),
                "jours",
            )),
        }
    };
    if erreur.is_some() {
        // The typed label is shown back, cut to what the field accepts.
        let libelle = libelle.chars().take(LIBELLE_JETON_MAX).collect();
        let jours = f.jours.chars().take(20).collect();
        let p = page_jetons_de(&etat, &u, None, erreur, libelle, jours).await?;
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::response::Html(p.render()?),
        )
            .into_response());
    }
    let jours: i64 = f.jours.trim().parse().unwrap_or(1);
    let secret = format!("pacte_{}", aleatoire());
    let expire = temps::iso(temps::maintenant() + jours * 86_400);
    etat.base
        .creer_jeton(
            u.compte.id,
            &libelle,
            &empreinte_secret(&secret),
            &expire,
            &u.acteur(),
        )
        .await?;
    let p = page_jetons_de(&etat, &u, Some(secret), None, String::new(), "90".into()).await?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        axum::response::Html(p.render()?),
    )
        .into_response())
}

pub async fn revoquer_jeton(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    let introuvable = || ErreurWeb::introuvable("Ce jeton n'existe pas.");
    let id: i64 = id.trim().parse().map_err(|_| introuvable())?;
    // Only one's own tokens: another account's token answers as a missing one.
    let jetons = etat.base.jetons_de(u.compte.id).await?;
    if !jetons.iter().any(|j| j.id == id) {
        return Err(introuvable());
    }
    etat.base.revoquer_jeton(id, &u.acteur()).await?;
    Ok(Redirect::to("/compte/jetons").into_response())
}
