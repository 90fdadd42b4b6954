//! The contract list (`/contrats`) and the rows it shares with the dashboard, the territories
//! page and the API list: scoped and paged in SQL, findings counts kept per revision.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use pacte_core::contrat::EtatContrat;
use pacte_core::{Gravite, verifier};
use pacte_store::Base;
use serde::Deserialize;

use pacte_core::collation;
use pacte_store::recherche::FiltreContrats as FiltreBase;

use crate::ui::pagination::{Pagination, lire_page};
use crate::ui::{
    BadgeEtat, Page, code_etat, compter, etat_depuis_code, horodatage, nature_collectivite, rendre,
};
use crate::{ErreurWeb, Etat, Utilisateur};

/// One contract with what the list and the dashboard show of it.
#[derive(Debug, Clone)]
pub struct LigneContrat {
    pub id: i64,
    /// Code of the collectivity (SIREN or COG code).
    pub code_collectivite: String,
    pub collectivite: String,
    pub nature: String,
    pub etat: EtatContrat,
    pub badge: BadgeEtat,
    pub fiches: usize,
    pub bloquants: usize,
    pub alertes: usize,
    /// Last change of the header or of a fiche (ISO timestamp).
    pub modifie_le_iso: String,
    pub modifie_le: String,
}

/// The contracts `u` may read, one page of them (`par_page = None`: all), optionally of one
/// state, and how many there are on all pages: filtered and paged in SQL by the reader's scope
/// (`Base::contrats_lisibles`), headers only. The findings counts are kept per contract revision
/// (`Base::enregistrer_synthese`): only a contract written since its count was made is read in
/// full and checked again.
pub(crate) async fn lignes_contrats(
    base: &Base,
    u: &Utilisateur,
    etat: Option<EtatContrat>,
    page: u32,
    par_page: Option<u32>,
) -> Result<(Vec<LigneContrat>, i64), ErreurWeb> {
    let liste = base
        .contrats_lisibles(&u.habilitation.portee_lecture(), etat, page, par_page)
        .await?;
    let mut lignes = Vec::with_capacity(liste.lignes.len());
    for l in liste.lignes {
        let (bloquants, alertes) = constats_de(base, &l).await?;
        lignes.push(LigneContrat {
            id: l.id,
            code_collectivite: l.collectivite.clone(),
            collectivite: l.entete.nom_collectivite(),
            nature: nature_collectivite(&l.entete),
            etat: l.etat,
            badge: BadgeEtat::new(l.etat),
            fiches: l.fiches as usize,
            bloquants,
            alertes,
            modifie_le: horodatage(&l.derniere_modification),
            modifie_le_iso: l.derniere_modification,
        });
    }
    Ok((lignes, liste.total))
}

/// The findings counts (blocking, warnings) of a listed contract: the ones kept for its
/// revision, else computed from the rules on the stored contract and kept.
pub(crate) async fn constats_de(
    base: &Base,
    l: &pacte_store::sommes::LigneContrat,
) -> Result<(usize, usize), ErreurWeb> {
    if let Some((b, a)) = l.constats {
        return Ok((b as usize, a as usize));
    }
    let id = l.id;
    let (stocke, revision) = base.contrat_et_revision(id).await?;
    let constats = verifier(&stocke.contrat);
    let bloquants = compter(&constats, Gravite::Bloquant);
    let alertes = compter(&constats, Gravite::Alerte);
    base.enregistrer_synthese(id, revision, bloquants as i64, alertes as i64)
        .await?;
    Ok((bloquants, alertes))
}

// ---------------------------------------------------------------------------------------
// Contract list
// ---------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct FiltreContrats {
    pub etat: Option<String>,
    /// Search on the collectivity's name (accents and case aside).
    #[serde(default)]
    pub q: String,
    /// Region code.
    #[serde(default)]
    pub region: String,
    /// Département code.
    #[serde(default)]
    pub departement: String,
    /// `bloquants` (with blocking findings) or `sans` (without).
    #[serde(default)]
    pub constats: String,
    /// `attendue`: a fiche outside the référentiel awaits its derogation.
    #[serde(default)]
    pub derogation: String,
    /// Page of the list, from 1.
    #[serde(default)]
    pub page: String,
}

/// Longest search accepted, in characters.
const RECHERCHE_MAX: usize = 100;

/// The filter form of the list: what was chosen, and the options, in French order.
#[derive(Debug, Clone, Default)]
pub struct Filtres {
    pub q: String,
    pub etat: String,
    pub region: String,
    pub departement: String,
    pub constats: String,
    pub derogation: bool,
    /// (code, label) of the states, regions and départements offered.
    pub etats: Vec<(String, String)>,
    pub regions: Vec<(String, String)>,
    pub departements: Vec<(String, String)>,
    /// Some filter beyond the state is set.
    pub actif: bool,
}

impl Filtres {
    /// The query string of these filters (without the page).
    fn requete(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("etat", &self.etat),
            ("region", &self.region),
            ("departement", &self.departement),
            ("constats", &self.constats),
        ] {
            if !v.is_empty() {
                q.push((k, v.clone()));
            }
        }
        if self.derogation {
            q.push(("derogation", "attendue".into()));
        }
        q
    }
}

/// An option of a filter: (code, label).
type OptionFiltre = (String, String);

/// The regions and départements offered by the filters, sorted in French order (« Ain »
/// before « Aisne », « Île-de-France » among the I).
fn options_territoires() -> (Vec<OptionFiltre>, Vec<OptionFiltre>) {
    let t = pacte_core::territoires::territoires();
    let mut regions: Vec<(String, String)> = t
        .regions
        .iter()
        .map(|r| (r.code.clone(), r.nom.clone()))
        .collect();
    collation::trier_par(&mut regions, |r| &r.1);
    let mut departements: Vec<(String, String)> = t
        .departements
        .iter()
        .map(|d| (d.code.clone(), format!("{} ({})", d.nom, d.code)))
        .collect();
    collation::trier_par(&mut departements, |d| &d.1);
    (regions, departements)
}

/// The codes of the collectivities whose name contains `recherche` (French collation).
fn collectivites_cherchees(recherche: &str) -> Vec<String> {
    pacte_core::territoires::territoires()
        .collectivites
        .iter()
        .filter(|c| collation::contient(&c.nom, recherche) || c.code == recherche.trim())
        .map(|c| c.code.clone())
        .collect()
}

/// Contracts per page of the list.
pub(crate) const PAR_PAGE: u32 = 50;

#[derive(Template)]
#[template(path = "contrats.html")]
pub struct PageContrats {
    pub page: Page,
    pub contrats: Vec<LigneContrat>,
    /// The state the list is filtered on.
    pub filtre: Option<BadgeEtat>,
    pub total: usize,
    pub legende: String,
    /// The user may create or import a contract (« Créer un contrat », the import form).
    pub creer: bool,
    /// The largest contract file accepted, in megabytes (announced beside the upload field).
    pub taille_max: usize,
    pub filtres: Filtres,
    pub pagination: Pagination,
}

pub async fn contrats(
    State(etat): State<Etat>,
    u: Utilisateur,
    Query(filtre): Query<FiltreContrats>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let etat_choisi = match filtre.etat.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(etat_depuis_code(code).ok_or_else(|| {
            ErreurWeb::requete(format!(
                "L'état « {code} » n'existe pas : les états sont {}.",
                EtatContrat::TOUS.map(code_etat).join(", ")
            ))
        })?),
    };
    let numero = u32::try_from(lire_page(&filtre.page)?).unwrap_or(u32::MAX);
    let (regions, departements) = options_territoires();
    let choisi = |v: &str, options: &[(String, String)], quoi: &str| -> Result<Option<String>, ErreurWeb> {
        match v.trim() {
            "" => Ok(None),
            v if options.iter().any(|(c, _)| c == v) => Ok(Some(v.to_string())),
            v => Err(ErreurWeb::requete(format!(
                "{quoi} « {} » n'existe pas : choisissez-la dans la liste.",
                crate::ui::formulaire::abrege(v, 20)
            ))),
        }
    };
    let q = filtre.q.trim();
    if q.chars().count() > RECHERCHE_MAX {
        return Err(ErreurWeb::requete(format!(
            "La recherche est trop longue : {RECHERCHE_MAX} caractères au plus."
        )));
    }
    let bloquants = match filtre.constats.trim() {
        "" => None,
        "bloquants" => Some(true),
        "sans" => Some(false),
        _ => {
            return Err(ErreurWeb::requete(
                "Le filtre « constats » vaut « bloquants » ou « sans ».",
            ));
        }
    };
    let f = FiltreBase {
        etat: etat_choisi,
        region: choisi(&filtre.region, &regions, "La région")?,
        departement: choisi(&filtre.departement, &departements, "Le département")?,
        collectivites: (!q.is_empty()).then(|| collectivites_cherchees(q)),
        bloquants,
        derogation_attendue: filtre.derogation.trim() == "attendue",
    };
    let portee = u.habilitation.portee_lecture();
    if f.bloquants.is_some() {
        // The findings filter reads the counts kept per revision: count the contracts whose
        // count is missing or stale first (once per revision).
        let tous = etat.base.contrats_lisibles(&portee, etat_choisi, 1, None).await?;
        for l in tous.lignes.iter().filter(|l| l.constats.is_none()) {
            constats_de(&etat.base, l).await?;
        }
    }
    let page_base = etat
        .base
        .contrats_filtres(&portee, &f, numero, Some(PAR_PAGE))
        .await?;
    let trouves = page_base.total;
    let mut contrats = Vec::with_capacity(page_base.lignes.len());
    for l in page_base.lignes {
        let (bloquants, alertes) = constats_de(&etat.base, &l).await?;
        contrats.push(LigneContrat {
            id: l.id,
            code_collectivite: l.collectivite.clone(),
            collectivite: l.entete.nom_collectivite(),
            nature: nature_collectivite(&l.entete),
            etat: l.etat,
            badge: BadgeEtat::new(l.etat),
            fiches: l.fiches as usize,
            bloquants,
            alertes,
            modifie_le: horodatage(&l.derniere_modification),
            modifie_le_iso: l.derniere_modification,
        });
    }
    let actif = f != FiltreBase::default();
    let total = if actif {
        etat.base.nombre_contrats_lisibles(&portee, None).await?
    } else {
        trouves
    };
    let legende = match (etat_choisi, actif) {
        (Some(e), _) => format!("Contrats à l'état « {} » ({trouves} sur {total})", e.libelle()),
        (None, true) => format!("Contrats trouvés ({trouves} sur {total})"),
        (None, false) => format!("Contrats enregistrés ({total})"),
    };
    let filtres = Filtres {
        q: q.to_string(),
        etat: etat_choisi.map(code_etat).unwrap_or_default(),
        region: f.region.clone().unwrap_or_default(),
        departement: f.departement.clone().unwrap_or_default(),
        constats: filtre.constats.trim().to_string(),
        derogation: f.derogation_attendue,
        etats: EtatContrat::TOUS
            .iter()
            .map(|e| (code_etat(*e), e.libelle().to_string()))
            .collect(),
        regions,
        departements,
        actif: f.region.is_some()
            || f.departement.is_some()
            || f.collectivites.is_some()
            || f.bloquants.is_some()
            || f.derogation_attendue,
    };
    let requete = filtres.requete();
    let lien = |n: i64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &requete {
            s.append_pair(k, v);
        }
        s.append_pair("page", &n.to_string());
        format!("/contrats?{}", s.finish())
    };
    let page = PageContrats {
        page: Page::new(&etat, "Contrats", "/contrats").ariane("Contrats", None),
        contrats,
        filtre: etat_choisi.map(BadgeEtat::new),
        total: total as usize,
        legende,
        creer: u.cree(),
        taille_max: crate::comptes::TAILLE_FORMULAIRE_MAX / (1024 * 1024),
        filtres,
        pagination: Pagination::new(
            "Pagination de la liste des contrats",
            i64::from(numero),
            trouves,
            i64::from(PAR_PAGE),
            lien,
        ),
    };
    rendre(&page)
}
