//! Read pages: dashboard, référentiel, territories, contract list, contract page.
//!
//! Handlers load what they show, compute the findings with `pacte_core::verifier` and build
//! small view structs: templates only lay out ready-made text.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use pacte_core::contrat::{EnTete, EtatContrat};
use pacte_core::droits::{Action, Cible};
use pacte_core::financement;
use pacte_core::referentiel::IndicateurNational;
use pacte_core::regles::{TypeContrat, type_contrat};
use pacte_core::territoires::{Eligibilite, NatureCollectivite, Territoires};
use pacte_core::{Annee, CibleConstat, Constat, Gravite, Montant, verifier};
use pacte_store::Base;
use serde::Deserialize;

use super::pagination::{Pagination, lire_page};
use super::{Page, lien_constat, rendre};
use crate::{ErreurWeb, Etat, Utilisateur};

/// Machine name of a state, as in contract files and forms (`en_execution`).
pub fn code_etat(etat: EtatContrat) -> String {
    etat.code().to_string()
}

/// Reads a state from its machine name.
fn etat_depuis_code(code: &str) -> Option<EtatContrat> {
    EtatContrat::depuis_code(code)
}

/// DSFR badge classes of a state.
fn classe_etat(etat: EtatContrat) -> &'static str {
    match etat {
        EtatContrat::Brouillon | EtatContrat::Clos => "",
        EtatContrat::Negociation => "fr-badge--yellow-tournesol",
        EtatContrat::Valide => "fr-badge--blue-cumulus",
        EtatContrat::Delibere => "fr-badge--purple-glycine",
        EtatContrat::Signe => "fr-badge--green-emeraude",
        EtatContrat::EnExecution => "fr-badge--success fr-badge--no-icon",
        EtatContrat::Evalue => "fr-badge--info fr-badge--no-icon",
        EtatContrat::Denonce => "fr-badge--error fr-badge--no-icon",
    }
}

/// A state ready to show as a badge.
#[derive(Debug, Clone)]
pub struct BadgeEtat {
    pub code: String,
    pub libelle: &'static str,
    pub classe: &'static str,
}

impl BadgeEtat {
    fn new(etat: EtatContrat) -> BadgeEtat {
        BadgeEtat {
            code: code_etat(etat),
            libelle: etat.libelle(),
            classe: classe_etat(etat),
        }
    }
}

/// The label of the button that takes a contract to `etat`.
fn libelle_etape(etat: EtatContrat) -> &'static str {
    match etat {
        EtatContrat::Brouillon => "Revenir au brouillon",
        EtatContrat::Negociation => "Passer en négociation",
        EtatContrat::Valide => "Valider le contrat",
        EtatContrat::Delibere => "Enregistrer la délibération",
        EtatContrat::Signe => "Enregistrer la signature",
        EtatContrat::EnExecution => "Passer en exécution",
        EtatContrat::Evalue => "Enregistrer l'évaluation à mi-parcours",
        EtatContrat::Clos => "Clore le contrat",
        EtatContrat::Denonce => "Enregistrer la dénonciation",
    }
}

/// What is awaited from a contract in `etat`, for the dashboard.
fn attente(etat: EtatContrat) -> Option<&'static str> {
    match etat {
        EtatContrat::Negociation => Some("à valider"),
        EtatContrat::Valide => Some("délibération attendue"),
        EtatContrat::Delibere => Some("signature attendue"),
        _ => None,
    }
}

/// The HTML id of a national indicator on the référentiel page: `NI-1.1` → `ni-1-1`.
pub fn ancre_indicateur(code: &str) -> String {
    code.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn reperes() -> &'static Territoires {
    pacte_core::territoires::territoires()
}

fn nature_collectivite(entete: &EnTete) -> String {
    match reperes().collectivite(&entete.collectivite) {
        Some(c) => c.nature.libelle().to_string(),
        None => match &entete.ami {
            Some(ami) => match ami.nature {
                pacte_core::contrat::NatureAmi::CommunauteAgglomeration => {
                    "communauté d'agglomération (AMI national)".into()
                }
                pacte_core::contrat::NatureAmi::CommunauteUrbaine => {
                    "communauté urbaine (AMI national)".into()
                }
            },
            None => "collectivité hors de la liste des collectivités éligibles".into(),
        },
    }
}

/// A stored timestamp (`2026-11-23T04:17:03.123Z`) in French, Paris time: `23/11/2026 à 5 h 17`.
fn horodatage(iso: &str) -> String {
    pacte_core::temps::horodatage_court(iso)
}

fn pluriel(n: usize, singulier: &str, pluriel: &str) -> String {
    if n > 1 {
        format!("{n} {pluriel}")
    } else {
        format!("{n} {singulier}")
    }
}

fn compter(constats: &[Constat], gravite: Gravite) -> usize {
    constats.iter().filter(|c| c.gravite == gravite).count()
}

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
async fn lignes_contrats(
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
        let (bloquants, alertes) = match l.constats {
            Some((b, a)) => (b as usize, a as usize),
            None => compter_constats(base, l.id).await?,
        };
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

/// The findings counts (blocking, warnings) of contract `id`, computed from the rules on the
/// stored contract and kept for its revision.
pub(crate) async fn compter_constats(base: &Base, id: i64) -> Result<(usize, usize), ErreurWeb> {
    let (stocke, revision) = base.contrat_et_revision(id).await?;
    let constats = verifier(&stocke.contrat);
    let bloquants = compter(&constats, Gravite::Bloquant);
    let alertes = compter(&constats, Gravite::Alerte);
    base.enregistrer_synthese(id, revision, bloquants as i64, alertes as i64)
        .await?;
    Ok((bloquants, alertes))
}

// ---------------------------------------------------------------------------------------
// Dashboard
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct CompteEtat {
    pub badge: BadgeEtat,
    pub nombre: usize,
}

#[derive(Template)]
#[template(path = "accueil.html")]
pub struct PageAccueil {
    pub page: Page,
    pub total: usize,
    pub total_texte: String,
    pub par_etat: Vec<CompteEtat>,
    pub bloquants: usize,
    pub alertes: usize,
    pub contrats_bloques: usize,
    /// Contracts with blocking findings, most first.
    pub plus_bloques: Vec<LigneContrat>,
    /// Contracts awaiting the next step of their lifecycle, with what is awaited.
    pub en_attente: Vec<(LigneContrat, &'static str)>,
    /// The user may create or import a contract.
    pub creer: bool,
    /// For whoever manages the accounts: « 2 comptes en attente d'habilitation ».
    pub habilitations_en_attente: Option<String>,
    /// The user may read the audit log: a quick link to it.
    pub journal: bool,
}

/// The dashboard of an account with no rights yet.
#[derive(Template)]
#[template(path = "accueil_sans_droit.html")]
pub struct PageSansDroit {
    pub page: Page,
    pub email: String,
}

pub async fn accueil(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    if u.habilitation.role() == pacte_core::droits::Role::Aucun {
        return rendre(&PageSansDroit {
            page: Page::new(&etat, "Tableau de bord", "/"),
            email: u.compte.email.clone(),
        });
    }
    let habilitations_en_attente = if u.peut(Action::GererUtilisateurs, &Cible::Utilisateurs) {
        let n = super::administration::comptes_en_attente(&etat).await?;
        Some(super::administration::texte_en_attente(n))
    } else {
        None
    };
    let (lignes, _) = lignes_contrats(&etat.base, &u, None, 1, None).await?;
    let par_etat = EtatContrat::TOUS
        .iter()
        .map(|e| CompteEtat {
            badge: BadgeEtat::new(*e),
            nombre: lignes.iter().filter(|l| l.etat == *e).count(),
        })
        .collect();
    let mut plus_bloques: Vec<LigneContrat> = lignes.iter().filter(|l| l.bloquants > 0).cloned().collect();
    plus_bloques.sort_by(|a, b| b.bloquants.cmp(&a.bloquants).then(a.id.cmp(&b.id)));
    let en_attente = lignes
        .iter()
        .filter_map(|l| attente(l.etat).map(|a| (l.clone(), a)))
        .collect();
    let page = PageAccueil {
        page: Page::new(&etat, "Tableau de bord", "/"),
        total: lignes.len(),
        total_texte: pluriel(lignes.len(), "contrat", "contrats"),
        par_etat,
        bloquants: lignes.iter().map(|l| l.bloquants).sum(),
        alertes: lignes.iter().map(|l| l.alertes).sum(),
        contrats_bloques: plus_bloques.len(),
        plus_bloques,
        en_attente,
        creer: u.cree(),
        habilitations_en_attente,
        journal: u.peut(Action::LireJournalAudit, &Cible::Journal),
    };
    rendre(&page)
}

// ---------------------------------------------------------------------------------------
// Référentiel
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct TypeActionVue {
    pub id: String,
    pub intitule: String,
    pub statut: &'static str,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SousAxeVue {
    pub uid: String,
    /// HTML id: `A1-1.1` → `sous-axe-a1-1-1`.
    pub ancre: String,
    pub code: String,
    /// « Volet I : Soutien à la parentalité… », when the sub-axis belongs to a volet.
    pub volet: Option<String>,
    pub intitule: String,
    pub notes: Vec<String>,
    pub exclusions: Vec<String>,
    /// (code, anchor) of the national indicators attached to the sub-axis.
    pub indicateurs: Vec<(String, String)>,
    pub types_action: Vec<TypeActionVue>,
}

#[derive(Debug, Clone)]
pub struct IndicateurVue {
    pub code: String,
    pub ancre: String,
    pub libelle: String,
    pub libelle_referentiel: Option<String>,
    pub sous_axes: Vec<String>,
    pub types_action: Vec<String>,
    pub unite: String,
    pub periode: String,
    pub regles: Vec<String>,
    pub exclusions: Vec<String>,
    pub dedoublonnage: String,
    pub estimations: String,
    pub ventilations: Vec<String>,
    pub notes: Vec<String>,
    pub source: String,
}

impl IndicateurVue {
    fn new(ni: &IndicateurNational) -> IndicateurVue {
        IndicateurVue {
            code: ni.code.clone(),
            ancre: ancre_indicateur(&ni.code),
            libelle: ni.libelle.clone(),
            libelle_referentiel: ni.libelle_referentiel.clone(),
            sous_axes: ni.sous_axes.clone(),
            types_action: ni.types_action.clone(),
            unite: ni.unite.clone(),
            periode: ni.periode.clone(),
            regles: ni.regles_decompte.clone(),
            exclusions: ni.exclusions.clone(),
            dedoublonnage: ni.dedoublonnage.clone(),
            estimations: ni.estimations.clone(),
            ventilations: ni.ventilations.clone(),
            notes: ni.notes.clone(),
            source: ni.source.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AxeReferentielVue {
    pub numero: u8,
    pub intitule: String,
    pub annexe: String,
    pub notes: Vec<String>,
    pub sous_axes: Vec<SousAxeVue>,
    pub indicateurs: Vec<IndicateurVue>,
    pub nombre_types: usize,
}

#[derive(Template)]
#[template(path = "referentiel.html")]
pub struct PageReferentiel {
    pub page: Page,
    pub version: String,
    pub axes: Vec<AxeReferentielVue>,
    pub resume: String,
}

pub async fn referentiel(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    u.exiger(Action::LireReferentiel, &Cible::Referentiel)?;
    let etat = etat.pour(&u);
    let r = pacte_core::referentiel::referentiel();
    let axes: Vec<AxeReferentielVue> = r
        .axes
        .iter()
        .map(|axe| {
            let sous_axes: Vec<SousAxeVue> =
                axe.sous_axes
                    .iter()
                    .map(|sa| SousAxeVue {
                        uid: sa.uid.clone(),
                        ancre: format!("sous-axe-{}", ancre_indicateur(&sa.uid)),
                        code: sa.code.clone(),
                        volet: sa.volet.as_ref().map(|code| {
                            match axe.volets.iter().find(|v| &v.code == code) {
                                Some(v) => format!("{} {} : {}", majuscule(&v.nature), v.code, v.intitule),
                                None => format!("Volet {code}"),
                            }
                        }),
                        intitule: sa.intitule.clone(),
                        notes: sa.notes.clone(),
                        exclusions: sa.exclusions.clone(),
                        indicateurs: sa
                            .indicateurs_nationaux
                            .iter()
                            .map(|c| (c.clone(), ancre_indicateur(c)))
                            .collect(),
                        types_action: sa
                            .types_action
                            .iter()
                            .map(|t| TypeActionVue {
                                id: t.id.clone(),
                                intitule: t.intitule.clone(),
                                statut: t.statut.libelle(),
                                note: t.note.clone(),
                            })
                            .collect(),
                    })
                    .collect();
            AxeReferentielVue {
                numero: axe.code,
                intitule: axe.intitule.clone(),
                annexe: axe.annexe.clone(),
                notes: axe.notes.clone(),
                nombre_types: sous_axes.iter().map(|s| s.types_action.len()).sum(),
                sous_axes,
                indicateurs: r
                    .indicateurs_nationaux
                    .iter()
                    .filter(|ni| ni.axe == axe.code)
                    .map(IndicateurVue::new)
                    .collect(),
            }
        })
        .collect();
    let n_sous_axes: usize = axes.iter().map(|a| a.sous_axes.len()).sum();
    let n_types: usize = axes.iter().map(|a| a.nombre_types).sum();
    let resume = format!(
        "{} axes, {n_sous_axes} sous-axes, {n_types} types d'action et {} indicateurs nationaux.",
        axes.len(),
        r.indicateurs_nationaux.len()
    );
    let page = PageReferentiel {
        page: Page::new(&etat, "Référentiel national", "/referentiel").ariane("Référentiel", None),
        version: r.version.clone(),
        axes,
        resume,
    };
    rendre(&page)
}

fn majuscule(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(p) => p.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------
// Territories
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct ContratLie {
    pub id: i64,
    pub badge: BadgeEtat,
}

#[derive(Debug, Clone)]
pub struct CollectiviteVue {
    pub nom: String,
    pub nature: &'static str,
    /// Why the collectivity may sign, when it is not simply the département's.
    pub eligibilite: Option<&'static str>,
    pub contrats: Vec<ContratLie>,
}

#[derive(Debug, Clone)]
pub struct DepartementVue {
    pub code: String,
    pub nom: String,
    pub collectivites: Vec<CollectiviteVue>,
}

#[derive(Debug, Clone)]
pub struct RegionVue {
    pub code: String,
    pub nom: String,
    pub ancre: String,
    pub departements: Vec<DepartementVue>,
    pub resume: String,
}

#[derive(Template)]
#[template(path = "territoires.html")]
pub struct PageTerritoires {
    pub page: Page,
    pub resume: String,
    pub regions: Vec<RegionVue>,
    /// Contracts of collectivities outside the list (AMI selection).
    pub hors_liste: Vec<LigneContrat>,
}

/// Sort key for French names: accented letters sort with their base letter (Île-de-France
/// between Hauts-de-France and Normandie).
fn cle_alphabetique(nom: &str) -> String {
    nom.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            autre => autre,
        })
        .collect()
}

/// Sort key for COG codes: Corsica's 2A and 2B sit between 19 and 21, overseas after 95.
fn rang_cog(code: &str) -> (u32, String) {
    match code {
        "2A" | "2B" => (20, code.to_string()),
        _ => (code.parse().unwrap_or(u32::MAX), code.to_string()),
    }
}

fn libelle_eligibilite(e: Eligibilite) -> Option<&'static str> {
    match e {
        Eligibilite::Calpae => Some("ancien signataire CALPAE"),
        Eligibilite::VilleDeMarseille => Some("éligible au titre de la Ville de Marseille"),
        Eligibilite::Departement => None,
    }
}

pub async fn territoires(State(etat): State<Etat>, u: Utilisateur) -> Result<Response, ErreurWeb> {
    u.exiger(Action::LireReferentiel, &Cible::Referentiel)?;
    let etat = etat.pour(&u);
    let t = pacte_core::territoires::territoires();
    let mut par_collectivite: BTreeMap<String, Vec<ContratLie>> = BTreeMap::new();
    let mut hors_liste = Vec::new();
    let (lignes, _) = lignes_contrats(&etat.base, &u, None, 1, None).await?;
    for ligne in &lignes {
        if t.collectivite(&ligne.code_collectivite).is_some() {
            par_collectivite
                .entry(ligne.code_collectivite.clone())
                .or_default()
                .push(ContratLie {
                    id: ligne.id,
                    badge: ligne.badge.clone(),
                });
        } else {
            hors_liste.push(ligne.clone());
        }
    }
    let mut regions: Vec<RegionVue> = t
        .regions
        .iter()
        .map(|r| {
            let mut departements: Vec<DepartementVue> = t
                .departements
                .iter()
                .filter(|d| d.region == r.code)
                .map(|d| {
                    let mut du_departement: Vec<_> = t
                        .collectivites
                        .iter()
                        .filter(|c| c.departement == d.code)
                        .collect();
                    // The département's own collectivity first, then the others.
                    du_departement.sort_by_key(|c| c.nature != NatureCollectivite::Departement);
                    let collectivites = du_departement
                        .into_iter()
                        .map(|c| CollectiviteVue {
                            nom: c.nom.clone(),
                            nature: c.nature.libelle(),
                            eligibilite: libelle_eligibilite(c.eligibilite),
                            contrats: par_collectivite.get(&c.code).cloned().unwrap_or_default(),
                        })
                        .collect();
                    DepartementVue {
                        code: d.code.clone(),
                        nom: d.nom.clone(),
                        collectivites,
                    }
                })
                .collect();
            departements.sort_by_key(|d| rang_cog(&d.code));
            let n_coll: usize = departements.iter().map(|d| d.collectivites.len()).sum();
            let n_contrats: usize = departements
                .iter()
                .flat_map(|d| &d.collectivites)
                .map(|c| c.contrats.len())
                .sum();
            RegionVue {
                code: r.code.clone(),
                ancre: format!("region-{}", r.code),
                nom: r.nom.clone(),
                resume: format!(
                    "{}, {} éligibles, {}.",
                    pluriel(departements.len(), "département", "départements"),
                    pluriel(n_coll, "collectivité", "collectivités"),
                    pluriel(n_contrats, "contrat", "contrats")
                ),
                departements,
            }
        })
        .collect();
    regions.sort_by_key(|r| cle_alphabetique(&r.nom));
    let nombre = |e: Eligibilite| t.collectivites.iter().filter(|c| c.eligibilite == e).count();
    let epci = nombre(Eligibilite::Calpae);
    let communes = nombre(Eligibilite::VilleDeMarseille);
    let resume = format!(
        "{} régions, {} départements, {} collectivités éligibles : {} collectivités départementales, {epci} EPCI éligibles (anciens signataires CALPAE) et {} ; {} enregistrés.",
        t.regions.len(),
        t.departements.len(),
        t.collectivites.len(),
        nombre(Eligibilite::Departement),
        if communes == 1 {
            "la Ville de Marseille".to_string()
        } else {
            pluriel(communes, "commune", "communes")
        },
        pluriel(lignes.len(), "contrat", "contrats"),
    );
    let page = PageTerritoires {
        page: Page::new(&etat, "Territoires", "/territoires").ariane("Territoires", None),
        resume,
        regions,
        hors_liste,
    };
    rendre(&page)
}

// ---------------------------------------------------------------------------------------
// Contract list
// ---------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct FiltreContrats {
    pub etat: Option<String>,
    /// Page of the list, from 1.
    #[serde(default)]
    pub page: String,
}

/// Contracts per page of the list.
const PAR_PAGE: u32 = 50;

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
    let (contrats, trouves) = lignes_contrats(&etat.base, &u, etat_choisi, numero, Some(PAR_PAGE)).await?;
    let total = match etat_choisi {
        None => trouves,
        Some(_) => lignes_contrats(&etat.base, &u, None, 1, Some(0)).await?.1,
    };
    let legende = match etat_choisi {
        Some(f) => format!("Contrats à l'état « {} » ({trouves} sur {total})", f.libelle()),
        None => format!("Contrats enregistrés ({total})"),
    };
    let lien = |n: i64| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(f) = etat_choisi {
            q.append_pair("etat", &code_etat(f));
        }
        q.append_pair("page", &n.to_string());
        format!("/contrats?{}", q.finish())
    };
    let page = PageContrats {
        page: Page::new(&etat, "Contrats", "/contrats").ariane("Contrats", None),
        contrats,
        filtre: etat_choisi.map(BadgeEtat::new),
        total: total as usize,
        legende,
        creer: u.cree(),
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

// ---------------------------------------------------------------------------------------
// Contract page
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct SignataireVue {
    pub nom: Option<String>,
    pub qualite: String,
    pub organisation: Option<String>,
    pub date: Option<String>,
}

/// One year of an axis: proposed, contracted, 20 % floor.
#[derive(Debug, Clone)]
pub struct AnneeAxe {
    pub annee: Annee,
    pub propose: Option<Montant>,
    pub contractualise: Montant,
    pub plancher: Option<Montant>,
    pub situation: &'static str,
    /// The year is below the floor: shown as an error.
    pub sous_socle: bool,
}

#[derive(Debug, Clone)]
pub struct FicheVue {
    pub numero: String,
    pub intitule: String,
    pub nature: &'static str,
    pub etat_2024: Montant,
    pub collectivite_2024: Montant,
    pub bloquants: usize,
    pub alertes: usize,
}

#[derive(Debug, Clone)]
pub struct AxeContratVue {
    pub numero: u8,
    pub intitule: String,
    pub propose: Option<Montant>,
    pub annees: Vec<AnneeAxe>,
    pub fiches: Vec<FicheVue>,
    /// The axis is not part of this kind of contract but carries fiches or amounts.
    pub hors_contrat: bool,
}

/// One year of the global ceiling.
#[derive(Debug, Clone)]
pub struct AnneePlafond {
    pub annee: Annee,
    pub plafond: Montant,
    pub etat: Montant,
    pub engagement: Option<Montant>,
    pub depasse: bool,
    pub ecart: String,
}

#[derive(Debug, Clone)]
pub struct ConstatVue {
    pub code: &'static str,
    pub bloquant: bool,
    pub gravite: &'static str,
    pub message: String,
    pub source: &'static str,
    pub lien: String,
    pub objet: String,
}

/// A lifecycle step offered on the page.
#[derive(Debug, Clone)]
pub struct Transition {
    pub valeur: String,
    pub libelle: &'static str,
    /// Why the step is not possible yet, when it is not.
    pub empechement: Option<String>,
    /// A step off the main path (the denunciation).
    pub secondaire: bool,
}

#[derive(Template)]
#[template(path = "contrat.html")]
pub struct PageContrat {
    pub page: Page,
    pub id: i64,
    pub version: i64,
    pub titre: String,
    pub collectivite: String,
    pub nature: String,
    pub genre: &'static str,
    pub badge: BadgeEtat,
    pub periode: String,
    pub deliberation: Option<String>,
    pub signataires: Vec<SignataireVue>,
    pub modifie: String,
    pub axes: Vec<AxeContratVue>,
    pub plafonds: Vec<AnneePlafond>,
    /// Axes without a proposed amount: the global ceiling is unknown.
    pub plafond_incomplet: bool,
    pub nombre_fiches: usize,
    pub constats: Vec<ConstatVue>,
    pub bloquants: usize,
    pub alertes: usize,
    pub resume_constats: String,
    /// The steps the user may take from the current state.
    pub transitions: Vec<Transition>,
    /// One of them records the deliberation: its date is asked (R-DOC-05).
    pub deliberation_demandee: bool,
    /// Some step follows the current state (whoever may take it).
    pub etapes_existent: bool,
    /// The user may edit the header and the fiches (« Modifier l'en-tête », « Ajouter une
    /// fiche »).
    pub modifier: bool,
}

/// A field path of the contract file in words: `financement.etat.2024` → « part de l'État,
/// 2024 », `indicateurs[0].t0` → « indicateur local n° 1, situation au 31/12/2023 ».
fn libelle_champ(champ: &str) -> String {
    let segments: Vec<&str> = champ.split('.').filter(|s| !s.is_empty()).collect();
    let mut mots = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let (nom, rang) = match segment.split_once('[') {
            Some((nom, reste)) => (nom, reste.trim_end_matches(']').parse::<usize>().ok()),
            None => (*segment, None),
        };
        let parent = i.checked_sub(1).map(|p| segments[p]);
        let mot = match (parent, nom) {
            // "financement" alone says little when a funder follows.
            (_, "financement") if i + 1 < segments.len() => continue,
            (Some("financement"), "etat") => "part de l'État".to_string(),
            (Some("financement"), "collectivite") => "part de la collectivité".to_string(),
            (Some("montants_proposes"), n) if n.len() == 1 => format!("axe {n}"),
            (_, "etat") => "État".into(),
            (_, "collectivite") => "collectivité".into(),
            (_, "fse_plus") => "dont FSE+".into(),
            (_, "autres") => "autres financeurs".into(),
            (_, "debut") => "date de début".into(),
            (_, "fin") => "date de fin".into(),
            (_, "duree_mois") => "durée en mois".into(),
            (_, "derogation") => "dérogation".into(),
            (_, "diplp_informee") => "information de la DIPLP".into(),
            (_, "depenses") => "dépenses".into(),
            (_, "indicateurs") => "indicateur local".into(),
            (_, "indicateurs_nationaux") => "indicateur national".into(),
            (_, "t0") => "situation au 31/12/2023".into(),
            (_, "cibles") => "cibles".into(),
            (_, "public_mobilite") => "public de l'action de mobilité".into(),
            (_, "reconduction") => "reconduction CALPAE".into(),
            (_, "part_renforcee") => "part renforcée".into(),
            (_, "budget_global") => "budget global".into(),
            (_, "sous_axe") => "sous-axe".into(),
            (_, "type_action") => "type d'action".into(),
            (_, "montants_proposes") => "montant proposé".into(),
            (_, "engagement_etat") => "soutien de l'État (article 2.2)".into(),
            (_, "date_deliberation") => "date de délibération".into(),
            (_, "intitule") => "intitulé".into(),
            (_, "operateur") => "opérateur".into(),
            (_, "mode_execution") => "mode d'exécution".into(),
            (_, "evaluation_impact") => "évaluation d'impact social".into(),
            (_, "ami") => "sélection par l'appel à manifestation d'intérêt".into(),
            (_, autre) => autre.replace('_', " "),
        };
        mots.push(match rang {
            Some(r) => format!("{mot} n° {}", r + 1),
            None => mot,
        });
    }
    mots.join(", ")
}

/// The text of a finding's link: what its target designates. A blocking finding is to be
/// corrected; an alert, to be examined (it may stand with a justification).
fn objet_constat(cible: &CibleConstat, gravite: Gravite) -> String {
    let verbe = match gravite {
        Gravite::Bloquant => "Corriger",
        Gravite::Alerte => "Examiner",
    };
    match cible {
        CibleConstat::Fiche { numero, champ: None } => format!("Voir la fiche {numero}"),
        CibleConstat::Fiche {
            numero,
            champ: Some(champ),
        } => format!("{verbe} la fiche {numero} ({})", libelle_champ(champ)),
        CibleConstat::Axe(axe) => format!("Voir l'axe {}", axe.numero()),
        CibleConstat::Fiches => "Voir les fiches du contrat".into(),
        CibleConstat::EnTete(champ) => format!("{verbe} l'en-tête ({})", libelle_champ(champ)),
    }
}

/// The sentence that introduces the findings of a contract.
fn resume_constats(bloquants: usize, alertes: usize) -> String {
    let b = match bloquants {
        0 => "Aucun constat bloquant".to_string(),
        n => format!(
            "{} (à corriger avant la validation)",
            pluriel(n, "constat bloquant", "constats bloquants")
        ),
    };
    let a = match alertes {
        0 => "aucune alerte".to_string(),
        1 => "1 alerte (admise avec une justification)".to_string(),
        n => format!("{n} alertes (admises avec une justification)"),
    };
    format!("{b} et {a}.")
}

fn lire_id(texte: &str) -> Result<i64, ErreurWeb> {
    texte.trim().parse::<i64>().map_err(|_| {
        ErreurWeb::introuvable(format!(
            "« {texte} » n'est pas un numéro de contrat : l'adresse d'un contrat est /contrats/ suivi de son numéro."
        ))
    })
}

pub async fn contrat(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    let id = lire_id(&id)?;
    let etat = etat.pour(&u);
    // The page of a large contract is the heaviest one: served from the page cache while the
    // data has not changed (see cache.rs). The page depends on the user (the controls their
    // rights allow, the session's CSRF token): it is cached per account, habilitation and
    // session (`cache::cle_par_utilisateur`): a change of rights changes the key. The page shows
    // only the contract, so it is keyed by the contract's revision, which every write to its
    // header or fiches (a change of state included) moves, and only those.
    let cle = crate::cache::cle_par_utilisateur(&format!("contrat/{id}"), &u);
    let revision = etat.pages.revision(&etat.base, id).await?;
    if let Some(html) = revision.and_then(|r| etat.pages.lire(&cle, r)) {
        return Ok(axum::response::IntoResponse::into_response(axum::response::Html(
            html,
        )));
    }
    let html = axum::body::Bytes::from(construire_page_contrat(&etat, &u, id).await?);
    if let Some(r) = revision {
        etat.pages.garder(&cle, r, html.clone());
    }
    Ok(axum::response::IntoResponse::into_response(axum::response::Html(
        html,
    )))
}

async fn construire_page_contrat(etat: &Etat, u: &Utilisateur, id: i64) -> Result<String, ErreurWeb> {
    let stocke = u.contrat_pour(etat, id, Action::Lire).await?;
    let contrat = &stocke.contrat;
    let entete = &contrat.contrat;
    let constats = verifier(contrat);
    let r = pacte_core::referentiel::referentiel();
    let genre = type_contrat(contrat);
    // Ceilings, floors and contracted amounts: the figures R-FIN-03/04 check.
    let finances = financement::par_axe(contrat);

    let axes = finances
        .axes
        .iter()
        .filter(|x| x.present())
        .map(|x| {
            let axe = x.axe;
            let propose = x.reperes.propose;
            let annees = x
                .annees
                .iter()
                .zip(&finances.annees)
                .map(|(a, global)| {
                    let situation = match propose {
                        None => "montant proposé non renseigné",
                        Some(_) if !x.reperes.dans_contrat => "axe hors de ce contrat",
                        Some(_) if a.sous_socle => "sous le socle de 20 %",
                        Some(_) if global.etat.est_nul() => "aucune participation de l'État cette année",
                        Some(p) if a.contractualise > p => "au-delà du montant proposé (fongibilité)",
                        Some(_) => "conforme",
                    };
                    AnneeAxe {
                        annee: a.annee,
                        propose,
                        contractualise: a.contractualise,
                        plancher: x.reperes.socle,
                        situation,
                        sous_socle: a.sous_socle,
                    }
                })
                .collect();
            let premiere = Annee::TOUTES[0];
            let mut de_l_axe: Vec<_> = contrat.fiches.iter().filter(|f| f.axe() == axe).collect();
            de_l_axe.sort_by_key(|f| f.numero);
            let fiches = de_l_axe
                .into_iter()
                .map(|f| {
                    let concernes = constats
                        .iter()
                        .filter(|c| c.cible.fiche_concernee() == Some(f.numero));
                    let (bloquants, alertes) = concernes.fold((0, 0), |(b, a), c| match c.gravite {
                        Gravite::Bloquant => (b + 1, a),
                        Gravite::Alerte => (b, a + 1),
                    });
                    FicheVue {
                        intitule: f.intitule.clone(),
                        nature: f.nature.map_or("non renseignée", |n| n.libelle()),
                        etat_2024: f.financement.etat(premiere),
                        collectivite_2024: f.financement.collectivite(premiere),
                        bloquants,
                        alertes,
                        numero: f.numero.to_string(),
                    }
                })
                .collect();
            AxeContratVue {
                numero: axe.numero(),
                intitule: r.axe(axe).intitule.clone(),
                propose,
                annees,
                fiches,
                hors_contrat: !x.reperes.dans_contrat,
            }
        })
        .collect();

    let plafond_incomplet = !finances.plafond_complet;
    let plafond = finances.plafond_global;
    let plafonds = finances
        .annees
        .iter()
        .map(|a| {
            let ecart = if plafond_incomplet {
                "plafond incomplet".to_string()
            } else if a.depasse {
                format!("dépassement de {}", a.etat - plafond)
            } else {
                format!("marge de {}", plafond - a.etat)
            };
            AnneePlafond {
                annee: a.annee,
                plafond,
                etat: a.etat,
                engagement: entete.engagement_etat.get(&a.annee).copied(),
                depasse: a.depasse,
                ecart,
            }
        })
        .collect();

    let bloquants = compter(&constats, Gravite::Bloquant);
    let alertes = compter(&constats, Gravite::Alerte);
    // Only the steps the user may take from the current state are offered (the same decision
    // as the lifecycle handler's).
    let suivants = crate::pages::formulaire::contrat::etats_suivants(entete.etat);
    let transitions: Vec<Transition> = suivants
        .iter()
        .filter(|suivant| crate::comptes::action_vers(**suivant).is_some_and(|a| u.propose(a, contrat)))
        .map(|&suivant| Transition {
            valeur: code_etat(suivant),
            libelle: libelle_etape(suivant),
            empechement: (crate::pages::formulaire::contrat::exige_conformite(suivant) && bloquants > 0).then(
                || {
                    let reste = pluriel(bloquants, "constat bloquant reste", "constats bloquants restent");
                    if suivant == EtatContrat::Valide {
                        format!(
                            "Le contrat ne peut pas être validé : {reste} à corriger (voir la liste des constats)."
                        )
                    } else {
                        format!(
                            "Le contrat ne peut pas passer à l'étape « {} » : {reste} à corriger (voir la liste des constats).",
                            suivant.libelle()
                        )
                    }
                },
            ),
            secondaire: suivant == EtatContrat::Denonce,
        })
        .collect();
    let modifiable = u.propose(Action::Modifier, contrat);
    let constats_vue = constats
        .iter()
        .map(|c| ConstatVue {
            code: c.code,
            bloquant: c.gravite == Gravite::Bloquant,
            gravite: c.gravite.libelle(),
            message: c.message.clone(),
            source: c.source,
            lien: lien_constat(id, &c.cible, modifiable),
            objet: objet_constat(&c.cible, c.gravite),
        })
        .collect();

    let collectivite = entete.nom_collectivite();
    let titre = entete
        .intitule
        .clone()
        .unwrap_or_else(|| format!("Contrat local des solidarités — {collectivite}"));
    let periode = match (entete.debut, entete.fin) {
        (Some(d), Some(f)) => format!("du {d} au {f}"),
        (Some(d), None) => format!("à partir du {d} (fin non renseignée)"),
        (None, Some(f)) => format!("jusqu'au {f} (début non renseigné)"),
        (None, None) => "non renseignée".into(),
    };
    let modifie = format!(
        "Version {}, modifiée {} par {}.",
        stocke.tampon.version,
        pacte_core::temps::horodatage_lisible(&stocke.tampon.modifie_le),
        crate::comptes::Auteurs::lire(&etat.base, [stocke.tampon.modifie_par.as_str()])
            .await?
            .lisible(&stocke.tampon.modifie_par)
    );
    let page = PageContrat {
        page: Page::new(etat, collectivite.clone(), "/contrats")
            .ariane("Contrats", Some("/contrats".into()))
            .ariane(format!("Contrat n° {id}"), None),
        id,
        version: stocke.tampon.version,
        titre,
        nature: nature_collectivite(entete),
        genre: match genre {
            TypeContrat::Metropole => "contrat de métropole : quatre axes",
            TypeContrat::Departement => "contrat de département : axes 1, 3 et 4",
        },
        badge: BadgeEtat::new(entete.etat),
        periode,
        deliberation: entete.date_deliberation.map(|d| d.to_string()),
        signataires: entete
            .signataires
            .iter()
            .map(|s| SignataireVue {
                nom: s.nom.clone(),
                qualite: s.qualite.clone(),
                organisation: s.organisation.clone(),
                date: s.date_signature.map(|d| d.to_string()),
            })
            .collect(),
        modifie,
        collectivite,
        axes,
        plafonds,
        plafond_incomplet,
        nombre_fiches: contrat.fiches.len(),
        constats: constats_vue,
        bloquants,
        alertes,
        resume_constats: resume_constats(bloquants, alertes),
        deliberation_demandee: transitions
            .iter()
            .any(|t| t.valeur == code_etat(EtatContrat::Delibere) && t.empechement.is_none()),
        etapes_existent: !suivants.is_empty(),
        transitions,
        modifier: modifiable,
    };
    Ok(page.render()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etats_et_ancres() {
        assert_eq!(code_etat(EtatContrat::EnExecution), "en_execution");
        assert_eq!(etat_depuis_code("negociation"), Some(EtatContrat::Negociation));
        assert_eq!(etat_depuis_code("inconnu"), None);
        assert_eq!(ancre_indicateur("NI-1.1"), "ni-1-1");
        assert!(cle_alphabetique("Île-de-France") < cle_alphabetique("Normandie"));
        assert_eq!(horodatage("2026-11-23T04:17:03.123Z"), "23/11/2026 à 5 h 17");
        assert_eq!(
            objet_constat(
                &"fiches[1.2].financement.etat.2024".parse().unwrap(),
                Gravite::Bloquant
            ),
            "Corriger la fiche 1.2 (part de l'État, 2024)"
        );
        assert_eq!(
            objet_constat(
                &"fiches[1.3].indicateurs[0].t0".parse().unwrap(),
                Gravite::Bloquant
            ),
            "Corriger la fiche 1.3 (indicateur local n° 1, situation au 31/12/2023)"
        );
        assert_eq!(
            objet_constat(&"contrat.montants_proposes.4".parse().unwrap(), Gravite::Alerte),
            "Examiner l'en-tête (montant proposé, axe 4)"
        );
        assert_eq!(
            objet_constat(&"fiches[2.1]".parse().unwrap(), Gravite::Bloquant),
            "Voir la fiche 2.1"
        );
        assert_eq!(
            resume_constats(0, 1),
            "Aucun constat bloquant et 1 alerte (admise avec une justification)."
        );
    }
}
