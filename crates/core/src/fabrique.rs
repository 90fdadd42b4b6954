//! Fixture builders: complete, valid contracts built in a few lines, for tests, benchmarks and
//! demonstration data. `ContratBuilder::metropole("200054807").fiche(…).build()`.
//!
//! A built contract passes every rule unless a test changes it: fiches are new actions of
//! the référentiel, run for the 48 months of the convention, co-funded 50/50, with a detailed
//! budget, a complete local indicator and the national indicators of their sub-axis.

use std::collections::BTreeMap;

use crate::contrat::{
    Contrat, EnTete, EtatContrat, FicheAction, Financement, FonctionPlateforme, IndicateurLocal,
    LigneDepense, ModeExecution, NatureAction, NatureDepense, NumeroFiche, PublicMobilite,
    TrajectoireNationale,
};
use crate::referentiel::referentiel;
use crate::{Annee, Axe, Date, Montant, Valeur};

/// Builds a fiche action.
#[derive(Debug, Clone)]
pub struct FicheBuilder {
    fiche: FicheAction,
}

impl FicheBuilder {
    /// A new action of type `type_action` (its sub-axis is taken from the référentiel),
    /// numbered `numero`, with the same State and collectivity amount every year.
    pub fn new(numero: &str, type_action: &str, etat_annuel: Montant) -> FicheBuilder {
        let numero = NumeroFiche::parse(numero).expect("valid fiche number");
        let (place, t) = referentiel().type_action(type_action).expect("known action type");
        let par_an = |m: Montant| Annee::TOUTES.iter().map(|a| (*a, m)).collect::<BTreeMap<_, _>>();
        let cibles = |base: i64| {
            Annee::TOUTES
                .iter()
                .enumerate()
                .map(|(i, a)| (*a, Valeur::entier(base + 20 * (i as i64 + 1))))
                .collect()
        };
        let public_mobilite = match place.sous_axe.uid.as_str() {
            "A4-4.2" => Some(PublicMobilite::TousPublics),
            "A2-2.1.4" => Some(PublicMobilite::BrsaDemandeursEmploi),
            _ => None,
        };
        let intitule: String = t.intitule.chars().take(90).collect();
        let fiche = FicheAction {
            numero,
            intitule: capitaliser(&intitule),
            description: Some(format!(
                "Action du sous-axe {} : {}.",
                place.sous_axe.code, place.sous_axe.intitule
            )),
            sous_axe: Some(place.sous_axe.uid.clone()),
            type_action: Some(t.id.clone()),
            hors_referentiel: false,
            derogation: None,
            nature: Some(NatureAction::Nouvelle),
            renforcement: None,
            reconduction: None,
            debut: Some(Date::ymd(2024, 1, 1)),
            duree_mois: Some(48),
            operateur: Some("Centre communal d'action sociale".into()),
            mode_execution: Some(ModeExecution::Subvention),
            partenaires: vec!["Caisse d'allocations familiales".into()],
            public_mobilite,
            hors_plafond_slime: false,
            fonctions_plateforme: match t.id.as_str() {
                "AT-4-4.1-01" => FonctionPlateforme::ENERGIE.to_vec(),
                "AT-4-4.2-01" => FonctionPlateforme::MOBILITE.to_vec(),
                _ => Vec::new(),
            },
            valorisation_existant: false,
            substitution_depense: false,
            competence: None,
            aide_achat_vehicule_zfe: false,
            financement_faj: false,
            actions_pmi: false,
            accompagnement_suivi: place.sous_axe.uid == "A3-IV-2.2",
            referent_pacte: false,
            evaluation_impact: false,
            financement: Financement {
                etat: par_an(etat_annuel),
                collectivite: par_an(etat_annuel),
                fse_plus: BTreeMap::new(),
                autres: Vec::new(),
            },
            budget_global: BTreeMap::new(),
            depenses: Vec::new(),
            indicateurs: vec![IndicateurLocal {
                libelle: "Nombre de personnes accompagnées".into(),
                unite: Some("personnes".into()),
                t0: Some(Valeur::entier(100)),
                cibles: cibles(100),
                cible_finale: Some(Valeur::entier(180)),
            }],
            indicateurs_nationaux: place
                .sous_axe
                .indicateurs_nationaux
                .iter()
                .map(|code| TrajectoireNationale {
                    code: code.clone(),
                    t0: Some(Valeur::entier(50)),
                    cibles: cibles(50),
                })
                .collect(),
        };
        FicheBuilder { fiche }
    }

    /// Changes the fiche with a closure (for tests that plant one fault).
    pub fn avec(mut self, f: impl FnOnce(&mut FicheAction)) -> FicheBuilder {
        f(&mut self.fiche);
        self
    }

    /// Marks the fiche as carrying the contract's impact evaluation, with its budget line.
    pub fn evaluation(mut self, montant_annuel: Montant) -> FicheBuilder {
        self.fiche.evaluation_impact = true;
        self.fiche.depenses.push(LigneDepense {
            poste: "Évaluation d'impact social (prestataire universitaire)".into(),
            nature: NatureDepense::Fonctionnement,
            evaluation: true,
            montants: Annee::TOUTES.iter().map(|a| (*a, montant_annuel)).collect(),
        });
        self
    }

    /// The fiche, with a "Personnel et fonctionnement" expense line that balances each year's
    /// funding (F = A + B + C = Σ dépenses, R-TAB-02).
    pub fn build(mut self) -> FicheAction {
        let montants: BTreeMap<Annee, Montant> = Annee::TOUTES
            .iter()
            .map(|a| (*a, self.fiche.financement.total(*a) - self.fiche.depenses(*a)))
            .filter(|(_, m)| !m.est_nul())
            .collect();
        if !montants.is_empty() {
            self.fiche.depenses.insert(
                0,
                LigneDepense {
                    poste: "Personnel et fonctionnement".into(),
                    nature: NatureDepense::Fonctionnement,
                    evaluation: false,
                    montants,
                },
            );
        }
        self.fiche
    }
}

fn capitaliser(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(p) => p.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Builds a contract.
#[derive(Debug, Clone)]
pub struct ContratBuilder {
    en_tete: EnTete,
    fiches: Vec<FicheAction>,
    proposes_fixes: bool,
}

impl ContratBuilder {
    /// A contract with the collectivity `code` (SIREN or COG code), signed and in execution.
    pub fn new(code: &str) -> ContratBuilder {
        ContratBuilder {
            en_tete: EnTete {
                collectivite: code.into(),
                intitule: Some("Contrat local des solidarités 2024-2027".into()),
                debut: Some(Date::ymd(2024, 1, 1)),
                fin: Some(Date::ymd(2027, 12, 31)),
                etat: EtatContrat::EnExecution,
                date_deliberation: Some(Date::ymd(2024, 2, 15)),
                ami: None,
                montants_proposes: BTreeMap::new(),
                engagement_etat: BTreeMap::new(),
                signataires: Vec::new(),
            },
            fiches: Vec::new(),
            proposes_fixes: false,
        }
    }

    pub fn metropole(siren: &str) -> ContratBuilder {
        ContratBuilder::new(siren)
    }

    pub fn departement(cog: &str) -> ContratBuilder {
        ContratBuilder::new(cog)
    }

    pub fn fiche(mut self, f: FicheBuilder) -> ContratBuilder {
        self.fiches.push(f.build());
        self
    }

    /// Sets the State amounts proposed per axis (otherwise: each axis's 2024 State total).
    pub fn proposes(mut self, montants: &[(Axe, Montant)]) -> ContratBuilder {
        self.en_tete.montants_proposes = montants.iter().copied().collect();
        self.proposes_fixes = true;
        self
    }

    pub fn avec(mut self, f: impl FnOnce(&mut EnTete)) -> ContratBuilder {
        f(&mut self.en_tete);
        self
    }

    /// The contract; proposed amounts and the article 2.2 State commitment are derived from
    /// the fiches unless set.
    pub fn build(mut self) -> Contrat {
        let premiere = Annee::TOUTES[0];
        if !self.proposes_fixes {
            let mut proposes = BTreeMap::new();
            for f in &self.fiches {
                *proposes.entry(f.axe()).or_insert(Montant::ZERO) += f.financement.etat(premiere);
            }
            self.en_tete.montants_proposes = proposes;
        }
        if self.en_tete.engagement_etat.is_empty() {
            self.en_tete.engagement_etat = Annee::TOUTES
                .iter()
                .map(|a| (*a, self.fiches.iter().map(|f| f.financement.etat(*a)).sum()))
                .collect();
        }
        Contrat {
            contrat: self.en_tete,
            fiches: self.fiches,
        }
    }
}

/// A valid métropole contract with one action per axis and an evaluated action: the smallest
/// contract that passes every rule. Aix-Marseille-Provence; amounts in whole euros.
pub fn contrat_metropole_minimal() -> Contrat {
    ContratBuilder::metropole("200054807")
        .fiche(
            FicheBuilder::new("1.1", "AT-1-1.1-02", Montant::euros(100_000))
                .evaluation(Montant::euros(10_000)),
        )
        .fiche(FicheBuilder::new("2.1", "AT-2-2.2.1-01", Montant::euros(80_000)))
        .fiche(FicheBuilder::new("3.1", "AT-3-II-2-01", Montant::euros(60_000)))
        .fiche(FicheBuilder::new("4.1", "AT-4-4.1-01", Montant::euros(50_000)))
        .build()
}
