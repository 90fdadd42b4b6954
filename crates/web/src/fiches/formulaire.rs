//! The fiche action form: every field of a [`FicheAction`], stored values to text and back.

use std::collections::BTreeMap;

use pacte_core::contrat::{
    Cofinanceur, Financement, IndicateurLocal, LigneDepense, ModeExecution, NatureAction, NatureDepense,
    NumeroFiche, ParAnnee, PublicMobilite, Reconduction, Renforcement, TrajectoireNationale,
};
use pacte_core::referentiel::{Place, referentiel};
use pacte_core::regles::Objet;
use pacte_core::totaux::{TotauxAnnee, TotauxFiche, totaux_fiche};
use pacte_core::{Annee, Constat, FicheAction, Montant, Valeur};

use crate::ui::formulaire::{
    Champ, Choix, ErreurChamp, Groupe, GroupeOptions, Lecture, MAX_LIGNES, Placement, Saisie, Vue, abrege,
    nom_serde, options_simples,
};

/// Blank rows offered after the filled ones of each repeated block.
const LIGNES_VIDES: usize = 2;

/// The lines of amounts per year: (name prefix, name used in messages, title of the line).
const LIGNES_FINANCEMENT: [(&str, &str, &str); 4] = [
    ("financement.etat", "État", "Part de l'État (A)"),
    (
        "financement.collectivite",
        "Collectivité",
        "Part de la collectivité (B), FSE+ compris",
    ),
    (
        "financement.fse_plus",
        "dont FSE+",
        "dont FSE+ (compris dans la part de la collectivité)",
    ),
    (
        "budget_global",
        "Budget global",
        "Budget global déclaré (F = A + B + C), facultatif",
    ),
];

const NATURES: [(&str, &str, NatureAction); 3] = [
    ("nouvelle", "nouvelle", NatureAction::Nouvelle),
    ("renforcee", "renforcée", NatureAction::Renforcee),
    (
        "reconduction_calpae",
        "reconduction CALPAE",
        NatureAction::ReconductionCalpae,
    ),
];

const MODES: [(&str, &str, ModeExecution); 3] = [
    ("subvention", "subvention", ModeExecution::Subvention),
    ("marche", "marché public", ModeExecution::Marche),
    ("regie", "régie", ModeExecution::Regie),
];

const PUBLICS: [(&str, &str, PublicMobilite); 2] = [
    (
        "brsa_demandeurs_emploi",
        "bénéficiaires du RSA et demandeurs d'emploi (axe 2)",
        PublicMobilite::BrsaDemandeursEmploi,
    ),
    (
        "tous_publics",
        "tous publics en précarité mobilité (axe 4)",
        PublicMobilite::TousPublics,
    ),
];

const NATURES_DEPENSE: [(&str, &str, NatureDepense); 3] = [
    ("", "fonctionnement", NatureDepense::Fonctionnement),
    ("fonctionnement", "fonctionnement", NatureDepense::Fonctionnement),
    ("investissement", "investissement", NatureDepense::Investissement),
];

fn annees() -> [Annee; 4] {
    Annee::TOUTES
}

// ---------------------------------------------------------------------------------------------
// Stored values → text

/// An amount as the form shows it: French digit groups, cents only when there are some
/// (`40 000`, `12 500,50`); read back by `Montant::parse`.
pub fn montant_saisi(m: Montant) -> String {
    let t = m.to_string();
    let t = t.trim_end_matches(" €");
    t.strip_suffix(",00").unwrap_or(t).to_string()
}

fn mettre_montants(s: &mut Saisie, prefixe: &str, m: &ParAnnee<Montant>) {
    for (a, v) in m {
        s.set(format!("{prefixe}.{a}"), montant_saisi(*v));
    }
}

fn mettre_valeurs(s: &mut Saisie, prefixe: &str, m: &ParAnnee<Valeur>) {
    for (a, v) in m {
        s.set(format!("{prefixe}.{a}"), v.to_string());
    }
}

fn mettre<T: ToString>(s: &mut Saisie, nom: &str, v: Option<T>) {
    if let Some(v) = v {
        s.set(nom, v.to_string());
    }
}

fn cocher(s: &mut Saisie, nom: &str, oui: bool) {
    if oui {
        s.set(nom, "oui");
    }
}

/// Marks `n` rows of block `prefixe` as present (empty), so that the form shows them.
fn lignes_vides(s: &mut Saisie, prefixe: &str, depuis: usize, champ: &str) {
    for i in depuis..(depuis + LIGNES_VIDES).min(MAX_LIGNES) {
        s.set(format!("{prefixe}.{i}.{champ}"), "");
    }
}

/// The sub-axis of a fiche, from its `sous_axe` or its action type.
pub fn place(f: &FicheAction) -> Option<Place<'static>> {
    let r = referentiel();
    f.sous_axe
        .as_deref()
        .and_then(|s| r.resoudre_sous_axe(f.axe(), s))
        .or_else(|| {
            f.type_action
                .as_deref()
                .and_then(|t| r.type_action(t))
                .map(|(p, _)| p)
        })
}

/// An empty form: blank rows only.
pub fn saisie_vierge() -> Saisie {
    let mut s = Saisie::default();
    lignes_vides(&mut s, "financement.autres", 0, "nom");
    lignes_vides(&mut s, "depenses", 0, "poste");
    lignes_vides(&mut s, "indicateurs", 0, "libelle");
    lignes_vides(&mut s, "indicateurs_nationaux", 0, "code");
    s
}

/// The form of a stored fiche, with blank rows after the filled ones and, in the national
/// indicators, a row for each indicator its sub-axis requires and it lacks.
pub fn saisie_de(f: &FicheAction) -> Saisie {
    saisie_de_avec(f, true)
}

/// The stored fiche's values only, without the national indicators suggested by its
/// sub-axis: what a concurrent edit is compared with (`crate::ui::conflit`).
pub fn saisie_stockee(f: &FicheAction) -> Saisie {
    saisie_de_avec(f, false)
}

fn saisie_de_avec(f: &FicheAction, suggestions: bool) -> Saisie {
    let mut s = Saisie::default();
    s.set("numero", f.numero.to_string());
    s.set("intitule", f.intitule.clone());
    mettre(&mut s, "description", f.description.as_ref());
    let r = referentiel();
    let sous_axe = f.sous_axe.as_deref().map(|t| {
        r.resoudre_sous_axe(f.axe(), t)
            .map(|p| p.sous_axe.uid.clone())
            .unwrap_or_else(|| t.to_string())
    });
    mettre(&mut s, "sous_axe", sous_axe);
    mettre(&mut s, "type_action", f.type_action.as_ref());
    cocher(&mut s, "hors_referentiel", f.hors_referentiel);
    mettre(&mut s, "nature", f.nature.map(|n| nom_serde(&n)));
    if let Some(r) = &f.renforcement {
        mettre(&mut s, "renforcement.existant", r.existant.as_ref());
        mettre_montants(&mut s, "renforcement.part_renforcee", &r.part_renforcee);
    }
    if let Some(r) = &f.reconduction {
        mettre(
            &mut s,
            "reconduction.justification_efficacite",
            r.justification_efficacite.as_ref(),
        );
        mettre(
            &mut s,
            "reconduction.justification_impact",
            r.justification_impact.as_ref(),
        );
        cocher(
            &mut s,
            "reconduction.conformite_referentiel",
            r.conformite_referentiel,
        );
        cocher(&mut s, "reconduction.accord_des_parties", r.accord_des_parties);
    }
    mettre(&mut s, "debut", f.debut.map(|d| d.iso()));
    mettre(&mut s, "duree_mois", f.duree_mois);
    mettre(&mut s, "operateur", f.operateur.as_ref());
    mettre(&mut s, "mode_execution", f.mode_execution.map(|m| nom_serde(&m)));
    if !f.partenaires.is_empty() {
        s.set("partenaires", f.partenaires.join("\n"));
    }
    mettre(
        &mut s,
        "public_mobilite",
        f.public_mobilite.map(|p| nom_serde(&p)),
    );
    cocher(&mut s, "hors_plafond_slime", f.hors_plafond_slime);
    cocher(&mut s, "evaluation_impact", f.evaluation_impact);
    super::declarations::mettre(&mut s, f);

    let fin = &f.financement;
    mettre_montants(&mut s, "financement.etat", &fin.etat);
    mettre_montants(&mut s, "financement.collectivite", &fin.collectivite);
    mettre_montants(&mut s, "financement.fse_plus", &fin.fse_plus);
    mettre_montants(&mut s, "budget_global", &f.budget_global);
    for (i, c) in fin.autres.iter().enumerate() {
        let p = format!("financement.autres.{i}");
        s.set(format!("{p}.nom"), c.nom.clone());
        cocher(&mut s, &format!("{p}.cee"), c.cee);
        mettre_montants(&mut s, &format!("{p}.montants"), &c.montants);
    }
    lignes_vides(&mut s, "financement.autres", fin.autres.len(), "nom");
    for (i, d) in f.depenses.iter().enumerate() {
        let p = format!("depenses.{i}");
        s.set(format!("{p}.poste"), d.poste.clone());
        if d.nature == NatureDepense::Investissement {
            s.set(format!("{p}.nature"), "investissement");
        }
        cocher(&mut s, &format!("{p}.evaluation"), d.evaluation);
        mettre_montants(&mut s, &format!("{p}.montants"), &d.montants);
    }
    lignes_vides(&mut s, "depenses", f.depenses.len(), "poste");
    for (i, ind) in f.indicateurs.iter().enumerate() {
        let p = format!("indicateurs.{i}");
        s.set(format!("{p}.libelle"), ind.libelle.clone());
        mettre(&mut s, &format!("{p}.unite"), ind.unite.as_ref());
        mettre(&mut s, &format!("{p}.t0"), ind.t0);
        mettre_valeurs(&mut s, &format!("{p}.cibles"), &ind.cibles);
        mettre(&mut s, &format!("{p}.cible_finale"), ind.cible_finale);
    }
    lignes_vides(&mut s, "indicateurs", f.indicateurs.len(), "libelle");
    let mut n = 0;
    for t in &f.indicateurs_nationaux {
        let p = format!("indicateurs_nationaux.{n}");
        s.set(format!("{p}.code"), t.code.clone());
        mettre(&mut s, &format!("{p}.t0"), t.t0);
        mettre_valeurs(&mut s, &format!("{p}.cibles"), &t.cibles);
        n += 1;
    }
    if let Some(p) = place(f).filter(|_| suggestions) {
        for code in &p.sous_axe.indicateurs_nationaux {
            if n < MAX_LIGNES && !f.indicateurs_nationaux.iter().any(|t| t.code.trim() == code) {
                s.set(format!("indicateurs_nationaux.{n}.code"), code.clone());
                n += 1;
            }
        }
    }
    lignes_vides(&mut s, "indicateurs_nationaux", n, "code");
    s
}

// ---------------------------------------------------------------------------------------------
// Text → fiche

fn lire_montants(l: &mut Lecture, prefixe: &str, nom: &str) -> ParAnnee<Montant> {
    let mut m = BTreeMap::new();
    for a in annees() {
        if let Some(v) = l.montant(&format!("{prefixe}.{a}"), &format!("{nom} {a}")) {
            m.insert(a, v);
        }
    }
    m
}

fn lire_valeurs(l: &mut Lecture, prefixe: &str, nom: &str) -> ParAnnee<Valeur> {
    let mut m = BTreeMap::new();
    for a in annees() {
        if let Some(v) = l.valeur(&format!("{prefixe}.{a}"), &format!("{nom}, cible {a}")) {
            m.insert(a, v);
        }
    }
    m
}

/// Reads the form into a fiche. `actuelle` is the stored fiche (its unknown référentiel values
/// are kept as they are); `autres` are the other fiches of the contract (numbers are unique).
pub fn lire(
    saisie: &Saisie,
    actuelle: Option<&FicheAction>,
    autres: &[&FicheAction],
) -> Result<FicheAction, Vec<ErreurChamp>> {
    let r = referentiel();
    let mut l = Lecture::new(saisie);

    let numero = match saisie.get("numero").trim() {
        "" => {
            l.erreur(
                "numero",
                "« Numéro de la fiche » est obligatoire : il s'écrit <axe>.<rang>, par exemple 1.2.",
            );
            None
        }
        t => match NumeroFiche::parse(t) {
            Ok(n) => {
                if let Some(f) = autres.iter().find(|f| f.numero == n) {
                    l.erreur(
                        "numero",
                        format!(
                            "Le numéro {n} est déjà porté par la fiche « {} » de ce contrat : chaque fiche a un numéro unique (R-TAB-01).",
                            abrege(&f.intitule, 80)
                        ),
                    );
                }
                Some(n)
            }
            Err(e) => {
                l.erreur(
                    "numero",
                    format!("Numéro de fiche invalide : {}.", abrege(&e, 300)),
                );
                None
            }
        },
    };
    let intitule = l.texte_obligatoire("intitule", "Intitulé de l'action");
    let description = l.texte_long("description", "Description");

    let sous_axe = l.texte("sous_axe", "Sous-axe");
    if let Some(s) = &sous_axe {
        let connu = r.sous_axe(s).is_some()
            || numero.is_some_and(|n| r.resoudre_sous_axe(n.axe, s).is_some())
            || actuelle.and_then(|f| f.sous_axe.as_deref()) == Some(s.as_str());
        if !connu {
            l.erreur(
                "sous_axe",
                format!(
                    "Sous-axe inconnu du référentiel : « {} » ; choisissez-le dans la liste.",
                    abrege(s, 60)
                ),
            );
        }
    }
    let type_action = l.texte("type_action", "Type d'action");
    if let Some(t) = &type_action
        && r.type_action(t).is_none()
        && actuelle.and_then(|f| f.type_action.as_deref()) != Some(t.as_str())
    {
        l.erreur(
            "type_action",
            format!(
                "Type d'action inconnu du référentiel : « {} » ; choisissez-le dans la liste.",
                abrege(t, 60)
            ),
        );
    }
    let hors_referentiel = l.coche("hors_referentiel");
    // The derogation is the commissaire's decision, made on its own page (R-ACT-03): the
    // collectivity's form keeps the stored one as it is.
    let derogation = actuelle.and_then(|f| f.derogation.clone());

    let nature = l.choix("nature", "Nature de l'action", &NATURES);
    let renforcement = Renforcement {
        existant: l.texte_long("renforcement.existant", "Existant avant le renfort"),
        part_renforcee: lire_montants(&mut l, "renforcement.part_renforcee", "Part renforcée"),
    };
    let renforcement =
        (renforcement.existant.is_some() || !renforcement.part_renforcee.is_empty()).then_some(renforcement);
    let reconduction = Reconduction {
        justification_efficacite: l.texte_long(
            "reconduction.justification_efficacite",
            "Justification de l'efficacité",
        ),
        justification_impact: l.texte_long(
            "reconduction.justification_impact",
            "Impact sur les bénéficiaires",
        ),
        conformite_referentiel: l.coche("reconduction.conformite_referentiel"),
        accord_des_parties: l.coche("reconduction.accord_des_parties"),
    };
    let reconduction = (reconduction.justification_efficacite.is_some()
        || reconduction.justification_impact.is_some()
        || reconduction.conformite_referentiel
        || reconduction.accord_des_parties)
        .then_some(reconduction);

    let debut = l.date("debut", "Date de mise en place");
    let duree_mois = l.entier("duree_mois", "Durée (mois)", 1, 600);
    let operateur = l.texte("operateur", "Opérateur");
    let mode_execution = l.choix("mode_execution", "Mode d'exécution", &MODES);
    let mut partenaires = Vec::new();
    if let Some(t) = l.texte_long("partenaires", "Partenaires") {
        for p in t.lines().map(str::trim).filter(|p| !p.is_empty()) {
            if p.chars().count() > crate::ui::formulaire::MAX_COURT {
                l.erreur(
                    "partenaires",
                    format!(
                        "« Partenaires » : un nom de partenaire dépasse {} caractères.",
                        crate::ui::formulaire::MAX_COURT
                    ),
                );
            } else {
                partenaires.push(p.to_string());
            }
        }
        if partenaires.len() > MAX_LIGNES {
            l.erreur(
                "partenaires",
                format!(
                    "« Partenaires » : {} partenaires, pour {MAX_LIGNES} au plus (un par ligne).",
                    partenaires.len()
                ),
            );
        }
    }
    let public_mobilite = l.choix("public_mobilite", "Public de l'action de mobilité", &PUBLICS);
    let hors_plafond_slime = l.coche("hors_plafond_slime");
    let evaluation_impact = l.coche("evaluation_impact");
    let declarations = super::declarations::lire(&mut l);

    let etat = lire_montants(&mut l, "financement.etat", "État");
    let collectivite = lire_montants(&mut l, "financement.collectivite", "Collectivité");
    let fse_plus = lire_montants(&mut l, "financement.fse_plus", "dont FSE+");
    let budget_global = lire_montants(&mut l, "budget_global", "Budget global");

    let mut cofinanceurs = Vec::new();
    for i in 0..saisie.lignes("financement.autres") {
        if saisie.ligne_vide("financement.autres", i) {
            continue;
        }
        let p = format!("financement.autres.{i}");
        let titre = format!("Cofinanceur {}", i + 1);
        let nom = l.texte(&format!("{p}.nom"), &format!("{titre} : nom"));
        let cee = l.coche(&format!("{p}.cee"));
        let montants = lire_montants(&mut l, &format!("{p}.montants"), &titre);
        match nom {
            Some(nom) => cofinanceurs.push(Cofinanceur { nom, cee, montants }),
            None => l.erreur(
                &format!("{p}.nom"),
                format!("{titre} : le nom du cofinanceur est obligatoire dès qu'une valeur de sa ligne est saisie."),
            ),
        }
    }

    let mut depenses = Vec::new();
    for i in 0..saisie.lignes("depenses") {
        if saisie.ligne_vide("depenses", i) {
            continue;
        }
        let p = format!("depenses.{i}");
        let titre = format!("Poste de dépenses {}", i + 1);
        let poste = l.texte(&format!("{p}.poste"), &format!("{titre} : intitulé"));
        let nature = l
            .choix(
                &format!("{p}.nature"),
                &format!("{titre} : nature"),
                &NATURES_DEPENSE,
            )
            .unwrap_or_default();
        let evaluation = l.coche(&format!("{p}.evaluation"));
        let montants = lire_montants(&mut l, &format!("{p}.montants"), &titre);
        match poste {
            Some(poste) => depenses.push(LigneDepense {
                poste,
                nature,
                evaluation,
                montants,
            }),
            None => l.erreur(
                &format!("{p}.poste"),
                format!(
                    "{titre} : l'intitulé du poste est obligatoire dès qu'une valeur de sa ligne est saisie."
                ),
            ),
        }
    }

    let mut indicateurs = Vec::new();
    for i in 0..saisie.lignes("indicateurs") {
        if saisie.ligne_vide("indicateurs", i) {
            continue;
        }
        let p = format!("indicateurs.{i}");
        let titre = format!("Indicateur local {}", i + 1);
        let libelle = l.texte(&format!("{p}.libelle"), &format!("{titre} : libellé"));
        let unite = l.texte(&format!("{p}.unite"), &format!("{titre} : unité"));
        let t0 = l.valeur(
            &format!("{p}.t0"),
            &format!("{titre}, situation au 31/12/2023 (T0)"),
        );
        let cibles = lire_valeurs(&mut l, &format!("{p}.cibles"), &titre);
        let cible_finale = l.valeur(&format!("{p}.cible_finale"), &format!("{titre}, cible finale"));
        match libelle {
            Some(libelle) => indicateurs.push(IndicateurLocal {
                libelle,
                unite,
                t0,
                cibles,
                cible_finale,
            }),
            None => l.erreur(
                &format!("{p}.libelle"),
                format!("{titre} : le libellé est obligatoire dès qu'une valeur de sa ligne est saisie."),
            ),
        }
    }

    let mut nationaux: Vec<TrajectoireNationale> = Vec::new();
    for i in 0..saisie.lignes("indicateurs_nationaux") {
        if saisie.ligne_vide("indicateurs_nationaux", i) {
            continue;
        }
        let p = format!("indicateurs_nationaux.{i}");
        let titre = format!("Indicateur national {}", i + 1);
        let code = l.texte(&format!("{p}.code"), &format!("{titre} : code"));
        let t0 = l.valeur(
            &format!("{p}.t0"),
            &format!("{titre}, situation au 31/12/2023 (T0)"),
        );
        let cibles = lire_valeurs(&mut l, &format!("{p}.cibles"), &titre);
        let Some(code) = code else {
            l.erreur(
                &format!("{p}.code"),
                format!("{titre} : choisissez l'indicateur dès qu'une valeur de sa ligne est saisie."),
            );
            continue;
        };
        let connu = r.indicateur(&code).is_some()
            || actuelle.is_some_and(|f| f.indicateurs_nationaux.iter().any(|t| t.code == code));
        if !connu {
            l.erreur(
                &format!("{p}.code"),
                format!("{titre} : « {} » n'est pas un indicateur national de l'annexe 6 ; choisissez-le dans la liste.", abrege(&code, 60)),
            );
        } else if nationaux.iter().any(|t| t.code == code) {
            l.erreur(
                &format!("{p}.code"),
                format!("{titre} : l'indicateur {code} est déjà renseigné sur une autre ligne."),
            );
        }
        nationaux.push(TrajectoireNationale { code, t0, cibles });
    }

    if !l.erreurs.is_empty() {
        return Err(l.erreurs);
    }
    let (Some(numero), Some(intitule)) = (numero, intitule) else {
        // Both absent values recorded an error above.
        return Err(l.erreurs);
    };
    Ok(FicheAction {
        numero,
        intitule,
        description,
        sous_axe,
        type_action,
        hors_referentiel,
        derogation,
        nature,
        renforcement,
        reconduction,
        debut,
        duree_mois,
        operateur,
        mode_execution,
        partenaires,
        public_mobilite,
        hors_plafond_slime,
        fonctions_plateforme: declarations.fonctions_plateforme,
        valorisation_existant: declarations.valorisation_existant,
        substitution_depense: declarations.substitution_depense,
        competence: declarations.competence,
        aide_achat_vehicule_zfe: declarations.aide_achat_vehicule_zfe,
        financement_faj: declarations.financement_faj,
        actions_pmi: declarations.actions_pmi,
        accompagnement_suivi: declarations.accompagnement_suivi,
        referent_pacte: declarations.referent_pacte,
        evaluation_impact,
        financement: Financement {
            etat,
            collectivite,
            fse_plus,
            autres: cofinanceurs,
        },
        budget_global,
        depenses,
        indicateurs,
        indicateurs_nationaux: nationaux,
    })
}

// ---------------------------------------------------------------------------------------------
// The page

/// A line of four amounts or values, one per year.
#[derive(Debug, Clone)]
pub struct LigneAnnees {
    pub groupe: Groupe,
    pub titre: String,
    pub champs: Vec<Champ>,
}

#[derive(Debug, Clone)]
pub struct LigneCofinanceur {
    pub groupe: Groupe,
    pub titre: String,
    pub nom: Champ,
    pub cee: Champ,
    pub montants: Vec<Champ>,
}

#[derive(Debug, Clone)]
pub struct LigneDepenseVue {
    pub groupe: Groupe,
    pub titre: String,
    pub poste: Champ,
    pub nature: Choix,
    pub evaluation: Champ,
    pub montants: Vec<Champ>,
}

#[derive(Debug, Clone)]
pub struct LigneIndicateur {
    pub groupe: Groupe,
    pub titre: String,
    pub libelle: Champ,
    pub unite: Champ,
    pub t0: Champ,
    pub cibles: Groupe,
    pub valeurs: Vec<Champ>,
    pub cible_finale: Champ,
}

#[derive(Debug, Clone)]
pub struct LigneNationale {
    pub groupe: Groupe,
    pub titre: String,
    pub code: Choix,
    pub t0: Champ,
    pub cibles: Groupe,
    pub valeurs: Vec<Champ>,
}

/// Every field of the fiche form, with its value, error and findings.
#[derive(Debug, Clone)]
pub struct FormFiche {
    pub numero: Champ,
    pub intitule: Champ,
    pub description: Champ,
    pub sous_axe: Choix,
    pub type_action: Choix,
    pub hors_referentiel: Champ,
    /// Where the findings on the derogation go; the derogation itself is shown read-only.
    pub derogation: Groupe,
    pub nature: Choix,
    pub renforcement: Groupe,
    pub renforcement_existant: Champ,
    pub part_renforcee: LigneAnnees,
    pub reconduction: Groupe,
    pub reconduction_efficacite: Champ,
    pub reconduction_impact: Champ,
    pub reconduction_conformite: Champ,
    pub reconduction_accord: Champ,
    pub debut: Champ,
    pub duree_mois: Champ,
    pub operateur: Champ,
    pub mode_execution: Choix,
    pub partenaires: Champ,
    pub public_mobilite: Choix,
    pub hors_plafond_slime: Champ,
    pub evaluation_impact: Champ,
    /// The declarations part (`fiche_declarations.html`).
    pub declarations: super::declarations::FormDeclarations,
    pub financement: Groupe,
    pub lignes_financement: Vec<LigneAnnees>,
    pub autres: Groupe,
    pub cofinanceurs: Vec<LigneCofinanceur>,
    pub depenses: Groupe,
    pub lignes_depenses: Vec<LigneDepenseVue>,
    pub indicateurs: Groupe,
    pub lignes_indicateurs: Vec<LigneIndicateur>,
    pub nationaux: Groupe,
    pub lignes_nationales: Vec<LigneNationale>,
    /// The national indicators the chosen sub-axis requires, for the hint.
    pub nationaux_requis: String,
    /// Findings of the fiche with no field of their own.
    pub panneau: Vec<crate::ui::formulaire::ConstatVu>,
    /// Totals per year of what is typed (`pacte_core::totaux`), recomputed by the page's
    /// script while the person types.
    pub totaux: Vec<LigneTotaux>,
    /// Totals over the four years.
    pub total: LigneTotaux,
    /// The fiche has expense lines: R-TAB-02 compares them with the funding.
    pub avec_depenses: bool,
}

/// One line of the totals table of the form, amounts in French.
#[derive(Debug, Clone)]
pub struct LigneTotaux {
    /// The year (`2024`), or `total` for the four years.
    pub cle: String,
    pub libelle: String,
    pub etat: String,
    pub collectivite: String,
    pub autres: String,
    pub financement: String,
    pub depenses: String,
    /// The State share is above the collectivity's (R-COFI-50).
    pub parite_rompue: bool,
    /// The expense lines differ from the funding by this much (R-TAB-02).
    pub ecart: Option<String>,
}

impl LigneTotaux {
    fn new(cle: String, libelle: String, t: &TotauxAnnee, avec_depenses: bool) -> LigneTotaux {
        LigneTotaux {
            cle,
            libelle,
            etat: t.etat.to_string(),
            collectivite: t.collectivite.to_string(),
            autres: t.autres.to_string(),
            financement: t.financement.to_string(),
            depenses: t.depenses.to_string(),
            parite_rompue: t.etat_depasse(),
            ecart: avec_depenses
                .then(|| t.ecart_depenses())
                .flatten()
                .map(|m| m.to_string()),
        }
    }
}

/// The amounts of what is typed, read leniently (an unreadable amount counts as zero: its
/// field carries its own error), as a fiche for [`totaux_fiche`].
fn fiche_des_montants(saisie: &Saisie) -> FicheAction {
    let mut f: FicheAction = serde_json::from_str(r#"{"numero":"1.1","intitule":"-"}"#)
        .expect("a fiche with a number and a title reads");
    let mut l = Lecture::new(saisie);
    f.financement.etat = lire_montants(&mut l, "financement.etat", "État");
    f.financement.collectivite = lire_montants(&mut l, "financement.collectivite", "Collectivité");
    for i in 0..saisie.lignes("financement.autres") {
        let p = format!("financement.autres.{i}.montants");
        f.financement.autres.push(Cofinanceur {
            nom: String::new(),
            cee: false,
            montants: lire_montants(&mut l, &p, ""),
        });
    }
    for i in 0..saisie.lignes("depenses") {
        if saisie.ligne_vide("depenses", i) {
            continue;
        }
        f.depenses.push(LigneDepense {
            poste: String::new(),
            nature: NatureDepense::Fonctionnement,
            evaluation: false,
            montants: lire_montants(&mut l, &format!("depenses.{i}.montants"), ""),
        });
    }
    f
}

/// The totals of what is typed: the same function as the rules' figures.
pub fn totaux(saisie: &Saisie) -> TotauxFiche {
    totaux_fiche(&fiche_des_montants(saisie))
}

/// Every field of the form of `saisie`, in page order, with its full label.
pub fn libelles(saisie: &Saisie) -> Vec<crate::ui::formulaire::LibelleChamp> {
    let v = Vue::new(saisie, &[], None);
    construire(&v);
    v.libelles()
}

fn ligne_annees(v: &Vue, prefixe: &str, court: &str, titre: &str) -> LigneAnnees {
    LigneAnnees {
        groupe: v.groupe(prefixe),
        titre: titre.to_string(),
        champs: annees()
            .iter()
            .map(|a| {
                v.champ(&format!("{prefixe}.{a}"), a.to_string())
                    .precise(v, format!(" — {court}"))
            })
            .collect(),
    }
}

fn options_sous_axes() -> Vec<GroupeOptions> {
    let mut g = options_simples("— Choisir un sous-axe —", &[]);
    for axe in &referentiel().axes {
        g.push(GroupeOptions {
            libelle: format!("Axe {} — {}", axe.code, axe.intitule),
            options: axe
                .sous_axes
                .iter()
                .map(|s| (s.uid.clone(), format!("{} — {}", s.code, s.intitule)))
                .collect(),
        });
    }
    g
}

fn options_types() -> Vec<GroupeOptions> {
    let mut g = options_simples("— Choisir un type d'action —", &[]);
    for axe in &referentiel().axes {
        for s in &axe.sous_axes {
            if s.types_action.is_empty() {
                continue;
            }
            g.push(GroupeOptions {
                libelle: format!("{} — {}", s.uid, s.intitule),
                options: s
                    .types_action
                    .iter()
                    .map(|t| (t.id.clone(), format!("{} — {}", t.id, t.intitule)))
                    .collect(),
            });
        }
    }
    g
}

fn options_nationaux() -> Vec<GroupeOptions> {
    let mut g = options_simples("— Choisir un indicateur —", &[]);
    g[0].options.extend(
        referentiel()
            .indicateurs_nationaux
            .iter()
            .map(|n| (n.code.clone(), format!("{} — {}", n.code, n.libelle))),
    );
    g
}

fn construire(v: &Vue) -> FormFiche {
    let s = v.saisie();
    let natures: Vec<(&str, &str)> = NATURES.iter().map(|(a, b, _)| (*a, *b)).collect();
    let modes: Vec<(&str, &str)> = MODES.iter().map(|(a, b, _)| (*a, *b)).collect();
    let publics: Vec<(&str, &str)> = PUBLICS.iter().map(|(a, b, _)| (*a, *b)).collect();

    let requis = referentiel()
        .sous_axe(s.get("sous_axe").trim())
        .or_else(|| referentiel().type_action(s.get("type_action")).map(|(p, _)| p))
        .map(|p| p.sous_axe.indicateurs_nationaux.join(", "))
        .unwrap_or_default();

    let t = totaux(s);
    let mut f = FormFiche {
        numero: v
            .champ("numero", "Numéro de la fiche")
            .avec_aide("« axe.rang », par exemple 1.2"),
        intitule: v
            .champ("intitule", "Intitulé de l'action")
            .avec_aide("Repris dans les tableaux financiers de l'annexe 10"),
        description: v.champ("description", "Description"),
        sous_axe: v.choix("sous_axe", "Sous-axe du référentiel", options_sous_axes()),
        type_action: v.choix("type_action", "Type d'action du référentiel", options_types()),
        hors_referentiel: v
            .champ("hors_referentiel", "Action hors référentiel")
            .avec_aide(
                "Une dérogation du ou de la commissaire à la lutte contre la pauvreté est alors exigée (R-ACT-02, R-ACT-03).",
            ),
        derogation: v.groupe("derogation"),
        nature: v.choix(
            "nature",
            "Nature de l'action",
            options_simples("— Non renseignée —", &natures),
        ),
        renforcement: v.groupe("renforcement"),
        renforcement_existant: v
            .champ("renforcement.existant", "Existant avant le renfort")
            .avec_aide("File active, territoire couvert avant le renfort."),
        part_renforcee: ligne_annees(
            v,
            "renforcement.part_renforcee",
            "part renforcée",
            "Part renforcée par année",
        ),
        reconduction: v.groupe("reconduction"),
        reconduction_efficacite: v.champ(
            "reconduction.justification_efficacite",
            "Justification de l'efficacité",
        ),
        reconduction_impact: v.champ(
            "reconduction.justification_impact",
            "Impact sur les bénéficiaires",
        ),
        reconduction_conformite: v.champ(
            "reconduction.conformite_referentiel",
            "L'action est conforme au référentiel",
        ),
        reconduction_accord: v.champ(
            "reconduction.accord_des_parties",
            "L'État et la collectivité acceptent la reconduction",
        ),
        debut: v.champ("debut", "Date de mise en place"),
        duree_mois: v
            .champ("duree_mois", "Durée (mois)")
            .avec_aide("L'action doit s'achever au plus tard le 31/12/2027 (R-DOC-07)."),
        operateur: v.champ("operateur", "Opérateur"),
        mode_execution: v.choix(
            "mode_execution",
            "Mode d'exécution",
            options_simples("— Non renseigné —", &modes),
        ),
        partenaires: v
            .champ("partenaires", "Partenaires")
            .avec_aide("Un partenaire par ligne."),
        public_mobilite: v.choix(
            "public_mobilite",
            "Public d'une action de mobilité solidaire",
            options_simples("— Sans objet —", &publics),
        ),
        hors_plafond_slime: v.champ(
            "hors_plafond_slime",
            "Animation SLIME+ financée hors du plafond de 70 % (R-REF-04)",
        ),
        evaluation_impact: v
            .champ(
                "evaluation_impact",
                "Cette action porte l'évaluation d'impact social du contrat",
            )
            .avec_aide("Elle doit alors financer un poste de dépenses d'évaluation (R-REF-18)."),
        declarations: super::declarations::vue(v),
        financement: v.groupe("financement"),
        lignes_financement: LIGNES_FINANCEMENT
            .iter()
            .map(|(p, court, titre)| ligne_annees(v, p, court, titre))
            .collect(),
        autres: v.groupe("financement.autres"),
        cofinanceurs: Vec::new(),
        depenses: v.groupe("depenses"),
        lignes_depenses: Vec::new(),
        indicateurs: v.groupe("indicateurs"),
        lignes_indicateurs: Vec::new(),
        nationaux: v.groupe("indicateurs_nationaux"),
        lignes_nationales: Vec::new(),
        nationaux_requis: requis,
        panneau: Vec::new(),
        totaux: t
            .annees
            .iter()
            .map(|a| LigneTotaux::new(a.annee.to_string(), a.annee.to_string(), a, t.avec_depenses))
            .collect(),
        total: LigneTotaux::new("total".into(), "2024-2027".into(), &t.ensemble, t.avec_depenses),
        avec_depenses: t.avec_depenses,
    };
    for i in 0..s.lignes("financement.autres") {
        let p = format!("financement.autres.{i}");
        let titre = format!("Cofinanceur {}", i + 1);
        f.cofinanceurs.push(LigneCofinanceur {
            groupe: v.groupe(&p),
            nom: v
                .champ(&format!("{p}.nom"), "Nom")
                .precise(v, format!(" — {titre}")),
            cee: v
                .champ(
                    &format!("{p}.cee"),
                    "Certificats d'économies d'énergie (CEE précarité)",
                )
                .precise(v, format!(" — {titre}")),
            montants: annees()
                .iter()
                .map(|a| {
                    v.champ(&format!("{p}.montants.{a}"), a.to_string())
                        .precise(v, format!(" — {titre}"))
                })
                .collect(),
            titre,
        });
    }
    let natures_depense = options_simples("fonctionnement", &[("investissement", "investissement")]);
    for i in 0..s.lignes("depenses") {
        let p = format!("depenses.{i}");
        let titre = format!("Poste de dépenses {}", i + 1);
        f.lignes_depenses.push(LigneDepenseVue {
            groupe: v.groupe(&p),
            poste: v
                .champ(&format!("{p}.poste"), "Intitulé du poste")
                .precise(v, format!(" — {titre}")),
            nature: {
                let mut c = v.choix(&format!("{p}.nature"), "Nature", natures_depense.clone());
                c.c.precision = format!(" — {titre}");
                v.nommer(&c.c);
                c
            },
            evaluation: v
                .champ(&format!("{p}.evaluation"), "Finance l'évaluation d'impact social")
                .precise(v, format!(" — {titre}")),
            montants: annees()
                .iter()
                .map(|a| {
                    v.champ(&format!("{p}.montants.{a}"), a.to_string())
                        .precise(v, format!(" — {titre}"))
                })
                .collect(),
            titre,
        });
    }
    for i in 0..s.lignes("indicateurs") {
        let p = format!("indicateurs.{i}");
        let titre = format!("Indicateur local {}", i + 1);
        f.lignes_indicateurs.push(LigneIndicateur {
            groupe: v.groupe(&p),
            libelle: v
                .champ(&format!("{p}.libelle"), "Libellé")
                .precise(v, format!(" — {titre}")),
            unite: v
                .champ(&format!("{p}.unite"), "Unité")
                .precise(v, format!(" — {titre}")),
            t0: v
                .champ(&format!("{p}.t0"), "T0 (31/12/2023)")
                .precise(v, format!(" — {titre}")),
            cibles: v.groupe(&format!("{p}.cibles")),
            valeurs: annees()
                .iter()
                .map(|a| {
                    v.champ(&format!("{p}.cibles.{a}"), format!("Cible {a}"))
                        .precise(v, format!(" — {titre}"))
                })
                .collect(),
            cible_finale: v
                .champ(&format!("{p}.cible_finale"), "Cible finale")
                .precise(v, format!(" — {titre}")),
            titre,
        });
    }
    for i in 0..s.lignes("indicateurs_nationaux") {
        let p = format!("indicateurs_nationaux.{i}");
        let titre = format!("Indicateur national {}", i + 1);
        f.lignes_nationales.push(LigneNationale {
            groupe: v.groupe(&p),
            code: {
                let mut c = v.choix(&format!("{p}.code"), "Indicateur", options_nationaux());
                c.c.precision = format!(" — {titre}");
                v.nommer(&c.c);
                c
            },
            t0: v
                .champ(&format!("{p}.t0"), "T0 (31/12/2023)")
                .precise(v, format!(" — {titre}")),
            cibles: v.groupe(&format!("{p}.cibles")),
            valeurs: annees()
                .iter()
                .map(|a| {
                    v.champ(&format!("{p}.cibles.{a}"), format!("Cible {a}"))
                        .precise(v, format!(" — {titre}"))
                })
                .collect(),
            titre,
        });
    }
    f
}

/// The fiche form from what is typed, its errors and, for a stored fiche, the findings of the
/// contract (`constats`, with the fiche's number and the contract id) placed next to their fields.
pub fn formulaire(
    saisie: &Saisie,
    erreurs: &[ErreurChamp],
    constats: Option<(&[Constat], NumeroFiche, i64)>,
) -> FormFiche {
    let Some((constats, numero, contrat_id)) = constats else {
        return construire(&Vue::new(saisie, erreurs, None));
    };
    let ancres = {
        let v = Vue::new(saisie, erreurs, None);
        construire(&v);
        v.ancres()
    };
    let placement = Placement::new(constats, Objet::Fiche(numero), &ancres, contrat_id);
    let mut f = construire(&Vue::new(saisie, erreurs, Some(&placement)));
    f.panneau = placement.panneau;
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fiche() -> FicheAction {
        let texte = r#"
[contrat]
collectivite = "200054807"

[[fiches]]
numero = "1.1"
intitule = "Aller vers"
description = "Ligne 1\nLigne 2"
sous_axe = "1.1"
nature = "renforcee"
debut = 2024-01-01
duree_mois = 48
partenaires = ["CAF", "CPAM"]
fonctions_plateforme = ["reperage", "orientation_solutions"]
competence = "deleguee"
financement_faj = true
referent_pacte = true
renforcement = { existant = "x", part_renforcee = { 2024 = 100000 } }
financement.etat = { 2024 = "40000,50" }
financement.collectivite = { 2024 = 50000 }
[[fiches.financement.autres]]
nom = "CAF"
cee = true
montants = { 2025 = 1 }
[[fiches.depenses]]
poste = "Personnel"
nature = "investissement"
evaluation = true
montants = { 2024 = 90000 }
[[fiches.indicateurs]]
libelle = "Familles"
t0 = 0
cibles = { 2024 = "12,5" }
"#;
        pacte_core::fichier::lire_toml(texte).unwrap().fiches.remove(0)
    }

    #[test]
    fn aller_retour_du_formulaire() {
        let f = fiche();
        let s = saisie_de(&f);
        assert_eq!(s.get("sous_axe"), "A1-1.1");
        // The sub-axis requires NI-1.1: a row is offered, with its code.
        assert_eq!(s.get("indicateurs_nationaux.0.code"), "NI-1.1");
        let mut relue = lire(&s, Some(&f), &[]).unwrap();
        assert_eq!(relue.indicateurs_nationaux.len(), 1);
        relue.indicateurs_nationaux.clear();
        relue.sous_axe = Some("1.1".into());
        assert_eq!(relue, f);
    }

    #[test]
    fn la_derogation_n_est_pas_saisie_par_la_collectivite() {
        let mut f = fiche();
        f.hors_referentiel = true;
        f.derogation = Some(pacte_core::contrat::Derogation {
            accordee_par: Some("La commissaire".into()),
            date: None,
            justification: Some("Besoins locaux".into()),
            diplp_informee: false,
            date_information_diplp: None,
        });
        let mut s = saisie_de(&f);
        // A forged field is ignored: the stored derogation is kept (R-ACT-03).
        s.set("derogation.justification", "autre");
        assert_eq!(lire(&s, Some(&f), &[]).unwrap().derogation, f.derogation);
        // A new fiche carries none.
        assert_eq!(lire(&s, None, &[]).unwrap().derogation, None);
    }

    #[test]
    fn erreurs_nommees() {
        let mut s = saisie_de(&fiche());
        s.set("financement.etat.2025", "abc");
        s.set("numero", "1.1");
        s.set("depenses.1.montants.2024", "5");
        s.set("indicateurs.0.t0", "-1");
        let autre = fiche();
        let e = lire(&s, None, &[&autre]).unwrap_err();
        let noms: Vec<&str> = e.iter().map(|e| e.nom.as_str()).collect();
        assert_eq!(
            noms,
            [
                "numero",
                "financement.etat.2025",
                "depenses.1.poste",
                "indicateurs.0.t0"
            ],
            "{e:?}"
        );
        assert!(
            e[1].message
                .starts_with("Montant invalide pour « État 2025 » : « abc »"),
            "{}",
            e[1].message
        );
    }
}
