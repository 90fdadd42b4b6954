//! The « Finances » page of a contract (issue 12): per year, the three annexe 10 tables as
//! HTML, the findings of the execution rules, and each table as a file (XLSX, ODS, CSV); the
//! same table as JSON in the API (`GET /api/v1/contrats/{id}/tableaux/{table}/{annee}`, in
//! integer cents, as `pacte tableau --format json`).
//!
//! Nothing is computed here: the tables come from `pacte_core::tableau::feuille`, the findings
//! from `pacte_core::regles::execution::verifier_execution`, the files from `pacte_tableurs`.

pub mod bilan;
pub mod formulaires;
pub mod saisie;
pub mod tableau_de_bord;
pub mod vues;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use pacte_core::Contrat;
use pacte_core::droits::Action;
use pacte_core::execution::{Execution, situation};
use pacte_core::tableau::{Feuille, TypeTableau, annee_admise, feuille, feuille_depuis};
use pacte_core::{Annee, Montant};
use pacte_tableurs::FormatTableur;

use crate::contrats::edition::{id_contrat, page_contrat};
use crate::ui::Page;
use crate::ui::formulaire::ConstatVu;
use crate::{ErreurApi, ErreurWeb, Etat, Utilisateur};

/// A table as the page shows it: headers, rows of formatted amounts, notes, file links.
pub struct TableauVu {
    pub titre: String,
    pub entetes: Vec<String>,
    /// (label, cells, is a subtotal or total row).
    pub lignes: Vec<(String, Vec<String>, bool)>,
    pub notes: Vec<String>,
    /// (format label, link).
    pub fichiers: Vec<(&'static str, String)>,
}

pub struct AnneeVue {
    pub annee: u16,
    pub tableaux: Vec<TableauVu>,
}

#[derive(Template)]
#[template(path = "finances.html")]
struct PageFinances {
    page: Page,
    collectivite: String,
    annees: Vec<AnneeVue>,
    constats: Vec<ConstatVu>,
    version: i64,
    /// The collectivity's editor may upload its Bilan (rights and state).
    deposer_bilan: bool,
    /// The collectivity's realised amounts form.
    realisation: Option<formulaires::FormulaireVu>,
    /// The State services' forms (notifications, payment, avenant, carry-over).
    formulaires_etat: Vec<formulaires::FormulaireVu>,
    /// The message of a refused submission, shown at the top with a link to its form.
    erreur: Option<(String, String)>,
    axes: Vec<vues::AxeVu>,
    series: Vec<&'static str>,
    versements: Vec<Vec<String>>,
    avenants: Vec<vues::AvenantVu>,
    reductions: Vec<vues::ReductionVue>,
    propositions: Vec<vues::PropositionVue>,
    reversement: (Vec<Vec<String>>, Vec<String>),
    id: i64,
    /// The years with an avenant (its documents are offered, issue 14).
    annees_avenant: Vec<u16>,
}

fn cellules(valeurs: &[Montant]) -> Vec<String> {
    valeurs.iter().map(ToString::to_string).collect()
}

fn vue_tableau(id: i64, f: &Feuille) -> TableauVu {
    let mut entetes = vec!["Fiche action".to_string()];
    if f.colonne_chorus {
        entetes.push("Imputation Chorus".into());
    }
    entetes.extend(f.colonnes.iter().map(|c| c.entete()));
    let mut lignes = Vec::new();
    for b in &f.blocs {
        for l in &b.lignes {
            let mut c = Vec::new();
            if f.colonne_chorus {
                c.push(l.chorus.clone().unwrap_or_default());
            }
            c.extend(cellules(&l.valeurs));
            lignes.push((format!("{} — {}", l.numero, l.intitule), c, false));
        }
        let mut c = Vec::new();
        if f.colonne_chorus {
            c.push(String::new());
        }
        c.extend(cellules(&b.sous_total));
        lignes.push((format!("Sous-total — {}", b.libelle), c, true));
    }
    let mut c = Vec::new();
    if f.colonne_chorus {
        c.push(String::new());
    }
    c.extend(cellules(&f.totaux));
    lignes.push(("Totaux financiers".into(), c, true));
    TableauVu {
        titre: f.titre.clone(),
        entetes,
        lignes,
        notes: f.notes.clone(),
        fichiers: FormatTableur::TOUS
            .into_iter()
            .map(|fmt| {
                (
                    libelle_format(fmt),
                    format!(
                        "/contrats/{id}/tableaux/{}/{}/{}",
                        f.type_tableau.code(),
                        f.annee,
                        fmt.extension()
                    ),
                )
            })
            .collect(),
    }
}

fn libelle_format(f: FormatTableur) -> &'static str {
    match f {
        FormatTableur::Xlsx => "XLSX",
        FormatTableur::Ods => "ODS",
        FormatTableur::Csv => "CSV",
    }
}

/// Every table of every year it exists for, from one computed situation.
fn annees(id: i64, contrat: &Contrat, execution: &Execution) -> Vec<AnneeVue> {
    let s = situation(contrat, execution);
    Annee::TOUTES
        .into_iter()
        .map(|a| AnneeVue {
            annee: a.valeur(),
            tableaux: TypeTableau::TOUS
                .into_iter()
                .filter(|t| annee_admise(*t, a).is_ok())
                .map(|t| vue_tableau(id, &feuille_depuis(contrat, execution, &s, t, a)))
                .collect(),
        })
        .collect()
}

/// Whether `u` may take `action` on contract `c` now (rights and state).
fn permis(u: &Utilisateur, c: &Contrat, action: Action) -> bool {
    u.peut(action, &pacte_core::droits::Cible::contrat(c))
        && pacte_core::droits::etat_apres(action, c.contrat.etat).is_ok()
}

/// `GET /contrats/{id}/finances`: whoever may read the contract.
pub async fn page(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path(id): Path<String>,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    rendre_page(&etat, &u, id, None).await
}

/// The page, with a refused submission's input and message when there is one (then with the
/// submission's status: 422 or 409).
pub(crate) async fn rendre_page(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    saisie: Option<formulaires::Saisie>,
) -> Result<Response, ErreurWeb> {
    let c = u.contrat_pour(etat, id, Action::Lire).await?;
    let e = etat.base.execution(id).await?;
    let entete = &c.contrat.contrat;
    let constats = pacte_core::regles::execution::verifier_execution(&c.contrat, &e.execution)
        .iter()
        .map(|k| ConstatVu::new(k, id, false))
        .collect();
    let s = saisie.as_ref();
    let collectivite_saisit = permis(u, &c.contrat, Action::DeclarerRealisations);
    let etat_saisit = permis(u, &c.contrat, Action::EnregistrerFinancesEtat);
    let situation = situation(&c.contrat, &e.execution);
    let p = PageFinances {
        page: page_contrat(etat, "Finances", Some(id), Some(entete)),
        collectivite: entete.nom_collectivite(),
        annees: annees(id, &c.contrat, &e.execution),
        constats,
        version: e.tampon.version,
        deposer_bilan: collectivite_saisit,
        realisation: collectivite_saisit
            .then(|| formulaires::formulaire_realisation(id, &c.contrat, &e.execution, s)),
        formulaires_etat: if etat_saisit {
            formulaires::formulaires_etat(id, &c.contrat, &e.execution, s)
        } else {
            Vec::new()
        },
        erreur: s.map(|s| (s.erreur.message.clone(), s.formulaire.clone())),
        axes: vues::axes(&c.contrat, &situation),
        series: vues::SERIES.iter().map(|(n, _)| *n).collect(),
        versements: vues::versements(&e.execution),
        avenants: vues::avenants(id, &c.contrat, &e.execution),
        reductions: vues::reductions(id, &c.contrat, &e.execution, etat_saisit, collectivite_saisit, s),
        propositions: vues::propositions(id, &e.execution, etat_saisit, s),
        reversement: vues::reversement(&c.contrat, &e.execution, &situation),
        id,
        annees_avenant: e.execution.avenants.iter().map(|a| a.annee.valeur()).collect(),
    };
    let statut = s.map_or(axum::http::StatusCode::OK, |s| s.erreur.statut);
    Ok((statut, crate::ui::rendre(&p)?).into_response())
}

/// The table and year of an address, or a French 404 naming what is wrong.
fn table_et_annee(table: &str, annee: &str) -> Result<(TypeTableau, Annee), ErreurWeb> {
    let t = TypeTableau::depuis_code(table).ok_or_else(|| {
        ErreurWeb::introuvable(format!(
            "Tableau « {table} » inconnu : previsionnel, bilan ou recapitulatif."
        ))
    })?;
    let a = annee
        .parse::<i64>()
        .ok()
        .and_then(|a| Annee::new(a).ok())
        .ok_or_else(|| {
            ErreurWeb::introuvable(format!("Année « {annee} » hors du contrat : de 2024 à 2027."))
        })?;
    annee_admise(t, a).map_err(|m| ErreurWeb::introuvable(format!("Ce tableau n'existe pas : {m}.")))?;
    Ok((t, a))
}

/// The table `table` of year `annee` of contract `id`, for `u` who must be able to read it.
async fn feuille_pour(
    etat: &Etat,
    u: &Utilisateur,
    id: i64,
    table: &str,
    annee: &str,
) -> Result<(Feuille, String), ErreurWeb> {
    let c = u.contrat_pour(etat, id, Action::Lire).await?;
    let (t, a) = table_et_annee(table, annee)?;
    let e = etat.base.execution(id).await?;
    let f = feuille(&c.contrat, &e.execution, t, a).map_err(ErreurWeb::introuvable)?;
    Ok((f, c.contrat.contrat.collectivite.clone()))
}

/// `GET /contrats/{id}/tableaux/{table}/{annee}/{format}`: the table as a file.
pub async fn telecharger(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, table, annee, format)): Path<(String, String, String, String)>,
) -> Result<Response, ErreurWeb> {
    let id = id_contrat(&id)?;
    let format = FormatTableur::depuis_extension(&format)
        .ok_or_else(|| ErreurWeb::introuvable(format!("Format « {format} » inconnu : xlsx, ods ou csv.")))?;
    let (f, collectivite) = feuille_pour(&etat, &u, id, &table, &annee).await?;
    let octets = pacte_tableurs::exporter(&f, format).map_err(|e| ErreurWeb::interne(e.to_string()))?;
    let nom = pacte_tableurs::nom_fichier(&collectivite, &f, format);
    let mut r = octets.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.type_mime()));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&crate::pieces::disposition(&nom))
            .map_err(|e| ErreurWeb::interne(format!("nom de fichier : {e}")))?,
    );
    Ok(r)
}

/// `GET /api/v1/contrats/{id}/tableaux/{table}/{annee}`: the table as JSON (integer cents).
pub(crate) async fn tableau_api(
    State(etat): State<Etat>,
    crate::comptes::ClientApi(u): crate::comptes::ClientApi,
    Path((id, table, annee)): Path<(String, String, String)>,
) -> Result<Response, ErreurApi> {
    let id = id_contrat(&id)?;
    let (f, _) = feuille_pour(&etat, &u, id, &table, &annee).await?;
    Ok(axum::Json(f).into_response())
}
