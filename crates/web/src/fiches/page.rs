//! The fiche page (`/contrats/{id}/fiches/{numero}`): what a fiche holds, its budget table and
//! its findings.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use pacte_core::contrat::{NatureAction, NumeroFiche};
use pacte_core::referentiel::referentiel;
use pacte_core::{Annee, Contrat, FicheAction, Montant, verifier};

use crate::contrats::edition::{id_contrat, numero_fiche, page_contrat, position};
use crate::fiches::formulaire as ff;
use crate::ui::Page;
use crate::ui::formulaire::{ConstatVu, abrege};
use crate::{ErreurWeb, Etat, Utilisateur};
use pacte_core::droits::Action;

#[derive(Debug, Clone)]
struct LigneBudget {
    annee: String,
    etat: String,
    collectivite: String,
    fse: String,
    autres: String,
    total: String,
    global: String,
    depenses: String,
    renforcee: String,
}

/// A row of a table: a label, a note, a mark and one value per column.
#[derive(Debug, Clone)]
struct LigneTableau {
    libelle: String,
    precision: String,
    marque: bool,
    montants: Vec<String>,
}

/// The fiche page's button to the derogation page (R-ACT-03).
#[derive(Debug, Clone)]
struct BoutonDerogation {
    libelle: &'static str,
    /// The fiche is out of the référentiel without a derogation (R-ACT-02): the main button.
    principal: bool,
}

#[derive(Template)]
#[template(path = "fiche.html")]
struct PageFiche {
    page: Page,
    contrat_id: i64,
    collectivite: String,
    numero: String,
    f: FicheAction,
    axe_numero: u8,
    axe: String,
    /// The user may edit the fiche (« Modifier la fiche »).
    modifier: bool,
    /// Offered to whoever may grant the derogation (the commissaire of the region).
    bouton_derogation: Option<BoutonDerogation>,
    /// R-ACT-02: out of the référentiel and no derogation.
    sans_derogation: bool,
    /// What was just recorded.
    notice: Option<&'static str>,
    /// The documents attached to this fiche, and whether the user may attach one.
    documents: Vec<crate::pieces::PieceVue>,
    joindre: bool,
    taille_max: &'static str,
    types: &'static str,
    sous_axe: String,
    type_action: String,
    nature: Option<&'static str>,
    mode: &'static str,
    public: Option<&'static str>,
    fin: Option<String>,
    renforcee: bool,
    annees: Vec<String>,
    budget: Vec<LigneBudget>,
    cofinanceurs: Vec<LigneTableau>,
    depenses: Vec<LigneTableau>,
    indicateurs: Vec<LigneTableau>,
    nationaux: Vec<LigneTableau>,
    nationaux_manquants: String,
    constats: Vec<ConstatVu>,
    nb_bloquants: usize,
}

fn montant_ou_tiret(m: Option<&Montant>) -> String {
    m.map(Montant::to_string).unwrap_or_else(|| "—".into())
}

fn valeur_ou_tiret<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

/// The findings of fiche `numero` among those of its contract.
/// `modifiable`: the reader may change the contract (the links then go to the fiche form).
pub(crate) fn constats_fiche(
    contrat: &Contrat,
    numero: NumeroFiche,
    id: i64,
    modifiable: bool,
) -> Vec<ConstatVu> {
    verifier(contrat)
        .iter()
        .filter(|k| k.cible.fiche_concernee() == Some(numero))
        .map(|k| ConstatVu::new(k, id, modifiable))
        .collect()
}

/// A fiche's axis, sub-axis and action type in words, as the fiche and derogation pages show
/// them.
pub(crate) fn rattachement(f: &FicheAction) -> (String, String, String) {
    let r = referentiel();
    let axe = r.axe(f.axe());
    let sous_axe = match (ff::place(f), &f.sous_axe) {
        (Some(p), _) => format!("{} — {}", p.sous_axe.code, p.sous_axe.intitule),
        (None, Some(s)) => format!("« {s} » (inconnu du référentiel)"),
        (None, None) => "non renseigné".into(),
    };
    let type_action = match f.type_action.as_deref() {
        Some(t) => match r.type_action(t) {
            Some((_, ta)) => format!("{} — {} ({})", ta.id, ta.intitule, ta.statut.libelle()),
            None => format!("« {t} » (inconnu du référentiel)"),
        },
        None => "non renseigné".into(),
    };
    (
        format!("Axe {} — {}", axe.code, axe.intitule),
        sous_axe,
        type_action,
    )
}

/// The notice of the fiche page after a derogation was recorded (`?derogation=…`).
fn notice_derogation(requete: &Option<String>) -> Option<&'static str> {
    let q = requete.as_deref()?;
    if q.split('&').any(|p| p == "derogation=accordee") {
        Some("Dérogation enregistrée. Les constats de la fiche sont recalculés.")
    } else if q.split('&').any(|p| p == "derogation=retiree") {
        Some("Dérogation retirée. Les constats de la fiche sont recalculés.")
    } else {
        None
    }
}

pub async fn fiche(
    State(etat): State<Etat>,
    u: Utilisateur,
    Path((id, numero)): Path<(String, String)>,
    RawQuery(requete): RawQuery,
) -> Result<Response, ErreurWeb> {
    let etat = etat.pour(&u);
    let id = id_contrat(&id)?;
    let numero = numero_fiche(&numero)?;
    let c = u.contrat_pour(&etat, id, Action::Lire).await?;
    let f = c.contrat.fiches[position(&c, numero)?].clone();
    let r = referentiel();
    let place = ff::place(&f);
    let (axe, sous_axe, type_action) = rattachement(&f);
    let fin_ = &f.financement;
    let parts = f.renforcement.as_ref().map(|r| &r.part_renforcee);
    let mut budget: Vec<LigneBudget> = Annee::TOUTES
        .iter()
        .map(|a| LigneBudget {
            annee: a.to_string(),
            etat: fin_.etat(*a).to_string(),
            collectivite: fin_.collectivite(*a).to_string(),
            fse: fin_.fse_plus(*a).to_string(),
            autres: fin_.autres(*a).to_string(),
            total: fin_.total(*a).to_string(),
            global: montant_ou_tiret(f.budget_global.get(a)),
            depenses: f.depenses(*a).to_string(),
            renforcee: montant_ou_tiret(parts.and_then(|p| p.get(a))),
        })
        .collect();
    let somme = |g: &dyn Fn(Annee) -> Montant| -> String {
        Annee::TOUTES.iter().map(|a| g(*a)).sum::<Montant>().to_string()
    };
    budget.push(LigneBudget {
        annee: "Total 2024-2027".into(),
        etat: somme(&|a| fin_.etat(a)),
        collectivite: somme(&|a| fin_.collectivite(a)),
        fse: somme(&|a| fin_.fse_plus(a)),
        autres: somme(&|a| fin_.autres(a)),
        total: somme(&|a| fin_.total(a)),
        global: if f.budget_global.is_empty() {
            "—".into()
        } else {
            f.budget_global.values().sum::<Montant>().to_string()
        },
        depenses: somme(&|a| f.depenses(a)),
        renforcee: parts
            .map(|p| p.values().sum::<Montant>().to_string())
            .unwrap_or_else(|| "—".into()),
    });
    let par_annee = |m: &pacte_core::contrat::ParAnnee<Montant>| -> Vec<String> {
        Annee::TOUTES.iter().map(|a| montant_ou_tiret(m.get(a))).collect()
    };
    let cofinanceurs = fin_
        .autres
        .iter()
        .map(|c| LigneTableau {
            libelle: c.nom.clone(),
            precision: String::new(),
            marque: c.cee,
            montants: par_annee(&c.montants),
        })
        .collect();
    let depenses = f
        .depenses
        .iter()
        .map(|d| LigneTableau {
            libelle: d.poste.clone(),
            precision: if d.nature == pacte_core::contrat::NatureDepense::Investissement {
                "investissement".into()
            } else {
                String::new()
            },
            marque: d.evaluation,
            montants: par_annee(&d.montants),
        })
        .collect();
    let indicateurs = f
        .indicateurs
        .iter()
        .map(|i| {
            let mut v = vec![valeur_ou_tiret(i.t0)];
            v.extend(Annee::TOUTES.iter().map(|a| valeur_ou_tiret(i.cibles.get(a))));
            v.push(valeur_ou_tiret(i.cible_finale));
            LigneTableau {
                libelle: i.libelle.clone(),
                precision: i.unite.clone().unwrap_or_default(),
                marque: false,
                montants: v,
            }
        })
        .collect();
    let nationaux = f
        .indicateurs_nationaux
        .iter()
        .map(|t| {
            let mut v = vec![valeur_ou_tiret(t.t0)];
            v.extend(Annee::TOUTES.iter().map(|a| valeur_ou_tiret(t.cibles.get(a))));
            LigneTableau {
                libelle: t.code.clone(),
                precision: r
                    .indicateur(&t.code)
                    .map(|n| abrege(&n.libelle, 140))
                    .unwrap_or_else(|| "inconnu de l'annexe 6".into()),
                marque: false,
                montants: v,
            }
        })
        .collect();
    let manquants: Vec<String> = place
        .map(|p| {
            p.sous_axe
                .indicateurs_nationaux
                .iter()
                .filter(|code| {
                    !f.indicateurs_nationaux
                        .iter()
                        .any(|t| t.code.trim() == code.as_str())
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let modifiable = u.propose(Action::Modifier, &c.contrat);
    let constats = constats_fiche(&c.contrat, numero, id, modifiable);
    let entete = &c.contrat.contrat;
    let page = page_contrat(&etat, format!("Fiche {numero}"), Some(id), Some(entete))
        .ariane(format!("Fiche {numero}"), None);
    // The controls the user may use, from the same decision as their handlers.
    let sans_derogation = constats.iter().any(|k| k.code == "R-ACT-02") && f.derogation.is_none();
    // Offered only where a derogation has a meaning: a fiche outside the référentiel, or one
    // that carries a derogation (to change or withdraw it).
    let derogation = ((f.hors_referentiel || f.derogation.is_some())
        && u.propose(Action::AccorderDerogation, &c.contrat))
    .then(|| BoutonDerogation {
        libelle: if f.derogation.is_some() {
            "Modifier la dérogation"
        } else {
            "Accorder une dérogation"
        },
        principal: sans_derogation,
    });
    let fiche_id = c.fiches[position(&c, numero)?].id;
    let documents = crate::pieces::pieces_vues(&etat, id)
        .await?
        .into_iter()
        .filter(|p| p.fiche_id == Some(fiche_id))
        .collect();
    crate::ui::rendre(&PageFiche {
        documents,
        joindre: crate::pieces::peut_joindre(&u, &c.contrat),
        taille_max: pacte_store::pieces::TAILLE_MAX_LIBELLE,
        types: pacte_store::pieces::TYPES_ACCEPTES,
        page,
        contrat_id: id,
        collectivite: entete.nom_collectivite(),
        numero: numero.to_string(),
        axe_numero: f.axe().numero(),
        axe,
        modifier: modifiable,
        bouton_derogation: derogation,
        sans_derogation,
        notice: notice_derogation(&requete),
        sous_axe,
        type_action,
        nature: f.nature.map(NatureAction::libelle),
        mode: match f.mode_execution {
            Some(pacte_core::contrat::ModeExecution::Subvention) => "subvention",
            Some(pacte_core::contrat::ModeExecution::Marche) => "marché public",
            Some(pacte_core::contrat::ModeExecution::Regie) => "régie",
            None => "non renseigné",
        },
        public: f.public_mobilite.map(|p| match p {
            pacte_core::contrat::PublicMobilite::BrsaDemandeursEmploi => {
                "bénéficiaires du RSA et demandeurs d'emploi (axe 2)"
            }
            pacte_core::contrat::PublicMobilite::TousPublics => "tous publics en précarité mobilité (axe 4)",
        }),
        fin: f.fin().map(|d| d.to_string()),
        renforcee: f.nature == Some(NatureAction::Renforcee) || f.renforcement.is_some(),
        annees: Annee::TOUTES.iter().map(ToString::to_string).collect(),
        budget,
        cofinanceurs,
        depenses,
        indicateurs,
        nationaux,
        nationaux_manquants: manquants.join(", "),
        nb_bloquants: constats.iter().filter(|k| k.bloquant).count(),
        constats,
        f,
    })
}
