//! Who may do what: roles, scopes and the one function that decides permissions.
//!
//! A user holds a [`Habilitation`]: a [`Role`] exercised over a [`Perimetre`] (the whole
//! country, a region, a département, one collectivity, a partner organisation, or nothing).
//! [`decider`] is the only place where a permission is decided; every route, page and command
//! asks it and maps its [`Decision`] to an answer (`Autorise` → proceed, `Interdit` → 403,
//! `Masque` → 404, the same answer as for an object that does not exist).
//!
//! Two questions are kept apart:
//! - **who** may act on an object: [`decider`], from the habilitation, the action and the
//!   target ([`Cible`]);
//! - **when** the object allows it: [`etats_admis`], [`transition`] and [`etat_apres`], from the
//!   action and the contract's current state.
//!
//! A commissaire asked to validate a contract that is still a draft has the right but the
//! contract is not ready: that is a conflict with the contract's state, not a missing
//! permission, and the user needs a different message (which state, which states are expected).
//! Callers check [`decider`] first (so that a hidden contract stays hidden whatever its state),
//! then [`etat_apres`]. `decider` reads the contract's state in one case only, where it is part
//! of *who*: a collectivity may import its own contract as a draft, while importing a contract
//! already validated or signed (taking over contracts signed before Pacte) is a national act.
//!
//! `docs/DROITS.md` is generated from this module by [`table_markdown`]; a unit test fails when
//! it drifts (`PACTE_METTRE_A_JOUR=1 cargo test -p pacte-core droits` rewrites it).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::contrat::{Contrat, EtatContrat};
use crate::territoires::{Siren, territoires};

/// A user's role (issue 5). The scope it is exercised over is a [`Perimetre`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// DIPLP and DGCS: référentiel, users, imports; reads everything.
    AdministrateurNational,
    /// Reads everything, changes nothing (national consolidation, inspection).
    LecteurNational,
    /// The commissaire à la lutte contre la pauvreté and the DREETS of a region.
    Commissaire,
    /// The DDETS of a département: instructs the contracts of its territory.
    Ddets,
    /// A collectivity's agent who drafts and submits its contract.
    CollectiviteEditeur,
    /// A collectivity's agent who reads its contract.
    CollectiviteLecteur,
    /// A signatory organisation of a pacte local (CAF, France Travail, association…).
    Partenaire,
    /// An account created at first ProConnect login, with no rights yet.
    Aucun,
}

impl Role {
    pub const TOUS: [Role; 8] = [
        Role::AdministrateurNational,
        Role::LecteurNational,
        Role::Commissaire,
        Role::Ddets,
        Role::CollectiviteEditeur,
        Role::CollectiviteLecteur,
        Role::Partenaire,
        Role::Aucun,
    ];

    pub fn libelle(self) -> &'static str {
        match self {
            Role::AdministrateurNational => "Administrateur national",
            Role::LecteurNational => "Lecteur national",
            Role::Commissaire => "Commissaire",
            Role::Ddets => "DDETS",
            Role::CollectiviteEditeur => "Collectivité (éditeur)",
            Role::CollectiviteLecteur => "Collectivité (lecteur)",
            Role::Partenaire => "Partenaire",
            Role::Aucun => "Aucun droit",
        }
    }

    /// Who holds the role, in French.
    pub fn description(self) -> &'static str {
        match self {
            Role::AdministrateurNational => {
                "DIPLP et DGCS : référentiel, utilisateurs, imports, consolidation nationale"
            }
            Role::LecteurNational => "consultation nationale, sans modification",
            Role::Commissaire => {
                "commissaire à la lutte contre la pauvreté et DREETS : négociation, validation, dérogations, dialogue de gestion"
            }
            Role::Ddets => "DDETS : instruction des contrats du département",
            Role::CollectiviteEditeur => "agent de la collectivité qui rédige et soumet son contrat",
            Role::CollectiviteLecteur => "agent de la collectivité qui consulte son contrat",
            Role::Partenaire => "organisation signataire d'un pacte local",
            Role::Aucun => "compte créé à la première connexion ProConnect, en attente d'habilitation",
        }
    }

    /// The kind of scope the role is exercised over.
    pub fn portee(self) -> Portee {
        match self {
            Role::AdministrateurNational | Role::LecteurNational => Portee::National,
            Role::Commissaire => Portee::Region,
            Role::Ddets => Portee::Departement,
            Role::CollectiviteEditeur | Role::CollectiviteLecteur => Portee::Collectivite,
            Role::Partenaire => Portee::Organisation,
            Role::Aucun => Portee::Aucun,
        }
    }
}

impl Role {
    /// The scope a role of this kind can only have (national, none); `None` when it names a
    /// territory or an organisation that must be chosen.
    pub fn perimetre_implicite(self) -> Option<Perimetre> {
        match self.portee() {
            Portee::National => Some(Perimetre::National),
            Portee::Aucun => Some(Perimetre::Aucun),
            Portee::Region | Portee::Departement | Portee::Collectivite | Portee::Organisation => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.libelle())
    }
}

/// The kind of a scope, without its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Portee {
    National,
    Region,
    Departement,
    Collectivite,
    Organisation,
    Aucun,
}

impl Portee {
    /// « une région », for messages and the roles table.
    pub fn libelle(self) -> &'static str {
        match self {
            Portee::National => "le territoire national",
            Portee::Region => "une région",
            Portee::Departement => "un département",
            Portee::Collectivite => "une collectivité",
            Portee::Organisation => "une organisation partenaire",
            Portee::Aucun => "aucun périmètre",
        }
    }

    /// « sa région », in the permissions table.
    fn possessif(self) -> &'static str {
        match self {
            Portee::National => "tous",
            Portee::Region => "sa région",
            Portee::Departement => "son département",
            Portee::Collectivite => "sa collectivité",
            Portee::Organisation => "son organisation",
            Portee::Aucun => "aucun",
        }
    }
}

/// The territory or organisation a role is exercised over.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perimetre {
    National,
    /// INSEE region code (« 93 »).
    Region(String),
    /// COG département code (« 13 », « 2A »).
    Departement(String),
    /// Collectivity code in Pacte: SIREN, or COG code for a département.
    Collectivite(String),
    /// Name of a partner organisation.
    Organisation(String),
    Aucun,
}

impl Perimetre {
    pub fn portee(&self) -> Portee {
        match self {
            Perimetre::National => Portee::National,
            Perimetre::Region(_) => Portee::Region,
            Perimetre::Departement(_) => Portee::Departement,
            Perimetre::Collectivite(_) => Portee::Collectivite,
            Perimetre::Organisation(_) => Portee::Organisation,
            Perimetre::Aucun => Portee::Aucun,
        }
    }

    /// Whether the contract of this collectivity lies in the scope.
    ///
    /// A region or a département covers a collectivity whose seat département is in it. A
    /// collectivity unknown to `territoires()` (a community selected by the national AMI) has
    /// no département: it is covered by the national scope and by its own code only.
    fn couvre(&self, collectivite: &str) -> bool {
        let collectivite = collectivite.trim();
        let t = territoires();
        match self {
            Perimetre::National => true,
            Perimetre::Region(r) => t
                .collectivite(collectivite)
                .and_then(|c| t.region_de(c))
                .is_some_and(|region| region.code == *r),
            Perimetre::Departement(d) => t.collectivite(collectivite).is_some_and(|c| c.departement == *d),
            Perimetre::Collectivite(c) => c == collectivite,
            Perimetre::Organisation(_) | Perimetre::Aucun => false,
        }
    }
}

impl fmt::Display for Perimetre {
    /// « région Provence-Alpes-Côte d'Azur (93) ».
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = territoires();
        match self {
            Perimetre::National => f.write_str("national"),
            Perimetre::Region(code) => match t.region(code) {
                Some(r) => write!(f, "région {} ({code})", r.nom),
                None => write!(f, "région {code}"),
            },
            Perimetre::Departement(code) => match t.departement(code) {
                Some(d) => write!(f, "département {} ({code})", d.nom),
                None => write!(f, "département {code}"),
            },
            Perimetre::Collectivite(code) => match t.collectivite(code) {
                Some(c) => write!(f, "{} ({code})", c.nom),
                None => write!(f, "collectivité {code}"),
            },
            Perimetre::Organisation(nom) => f.write_str(nom),
            Perimetre::Aucun => f.write_str("aucun périmètre"),
        }
    }
}

/// A role with its scope. Cannot be built incoherent (a DDETS over a region) or over a
/// territory that does not exist.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "HabilitationBrute")]
pub struct Habilitation {
    role: Role,
    perimetre: Perimetre,
}

/// The unchecked form read from storage or JSON.
#[derive(Deserialize)]
struct HabilitationBrute {
    role: Role,
    perimetre: Perimetre,
}

impl TryFrom<HabilitationBrute> for Habilitation {
    type Error = String;
    fn try_from(h: HabilitationBrute) -> Result<Habilitation, String> {
        Habilitation::new(h.role, h.perimetre)
    }
}

/// Longest name of a partner organisation in a scope (characters).
pub const ORGANISATION_MAX: usize = 200;

impl Habilitation {
    /// Checks that the scope fits the role and names an existing territory; codes are trimmed
    /// and a collectivity's SIREN is normalised.
    pub fn new(role: Role, perimetre: Perimetre) -> Result<Habilitation, String> {
        if perimetre.portee() != role.portee() {
            return Err(format!(
                "le rôle « {} » s'exerce sur {}, pas sur {}",
                role.libelle(),
                role.portee().libelle(),
                perimetre.portee().libelle()
            ));
        }
        let t = territoires();
        let perimetre = match perimetre {
            Perimetre::Region(code) => {
                let code = code.trim();
                if t.region(code).is_none() {
                    return Err(format!(
                        "la région « {code} » n'existe pas : code INSEE de région attendu, par exemple « 93 »"
                    ));
                }
                Perimetre::Region(code.to_string())
            }
            Perimetre::Departement(code) => {
                let code = code.trim();
                if t.departement(code).is_none() {
                    return Err(format!(
                        "le département « {code} » n'existe pas : code officiel géographique attendu, par exemple « 13 » ou « 2A »"
                    ));
                }
                Perimetre::Departement(code.to_string())
            }
            Perimetre::Collectivite(code) => {
                let code = code.trim();
                if t.collectivite(code).is_some() {
                    Perimetre::Collectivite(code.to_string())
                } else {
                    // A collectivity outside the list (selected by the AMI) is named by its SIREN.
                    let siren = Siren::parse(code).map_err(|e| {
                        format!(
                            "la collectivité « {code} » n'est pas dans la liste de Pacte et n'a pas de SIREN valide ({e})"
                        )
                    })?;
                    Perimetre::Collectivite(siren.as_str().to_string())
                }
            }
            Perimetre::Organisation(nom) => {
                let nom = nom.trim();
                if nom.is_empty() {
                    return Err("le nom de l'organisation partenaire est vide".to_string());
                }
                if nom.chars().count() > ORGANISATION_MAX {
                    return Err(format!(
                        "le nom de l'organisation partenaire dépasse {ORGANISATION_MAX} caractères"
                    ));
                }
                Perimetre::Organisation(nom.to_string())
            }
            p @ (Perimetre::National | Perimetre::Aucun) => p,
        };
        Ok(Habilitation { role, perimetre })
    }

    /// The habilitation of an account with no rights yet.
    pub fn aucune() -> Habilitation {
        Habilitation {
            role: Role::Aucun,
            perimetre: Perimetre::Aucun,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn perimetre(&self) -> &Perimetre {
        &self.perimetre
    }

    /// The French message of a refusal (`Decision::Interdit`).
    pub fn refus(&self, action: Action) -> String {
        format!(
            "votre habilitation ({}, {}) ne permet pas l'action « {} »",
            self.role.libelle(),
            self.perimetre,
            action.libelle()
        )
    }
}

impl fmt::Display for Habilitation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} — {}", self.role.libelle(), self.perimetre)
    }
}

/// What a user asks to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read a contract.
    Lire,
    /// Edit the header and the fiches (draft and negotiation).
    Modifier,
    /// brouillon → negociation.
    Soumettre,
    /// negociation → valide.
    Valider,
    /// Authorise an action outside the référentiel (R-ACT-03).
    AccorderDerogation,
    /// valide → delibere.
    EnregistrerDeliberation,
    /// delibere → signe.
    EnregistrerSignature,
    /// signe → en_execution.
    MettreEnExecution,
    /// en_execution → evalue (mid-term evaluation, R-FIN-07).
    Evaluer,
    /// evalue → clos.
    Clore,
    /// signe, en_execution or evalue → denonce (R-DOC-10).
    Denoncer,
    /// Create a contract from a file or the API; the target carries the state it arrives in.
    Importer,
    GererUtilisateurs,
    LireReferentiel,
    LireJournalAudit,
    /// Record the State's side of the execution: notifications, avenants, payments,
    /// carry-over and reduction decisions (issue 12).
    EnregistrerFinancesEtat,
    /// Record the collectivity's side of the execution: realised amounts (form or Bilan
    /// file) and reduction justifications (issue 12).
    DeclarerRealisations,
    /// Open a yearly indicator campaign (R-REP-01): national administrators.
    OuvrirCampagne,
    /// Enter, correct and submit a contract's campaign figures and its mid-term report dates.
    SaisirCampagne,
    /// Validate or return a contract's campaign figures.
    InstruireCampagne,
    /// Reopen validated campaign figures, with a reason.
    RouvrirCampagne,
    /// Record the mid-term decision on the 2027 amounts (R-EVAL-02, R-FIN-07).
    DeciderMiParcours,
}

impl Action {
    pub const TOUTES: [Action; 22] = [
        Action::Lire,
        Action::Modifier,
        Action::Soumettre,
        Action::Valider,
        Action::AccorderDerogation,
        Action::EnregistrerDeliberation,
        Action::EnregistrerSignature,
        Action::MettreEnExecution,
        Action::Evaluer,
        Action::Clore,
        Action::Denoncer,
        Action::Importer,
        Action::GererUtilisateurs,
        Action::LireReferentiel,
        Action::LireJournalAudit,
        Action::EnregistrerFinancesEtat,
        Action::DeclarerRealisations,
        Action::OuvrirCampagne,
        Action::SaisirCampagne,
        Action::InstruireCampagne,
        Action::RouvrirCampagne,
        Action::DeciderMiParcours,
    ];

    pub fn libelle(self) -> &'static str {
        match self {
            Action::Lire => "Lire un contrat",
            Action::Modifier => "Modifier l'en-tête et les fiches",
            Action::Soumettre => "Soumettre à l'État",
            Action::Valider => "Valider",
            Action::AccorderDerogation => "Accorder une dérogation (R-ACT-03)",
            Action::EnregistrerDeliberation => "Enregistrer la délibération",
            Action::EnregistrerSignature => "Enregistrer la signature",
            Action::MettreEnExecution => "Mettre en exécution",
            Action::Evaluer => "Enregistrer l'évaluation à mi-parcours",
            Action::Clore => "Clore",
            Action::Denoncer => "Enregistrer la dénonciation",
            Action::Importer => "Importer un contrat (fichier ou API)",
            Action::GererUtilisateurs => "Gérer les utilisateurs",
            Action::LireReferentiel => "Lire le référentiel et les territoires",
            Action::LireJournalAudit => "Lire le journal d'audit",
            Action::EnregistrerFinancesEtat => {
                "Enregistrer notifications, avenants, versements, reports et réductions"
            }
            Action::DeclarerRealisations => "Déclarer les montants réalisés et les justifications",
            Action::OuvrirCampagne => "Ouvrir une campagne d'indicateurs",
            Action::SaisirCampagne => "Saisir et soumettre les indicateurs de la campagne",
            Action::InstruireCampagne => "Valider ou renvoyer les indicateurs de la campagne",
            Action::RouvrirCampagne => "Rouvrir des indicateurs validés",
            Action::DeciderMiParcours => "Décider du montant 2027 après l'évaluation à mi-parcours",
        }
    }

    /// The kind of target the action applies to.
    fn nature_cible(self) -> NatureCible {
        match self {
            Action::GererUtilisateurs => NatureCible::Utilisateurs,
            Action::LireReferentiel => NatureCible::Referentiel,
            Action::LireJournalAudit => NatureCible::Journal,
            Action::OuvrirCampagne => NatureCible::Campagnes,
            _ => NatureCible::Contrat,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.libelle())
    }
}

/// The object an action applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cible {
    /// The référentiel and the territories: public data.
    Referentiel,
    /// A contract, by its collectivity's code and its current state (for `Importer`: the state
    /// it arrives in).
    Contrat { collectivite: String, etat: EtatContrat },
    /// The user accounts and their habilitations.
    Utilisateurs,
    /// The audit log.
    Journal,
    /// The yearly indicator campaigns as a whole (opening one).
    Campagnes,
}

impl Cible {
    pub fn contrat(c: &Contrat) -> Cible {
        Cible::Contrat {
            collectivite: c.contrat.collectivite.clone(),
            etat: c.contrat.etat,
        }
    }

    fn nature(&self) -> NatureCible {
        match self {
            Cible::Referentiel => NatureCible::Referentiel,
            Cible::Contrat { .. } => NatureCible::Contrat,
            Cible::Utilisateurs => NatureCible::Utilisateurs,
            Cible::Journal => NatureCible::Journal,
            Cible::Campagnes => NatureCible::Campagnes,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NatureCible {
    Referentiel,
    Contrat,
    Utilisateurs,
    Journal,
    Campagnes,
}

/// The answer to « may this user do this on this object? ».
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Autorise,
    /// The user sees the object but may not do this (answer 403).
    Interdit,
    /// The user may not know the object exists (answer 404, as for a missing object).
    Masque,
}

/// The one place where permissions are decided. Pure: reads only its arguments and the
/// compiled-in territories.
///
/// On a contract: a user who may not read it gets `Masque` whatever the action, so that
/// neither the existence nor the state of a contract outside their territory leaks; one who
/// may read it gets `Autorise` or `Interdit`. `Importer` creates a contract and is never
/// `Masque`: its answer does not depend on what exists. An action paired with a target of
/// the wrong kind (`GererUtilisateurs` on a contract) is `Interdit`.
pub fn decider(h: &Habilitation, action: Action, cible: &Cible) -> Decision {
    if action.nature_cible() != cible.nature() {
        return Decision::Interdit;
    }
    let role = h.role;
    let permis = match cible {
        Cible::Contrat { collectivite, etat } => {
            let couvert = h.perimetre.couvre(collectivite);
            if action != Action::Importer && !(couvert && permis_sur_contrat(role, Action::Lire, *etat)) {
                return Decision::Masque;
            }
            couvert && permis_sur_contrat(role, action, *etat)
        }
        // Public data: every logged-in user, `aucun` included.
        Cible::Referentiel => true,
        Cible::Utilisateurs | Cible::Journal | Cible::Campagnes => role == Role::AdministrateurNational,
    };
    if permis {
        Decision::Autorise
    } else {
        Decision::Interdit
    }
}

/// The permissions table on a contract within the role's scope. The reasons are in
/// [`RAISONS`] and `docs/DROITS.md`.
fn permis_sur_contrat(role: Role, action: Action, etat: EtatContrat) -> bool {
    use Role::*;
    match action {
        // Partenaire: will read the contracts of the collectivities whose pacte it signed;
        // the signatories are not stored yet, so nothing for now.
        Action::Lire => matches!(
            role,
            AdministrateurNational
                | LecteurNational
                | Commissaire
                | Ddets
                | CollectiviteEditeur
                | CollectiviteLecteur
        ),
        // The collectivity drafts and submits.
        Action::Modifier | Action::Soumettre => role == CollectiviteEditeur,
        // The commissaire's decisions.
        Action::Valider | Action::AccorderDerogation | Action::Evaluer | Action::Clore => role == Commissaire,
        // Acts taken outside Pacte, recorded by the State.
        Action::EnregistrerDeliberation
        | Action::EnregistrerSignature
        | Action::MettreEnExecution
        | Action::Denoncer => matches!(role, Commissaire | Ddets),
        // Past the draft, an imported contract asserts a validation or a signature.
        Action::Importer => {
            role == AdministrateurNational || (role == CollectiviteEditeur && etat == EtatContrat::Brouillon)
        }
        Action::GererUtilisateurs | Action::LireReferentiel | Action::LireJournalAudit => false,
        // The execution: the State notifies and pays, the collectivity declares what it spent.
        Action::EnregistrerFinancesEtat => matches!(role, Commissaire | Ddets),
        Action::DeclarerRealisations => role == CollectiviteEditeur,
        // The campaigns (annexe 6, A5 IV): the collectivity reports, the State instructs, the
        // commissaire alone reopens validated figures and decides the 2027 amounts.
        Action::SaisirCampagne => role == CollectiviteEditeur,
        Action::InstruireCampagne => matches!(role, Commissaire | Ddets),
        Action::RouvrirCampagne | Action::DeciderMiParcours => role == Commissaire,
        Action::OuvrirCampagne => false,
    }
}

/// The lifecycle transition an action performs: the states it starts from and the state it
/// leads to. `None` for actions that do not change the state.
pub fn transition(action: Action) -> Option<(&'static [EtatContrat], EtatContrat)> {
    use EtatContrat::*;
    match action {
        Action::Soumettre => Some((&[Brouillon], Negociation)),
        Action::Valider => Some((&[Negociation], Valide)),
        Action::EnregistrerDeliberation => Some((&[Valide], Delibere)),
        Action::EnregistrerSignature => Some((&[Delibere], Signe)),
        Action::MettreEnExecution => Some((&[Signe], EnExecution)),
        Action::Evaluer => Some((&[EnExecution], Evalue)),
        Action::Clore => Some((&[Evalue], Clos)),
        Action::Denoncer => Some((&[Signe, EnExecution, Evalue], Denonce)),
        _ => None,
    }
}

/// The states of the contract in which the action is possible; `None`: any state.
pub fn etats_admis(action: Action) -> Option<&'static [EtatContrat]> {
    use EtatContrat::*;
    match action {
        // Once validated, the contract changes only through riders (avenants).
        Action::Modifier => Some(&[Brouillon, Negociation]),
        // A derogation is decided before validation, which R-ACT-02 would otherwise block.
        Action::AccorderDerogation => Some(&[Brouillon, Negociation]),
        // Money moves once the contract is signed, until its evaluation is closed.
        Action::EnregistrerFinancesEtat | Action::DeclarerRealisations => Some(&[Signe, EnExecution, Evalue]),
        // Indicators are reported once the contract is signed (R-REP-01).
        Action::SaisirCampagne
        | Action::InstruireCampagne
        | Action::RouvrirCampagne
        | Action::DeciderMiParcours => Some(&[Signe, EnExecution, Evalue]),
        _ => transition(action).map(|(depuis, _)| depuis),
    }
}

/// The state of the contract after the action, or the French reason why its current state
/// does not allow it. Call after [`decider`] has answered `Autorise`.
pub fn etat_apres(action: Action, etat: EtatContrat) -> Result<EtatContrat, String> {
    if let Some(admis) = etats_admis(action)
        && !admis.contains(&etat)
    {
        return Err(format!(
            "« {} » n'est possible qu'à l'état {} ; ce contrat est à l'état {}",
            action.libelle(),
            liste_etats(admis, "ou"),
            etat.libelle()
        ));
    }
    Ok(transition(action).map_or(etat, |(_, vers)| vers))
}

/// « brouillon, en négociation ou validé ».
fn liste_etats(etats: &[EtatContrat], conjonction: &str) -> String {
    let libelles: Vec<&str> = etats.iter().map(|e| e.libelle()).collect();
    match libelles.split_last() {
        None => String::new(),
        Some((dernier, [])) => dernier.to_string(),
        Some((dernier, debut)) => format!("{} {conjonction} {dernier}", debut.join(", ")),
    }
}

/// The reasons for the choices, in French, rendered in `docs/DROITS.md`.
pub const RAISONS: &[(&str, &str)] = &[
    (
        "Lire",
        "Les rôles nationaux lisent tous les contrats (consolidation nationale). Le ou la \
         commissaire et la DREETS lisent les contrats de leur région, la DDETS ceux de son \
         département, qu'elle instruit, et une collectivité le sien. Un contrat est dans une \
         région ou un département quand le département du siège de sa collectivité y est : le \
         contrat de la Métropole d'Aix-Marseille-Provence (siège dans les Bouches-du-Rhône) est \
         lu par la DDETS des Bouches-du-Rhône et par le ou la commissaire de \
         Provence-Alpes-Côte d'Azur.",
    ),
    (
        "La collectivité rédige et soumet",
        "Seul l'éditeur de la collectivité modifie l'en-tête et les fiches de son contrat, au \
         brouillon et pendant la négociation, et le soumet à l'État. Le lecteur de la \
         collectivité consulte sans modifier.",
    ),
    (
        "La DDETS instruit sans modifier",
        "La DDETS lit les contrats de son département (elle pourra les commenter), mais ne \
         modifie pas leurs fiches : elles sont la proposition de la collectivité, et la \
         position de l'État passe par la validation, les dérogations et les commentaires. Si \
         les deux parties écrivaient les mêmes fiches, on ne saurait plus qui a proposé quoi, \
         ni dans la négociation ni dans le journal d'audit. Le ou la commissaire ne modifie pas \
         les fiches pour la même raison.",
    ),
    (
        "Le ou la commissaire valide et accorde les dérogations",
        "La validation du contrat et les dérogations pour une action hors référentiel \
         (R-ACT-03 : « le ou la commissaire peut autoriser la contractualisation d'une action \
         qui ne serait pas prévue dans les référentiels ») reviennent au ou à la commissaire de \
         la région, avec la DREETS ; elles ne sont pas déléguées à la DDETS. Une dérogation est \
         accordée avant la validation, que R-ACT-02 bloquerait sinon.",
    ),
    (
        "L'État enregistre les actes",
        "Après la validation, chaque changement d'état constate un acte pris hors de Pacte : \
         la délibération de l'assemblée (R-DOC-05), la signature par le préfet de département et \
         le président de l'exécutif, le début de l'exécution, la dénonciation par lettre \
         recommandée adressée au préfet (R-DOC-10). L'État, qui reçoit ou détient ces actes, les \
         enregistre : la DDETS pour son département, le ou la commissaire pour sa région. La \
         collectivité n'enregistre pas elle-même ces états, pas même sa propre dénonciation, \
         qu'elle adresse au préfet.",
    ),
    (
        "Évaluer et clore",
        "L'évaluation à mi-parcours conditionne les crédits de 2027 (R-FIN-07) et la clôture \
         arrête le contrat : ces décisions reviennent au ou à la commissaire, qui conduit le \
         dialogue de gestion annuel.",
    ),
    (
        "Pas d'état « refusé »",
        "Un contrat que le ou la commissaire ne valide pas reste en négociation : la \
         collectivité le corrige et l'État le valide ensuite.",
    ),
    (
        "Les rôles nationaux",
        "Ils lisent tous les contrats et n'en modifient aucun : la négociation est \
         territoriale. L'administrateur national gère les utilisateurs, lit le journal d'audit \
         et importe les contrats.",
    ),
    (
        "Importer",
        "Importer crée un contrat à partir d'un fichier ou de l'API. L'éditeur d'une \
         collectivité importe son propre contrat à l'état brouillon. Importer un contrat à un \
         état plus avancé affirme une validation ou une signature qui n'a pas eu lieu dans \
         Pacte (reprise des contrats signés avant sa mise en service) : c'est réservé à \
         l'administrateur national, et journalisé comme toute écriture.",
    ),
    (
        "L'exécution financière",
        "Une fois le contrat signé et jusqu'à son évaluation, chaque partie enregistre ce qui \
         relève d'elle (annexe 10) : la DDETS et le ou la commissaire enregistrent les \
         notifications, les avenants financiers, les versements, les reports et les décisions \
         de réduction ; l'éditeur de la collectivité déclare les montants réalisés (formulaire \
         ou tableau « Bilan ») et justifie une sous-consommation. Les rôles nationaux lisent \
         ces données sans les modifier.",
    ),
    (
        "Les campagnes d'indicateurs",
        "L'administrateur national ouvre la campagne de l'année n (échéance le 31 mars n+1, \
         R-REP-01). Une fois le contrat signé, l'éditeur de la collectivité saisit les \
         indicateurs et les soumet ; la DDETS ou le ou la commissaire les valide ou les renvoie \
         avec un commentaire par chiffre. Validés, ils sont verrouillés : seul le ou la \
         commissaire les rouvre, avec un motif journalisé, et décide du montant 2027 après \
         l'évaluation à mi-parcours (R-EVAL-02, R-FIN-07). Les parties rédigées des rapports \
         annuel et à mi-parcours suivent le droit de saisie et se verrouillent avec la \
         validation ; le texte de la note de synthèse régionale (R-REP-06) est écrit par le ou \
         la commissaire de la région ou par l'administrateur national, et lu aussi par le \
         lecteur national.",
    ),
    (
        "Utilisateurs et journal d'audit",
        "Seul l'administrateur national attribue les habilitations. Le journal d'audit nomme \
         les personnes qui ont agi : seul l'administrateur national le lit.",
    ),
    (
        "Partenaires",
        "Un partenaire lira les contrats des collectivités dont il a signé le pacte local. \
         Pacte ne connaît pas encore les signataires des pactes : pour l'instant, un partenaire \
         ne voit aucun contrat.",
    ),
    (
        "Comptes sans droit et référentiel",
        "Un compte créé à la première connexion ProConnect n'a aucun droit : il ne voit aucun \
         contrat tant que l'administrateur ne lui a pas attribué d'habilitation. Le référentiel \
         (axes, types d'action, indicateurs, territoires) est public : tout utilisateur \
         connecté le lit, même sans droit.",
    ),
    (
        "Collectivités hors de la liste",
        "Une collectivité absente de la liste des territoires de Pacte (communauté \
         sélectionnée par l'AMI national, R-ELIG-03) n'est rattachée à aucun département ni à \
         aucune région : son contrat n'est visible que des rôles nationaux et de ses propres \
         utilisateurs, tant qu'elle n'est pas ajoutée à la liste.",
    ),
];

mod echanges_actes;

/// Representative habilitation of each role, for the generated table.
fn exemple(role: Role) -> Habilitation {
    let perimetre = match role.portee() {
        Portee::National => Perimetre::National,
        Portee::Region => Perimetre::Region("93".into()),
        Portee::Departement => Perimetre::Departement("13".into()),
        Portee::Collectivite => Perimetre::Collectivite(EXEMPLE_DANS.into()),
        Portee::Organisation => {
            Perimetre::Organisation("Caisse d'allocations familiales des Bouches-du-Rhône".into())
        }
        Portee::Aucun => Perimetre::Aucun,
    };
    Habilitation::new(role, perimetre).expect("coherent example")
}

/// Métropole d'Aix-Marseille-Provence: in the examples' scope (Bouches-du-Rhône, PACA).
const EXEMPLE_DANS: &str = "200054807";
/// Montpellier Méditerranée Métropole: outside it (Hérault, Occitanie).
const EXEMPLE_HORS: &str = "243400017";

fn cible_exemple(action: Action, collectivite: &str, etat: EtatContrat) -> Cible {
    match action.nature_cible() {
        NatureCible::Referentiel => Cible::Referentiel,
        NatureCible::Utilisateurs => Cible::Utilisateurs,
        NatureCible::Journal => Cible::Journal,
        NatureCible::Campagnes => Cible::Campagnes,
        NatureCible::Contrat => Cible::Contrat {
            collectivite: collectivite.to_string(),
            etat,
        },
    }
}

/// One cell of the table, computed from [`decider`] and [`etats_admis`]: « oui (sa région), à
/// l'état en négociation », « non (403) ».
fn cellule(role: Role, action: Action) -> String {
    let h = exemple(role);
    let admis = etats_admis(action).unwrap_or(&EtatContrat::TOUS);
    let etats: Vec<EtatContrat> = admis
        .iter()
        .copied()
        .filter(|e| decider(&h, action, &cible_exemple(action, EXEMPLE_DANS, *e)) == Decision::Autorise)
        .collect();
    if etats.is_empty() {
        let refus = decider(
            &h,
            action,
            &cible_exemple(action, EXEMPLE_DANS, EtatContrat::Brouillon),
        );
        return match refus {
            Decision::Masque => "non (404)".to_string(),
            _ => "non (403)".to_string(),
        };
    }
    let partout = EtatContrat::TOUS
        .iter()
        .any(|e| decider(&h, action, &cible_exemple(action, EXEMPLE_HORS, *e)) == Decision::Autorise);
    let mut s = if partout || action.nature_cible() != NatureCible::Contrat {
        "oui".to_string()
    } else {
        format!("oui ({})", role.portee().possessif())
    };
    if etats.len() < EtatContrat::TOUS.len() {
        s.push_str(&format!(", à l'état {}", liste_etats(&etats, "ou")));
    }
    s
}

/// `docs/DROITS.md`: roles, the permissions table, the states, 403 and 404, the reasons.
pub fn table_markdown() -> String {
    let mut s = String::from(
        "# Droits des utilisateurs\n\n\
         <!-- Generated from crates/core/src/droits.rs by `PACTE_METTRE_A_JOUR=1 cargo test -p pacte-core droits`; do not edit. -->\n\n\
         Chaque utilisateur de Pacte a une habilitation : un rôle, exercé sur un périmètre. \
         Les droits sont décidés en un seul endroit du code (`pacte_core::droits::decider`) : \
         les pages, l'API et la ligne de commande appliquent la même décision, et ce tableau en \
         est calculé.\n\n\
         ## Rôles\n\n\
         | Rôle | Code | Périmètre | Pour qui |\n|---|---|---|---|\n",
    );
    for role in Role::TOUS {
        let code = serde_json::to_value(role).expect("a role serialises");
        s.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            role.libelle(),
            code.as_str().expect("a role is a string"),
            role.portee().libelle(),
            role.description()
        ));
    }

    s.push_str(
        "\n## Qui peut faire quoi\n\n\
         « Sa région », « son département », « sa collectivité » : les contrats des collectivités \
         de ce territoire. Hors de son territoire, un contrat répond 404 (sauf à l'import, qui \
         répond 403). \
         « non (403) » : l'utilisateur voit l'objet mais son rôle ne permet pas l'action ; \
         « non (404) » : il ne voit pas même l'objet.\n\n| Action |",
    );
    for role in Role::TOUS {
        s.push_str(&format!(" {} |", role.libelle()));
    }
    s.push_str("\n|---|");
    for _ in Role::TOUS {
        s.push_str("---|");
    }
    s.push('\n');
    for action in Action::TOUTES {
        s.push_str(&format!("| {} |", action.libelle()));
        for role in Role::TOUS {
            s.push_str(&format!(" {} |", cellule(role, action)));
        }
        s.push('\n');
    }

    s.push_str(
        "\n## États du contrat\n\n\
         Certaines actions ne sont possibles qu'à certains états du contrat. C'est une \
         question distincte des droits : à un autre état, la réponse n'est ni 403 ni 404 mais \
         un conflit avec l'état du contrat, dont le message nomme l'état actuel et les états \
         admis. Les droits sont vérifiés d'abord, pour qu'un contrat masqué le reste quel que \
         soit son état.\n\n\
         | Action | Possible à l'état | État après |\n|---|---|---|\n",
    );
    for action in Action::TOUTES {
        if let Some(admis) = etats_admis(action) {
            let apres = transition(action).map_or("inchangé", |(_, vers)| vers.libelle());
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                action.libelle(),
                liste_etats(admis, "ou"),
                apres
            ));
        }
    }
    s.push_str("\nLes autres actions sont possibles à tout état.\n");

    s.push_str(
        "\n## 403 ou 404\n\n\
         - **404 (introuvable)** : le contrat est hors du territoire de l'utilisateur, ou son \
         rôle ne lit aucun contrat. La réponse est celle d'un contrat qui n'existe pas, quelle \
         que soit l'action demandée : on ne peut pas apprendre ainsi quelles collectivités ont \
         un contrat, ni à quel état.\n\
         - **403 (interdit)** : l'utilisateur lit le contrat, mais son rôle ne permet pas \
         l'action (un lecteur qui tente une modification, une collectivité qui tente de \
         valider). La gestion des utilisateurs et le journal d'audit répondent 403 à qui n'y a \
         pas droit : leur existence n'est pas un secret.\n\
         - **Importer** ne répond jamais 404 : la réponse ne dépend pas de l'existence d'un \
         contrat.\n\
         - **Le référentiel** est public : tout utilisateur connecté le lit.\n",
    );

    s.push_str(&echanges_actes::sections());
    s.push_str("\n## Raisons des choix\n\n");
    for (titre, texte) in RAISONS {
        s.push_str(&format!("- **{titre}.** {texte}\n"));
    }
    s
}

/// Which contracts a user may read, in terms a database can filter on: the territory of the
/// scope and the states the role reads. The contract lists are filtered in SQL with it
/// (`pacte_store::Base::contrats_lisibles`), so that a reader's list never loads a contract
/// outside their reach; [`PorteeLecture::couvre`] gives, by construction, the same answer as
/// [`decider`] with [`Action::Lire`] (a test enumerates roles, territories and states).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PorteeLecture {
    pub territoire: TerritoireLu,
    /// The states of the contracts the role reads (lifecycle order).
    pub etats: Vec<EtatContrat>,
}

/// The territory of a reading scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerritoireLu {
    /// Every contract.
    Tout,
    /// Contracts of the collectivities whose seat département is in this region (INSEE code).
    Region(String),
    /// Contracts of the collectivities whose seat département is this one (COG code).
    Departement(String),
    /// The contracts of this collectivity (its code in Pacte).
    Collectivite(String),
    /// No contract.
    Rien,
}

impl Habilitation {
    /// The contracts this habilitation may read (see [`PorteeLecture`]).
    pub fn portee_lecture(&self) -> PorteeLecture {
        let territoire = match &self.perimetre {
            Perimetre::National => TerritoireLu::Tout,
            Perimetre::Region(r) => TerritoireLu::Region(r.clone()),
            Perimetre::Departement(d) => TerritoireLu::Departement(d.clone()),
            Perimetre::Collectivite(c) => TerritoireLu::Collectivite(c.clone()),
            Perimetre::Organisation(_) | Perimetre::Aucun => TerritoireLu::Rien,
        };
        PorteeLecture {
            territoire,
            etats: EtatContrat::TOUS
                .into_iter()
                .filter(|e| permis_sur_contrat(self.role, Action::Lire, *e))
                .collect(),
        }
    }
}

impl Habilitation {
    /// The territory whose consolidation this habilitation reads (issue 15): France for the
    /// national roles, its region for a commissaire; none for the other roles.
    pub fn portee_consolidation(&self) -> Option<TerritoireLu> {
        match (self.role, &self.perimetre) {
            (Role::AdministrateurNational | Role::LecteurNational, Perimetre::National) => {
                Some(TerritoireLu::Tout)
            }
            (Role::Commissaire, Perimetre::Region(r)) => Some(TerritoireLu::Region(r.clone())),
            _ => None,
        }
    }
}

impl PorteeLecture {
    /// Whether the contract of `collectivite` at state `etat` is in this scope.
    pub fn couvre(&self, collectivite: &str, etat: EtatContrat) -> bool {
        if !self.etats.contains(&etat) {
            return false;
        }
        let t = territoires();
        let siege = || t.collectivite(collectivite.trim());
        match &self.territoire {
            TerritoireLu::Tout => true,
            TerritoireLu::Region(r) => siege()
                .and_then(|c| t.region_de(c))
                .is_some_and(|region| region.code == *r),
            TerritoireLu::Departement(d) => siege().is_some_and(|c| c.departement == *d),
            TerritoireLu::Collectivite(c) => c == collectivite.trim(),
            TerritoireLu::Rien => false,
        }
    }
}

// Codes of roles and scopes: how accounts store them, how the administration pages and the
// `pacte utilisateur` commands read and print them. One codec for every reader.

/// The role code stored and shown (`collectivite_editeur`): the serde name of [`Role`].
pub fn code_role(r: Role) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The scope as stored: `national`, `region:93`, `departement:13`, `collectivite:200054807`,
/// `organisation:<nom>`, `aucun`.
pub fn code_perimetre(p: &Perimetre) -> String {
    match p {
        Perimetre::National => "national".into(),
        Perimetre::Region(c) => format!("region:{c}"),
        Perimetre::Departement(c) => format!("departement:{c}"),
        Perimetre::Collectivite(c) => format!("collectivite:{c}"),
        Perimetre::Organisation(n) => format!("organisation:{n}"),
        Perimetre::Aucun => "aucun".into(),
    }
}

/// Reads a role code (`ddets`); the French reason when there is no such role.
pub fn lire_role(role: &str) -> Result<Role, String> {
    serde_json::from_value(serde_json::Value::String(role.trim().into())).map_err(|_| {
        format!(
            "le rôle « {} » n'existe pas : rôles possibles {}",
            role.trim(),
            Role::TOUS.map(code_role).join(", ")
        )
    })
}

/// Reads a scope code ([`code_perimetre`]'s form), without checking that the territory
/// exists ([`Habilitation::new`] does); the French reason when it is not one.
pub fn lire_perimetre(perimetre: &str) -> Result<Perimetre, String> {
    let p = perimetre.trim();
    Ok(match p.split_once(':') {
        Some(("region", c)) => Perimetre::Region(c.into()),
        Some(("departement", c)) => Perimetre::Departement(c.into()),
        Some(("collectivite", c)) => Perimetre::Collectivite(c.into()),
        Some(("organisation", n)) => Perimetre::Organisation(n.into()),
        None if p == "national" => Perimetre::National,
        None if p == "aucun" => Perimetre::Aucun,
        _ => {
            return Err(format!(
                "le périmètre « {p} » n'est pas reconnu : « national », « region:93 », « departement:13 », « collectivite:200054807 », « organisation:<nom> » ou « aucun »"
            ));
        }
    })
}

/// Reads a stored role and scope; the French reason when they do not make a habilitation.
pub fn lire_habilitation(role: &str, perimetre: &str) -> Result<Habilitation, String> {
    let r = lire_role(role)?;
    let p = lire_perimetre(perimetre)?;
    Habilitation::new(r, p)
}

/// Longest display name of an account (characters).
pub const NOM_MAX: usize = 200;

/// An account's display name, trimmed; the French reason when it is empty or too long. The
/// same check for the administration pages and the command line.
pub fn verifier_nom(nom: &str) -> Result<String, String> {
    let nom = nom.trim();
    if nom.is_empty() {
        return Err("le nom est vide : indiquez le prénom et le nom de la personne".into());
    }
    if nom.chars().count() > NOM_MAX || nom.chars().any(char::is_control) {
        return Err(format!(
            "le nom doit tenir sur une ligne de {NOM_MAX} caractères au plus"
        ));
    }
    Ok(nom.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::*;

    const AMP: &str = "200054807"; // Métropole d'Aix-Marseille-Provence, seat 13, region 93
    const BDR: &str = "13"; // Département des Bouches-du-Rhône
    const MARSEILLE: &str = "211300553"; // Ville de Marseille, 13
    const NICE: &str = "200030195"; // Métropole Nice Côte d'Azur, 06, region 93
    const MONTPELLIER: &str = "243400017"; // Montpellier Méditerranée Métropole, 34, region 76
    const LYON: &str = "200046977"; // Métropole de Lyon: a valid SIREN outside Pacte's list

    fn h(role: Role, perimetre: Perimetre) -> Habilitation {
        Habilitation::new(role, perimetre).unwrap()
    }

    fn contrat(collectivite: &str, etat: EtatContrat) -> Cible {
        Cible::Contrat {
            collectivite: collectivite.to_string(),
            etat,
        }
    }

    fn brouillon(collectivite: &str) -> Cible {
        contrat(collectivite, EtatContrat::Brouillon)
    }

    #[test]
    fn la_ddets_des_bouches_du_rhone() {
        let ddets = h(Role::Ddets, Perimetre::Departement("13".into()));
        for c in [BDR, AMP, MARSEILLE] {
            assert_eq!(decider(&ddets, Action::Lire, &brouillon(c)), Autorise, "{c}");
        }
        assert_eq!(decider(&ddets, Action::Lire, &brouillon(MONTPELLIER)), Masque);
        // Nice is in the same region, not in the same département.
        assert_eq!(decider(&ddets, Action::Lire, &brouillon(NICE)), Masque);
        // It instructs without editing, and does not validate.
        assert_eq!(decider(&ddets, Action::Modifier, &brouillon(AMP)), Interdit);
        let en_negociation = contrat(AMP, EtatContrat::Negociation);
        assert_eq!(decider(&ddets, Action::Valider, &en_negociation), Interdit);
        // It records the signature in its département, and nowhere else.
        let delibere = contrat(AMP, EtatContrat::Delibere);
        assert_eq!(decider(&ddets, Action::EnregistrerSignature, &delibere), Autorise);
        let delibere_ailleurs = contrat(MONTPELLIER, EtatContrat::Delibere);
        assert_eq!(
            decider(&ddets, Action::EnregistrerSignature, &delibere_ailleurs),
            Masque
        );
    }

    #[test]
    fn le_commissaire_de_paca() {
        let commissaire = h(Role::Commissaire, Perimetre::Region("93".into()));
        let amp = contrat(AMP, EtatContrat::Negociation);
        assert_eq!(decider(&commissaire, Action::Valider, &amp), Autorise);
        assert_eq!(decider(&commissaire, Action::AccorderDerogation, &amp), Autorise);
        assert_eq!(decider(&commissaire, Action::Lire, &brouillon(NICE)), Autorise);
        let montpellier = contrat(MONTPELLIER, EtatContrat::Negociation);
        assert_eq!(decider(&commissaire, Action::Valider, &montpellier), Masque);
        assert_eq!(decider(&commissaire, Action::Lire, &montpellier), Masque);
        // The fiches stay the collectivity's.
        assert_eq!(decider(&commissaire, Action::Modifier, &amp), Interdit);
        assert_eq!(
            decider(&commissaire, Action::Soumettre, &brouillon(AMP)),
            Interdit
        );
    }

    #[test]
    fn l_editeur_de_la_metropole() {
        let editeur = h(Role::CollectiviteEditeur, Perimetre::Collectivite(AMP.into()));
        assert_eq!(decider(&editeur, Action::Modifier, &brouillon(AMP)), Autorise);
        assert_eq!(decider(&editeur, Action::Soumettre, &brouillon(AMP)), Autorise);
        let amp = contrat(AMP, EtatContrat::Negociation);
        assert_eq!(decider(&editeur, Action::Valider, &amp), Interdit);
        assert_eq!(decider(&editeur, Action::AccorderDerogation, &amp), Interdit);
        assert_eq!(
            decider(
                &editeur,
                Action::EnregistrerDeliberation,
                &contrat(AMP, EtatContrat::Valide)
            ),
            Interdit
        );
        // Another collectivity's contract, even in the same département, does not exist for it.
        assert_eq!(decider(&editeur, Action::Lire, &brouillon(MARSEILLE)), Masque);
        assert_eq!(
            decider(&editeur, Action::Modifier, &brouillon(MONTPELLIER)),
            Masque
        );
        // Import: its own contract as a draft only, never another's (403: nothing to hide).
        assert_eq!(decider(&editeur, Action::Importer, &brouillon(AMP)), Autorise);
        assert_eq!(
            decider(&editeur, Action::Importer, &contrat(AMP, EtatContrat::Signe)),
            Interdit
        );
        assert_eq!(
            decider(&editeur, Action::Importer, &brouillon(MONTPELLIER)),
            Interdit
        );
        // The reader of the same collectivity reads and does nothing else.
        let lecteur = h(Role::CollectiviteLecteur, Perimetre::Collectivite(AMP.into()));
        assert_eq!(decider(&lecteur, Action::Lire, &brouillon(AMP)), Autorise);
        assert_eq!(decider(&lecteur, Action::Modifier, &brouillon(AMP)), Interdit);
        assert_eq!(decider(&lecteur, Action::Lire, &brouillon(MONTPELLIER)), Masque);
    }

    #[test]
    fn le_lecteur_national() {
        let lecteur = h(Role::LecteurNational, Perimetre::National);
        for c in [AMP, BDR, MONTPELLIER, LYON] {
            assert_eq!(decider(&lecteur, Action::Lire, &brouillon(c)), Autorise, "{c}");
            assert_eq!(
                decider(&lecteur, Action::Modifier, &brouillon(c)),
                Interdit,
                "{c}"
            );
        }
        assert_eq!(
            decider(&lecteur, Action::GererUtilisateurs, &Cible::Utilisateurs),
            Interdit
        );
        assert_eq!(
            decider(&lecteur, Action::LireJournalAudit, &Cible::Journal),
            Interdit
        );
    }

    #[test]
    fn l_administrateur_national() {
        let admin = h(Role::AdministrateurNational, Perimetre::National);
        assert_eq!(
            decider(&admin, Action::GererUtilisateurs, &Cible::Utilisateurs),
            Autorise
        );
        assert_eq!(
            decider(&admin, Action::LireJournalAudit, &Cible::Journal),
            Autorise
        );
        // Takes over a contract signed before Pacte.
        assert_eq!(
            decider(
                &admin,
                Action::Importer,
                &contrat(MONTPELLIER, EtatContrat::Signe)
            ),
            Autorise
        );
        assert_eq!(decider(&admin, Action::Modifier, &brouillon(AMP)), Interdit);
        assert_eq!(
            decider(&admin, Action::Valider, &contrat(AMP, EtatContrat::Negociation)),
            Interdit
        );
    }

    #[test]
    fn un_compte_sans_droit_et_un_partenaire() {
        let partenaire = h(
            Role::Partenaire,
            Perimetre::Organisation("CAF des Bouches-du-Rhône".into()),
        );
        for h in [Habilitation::aucune(), partenaire] {
            assert_eq!(decider(&h, Action::Lire, &brouillon(AMP)), Masque, "{h}");
            assert_eq!(decider(&h, Action::Modifier, &brouillon(AMP)), Masque, "{h}");
            assert_eq!(
                decider(&h, Action::LireReferentiel, &Cible::Referentiel),
                Autorise,
                "{h}"
            );
            assert_eq!(
                decider(&h, Action::GererUtilisateurs, &Cible::Utilisateurs),
                Interdit,
                "{h}"
            );
            assert_eq!(decider(&h, Action::Importer, &brouillon(AMP)), Interdit, "{h}");
        }
    }

    #[test]
    fn une_collectivite_hors_de_la_liste() {
        // Not in any département scope; national roles and its own users only.
        let ddets = h(Role::Ddets, Perimetre::Departement("69".into()));
        let commissaire = h(Role::Commissaire, Perimetre::Region("84".into()));
        let propre = h(
            Role::CollectiviteEditeur,
            Perimetre::Collectivite(" 200 046 977 ".into()),
        );
        assert_eq!(propre.perimetre(), &Perimetre::Collectivite(LYON.into()));
        assert_eq!(decider(&ddets, Action::Lire, &brouillon(LYON)), Masque);
        assert_eq!(decider(&commissaire, Action::Lire, &brouillon(LYON)), Masque);
        assert_eq!(decider(&propre, Action::Modifier, &brouillon(LYON)), Autorise);
        let admin = h(Role::AdministrateurNational, Perimetre::National);
        assert_eq!(decider(&admin, Action::Lire, &brouillon(LYON)), Autorise);
    }

    #[test]
    fn une_action_sur_une_cible_d_une_autre_nature_est_interdite() {
        let admin = h(Role::AdministrateurNational, Perimetre::National);
        assert_eq!(
            decider(&admin, Action::GererUtilisateurs, &brouillon(AMP)),
            Interdit
        );
        assert_eq!(decider(&admin, Action::Lire, &Cible::Referentiel), Interdit);
        assert_eq!(
            decider(&admin, Action::LireReferentiel, &Cible::Journal),
            Interdit
        );
    }

    #[test]
    fn habilitations_incoherentes() {
        let e = Habilitation::new(Role::Ddets, Perimetre::Region("93".into())).unwrap_err();
        assert_eq!(
            e,
            "le rôle « DDETS » s'exerce sur un département, pas sur une région"
        );
        let e = Habilitation::new(Role::LecteurNational, Perimetre::Departement("13".into())).unwrap_err();
        assert!(e.contains("s'exerce sur le territoire national"), "{e}");
        let e = Habilitation::new(Role::Commissaire, Perimetre::Region("99".into())).unwrap_err();
        assert!(e.contains("la région « 99 » n'existe pas"), "{e}");
        let e = Habilitation::new(Role::Ddets, Perimetre::Departement("20".into())).unwrap_err();
        assert!(e.contains("le département « 20 » n'existe pas"), "{e}");
        let e = Habilitation::new(
            Role::CollectiviteLecteur,
            Perimetre::Collectivite("200054808".into()),
        )
        .unwrap_err();
        assert!(e.contains("clé de contrôle"), "{e}");
        let e = Habilitation::new(Role::Partenaire, Perimetre::Organisation("  ".into())).unwrap_err();
        assert!(e.contains("vide"), "{e}");
        assert!(Habilitation::new(Role::Aucun, Perimetre::National).is_err());
        // Codes are trimmed.
        let ddets = h(Role::Ddets, Perimetre::Departement(" 2A ".into()));
        assert_eq!(ddets.perimetre(), &Perimetre::Departement("2A".into()));
        assert_eq!(ddets.to_string(), "DDETS — département Corse-du-Sud (2A)");
    }

    #[test]
    fn serde_des_habilitations() {
        let ddets = h(Role::Ddets, Perimetre::Departement("13".into()));
        let json = serde_json::to_string(&ddets).unwrap();
        assert_eq!(json, r#"{"role":"ddets","perimetre":{"departement":"13"}}"#);
        assert_eq!(serde_json::from_str::<Habilitation>(&json).unwrap(), ddets);
        let e = serde_json::from_str::<Habilitation>(r#"{"role":"ddets","perimetre":{"region":"93"}}"#)
            .unwrap_err();
        assert!(e.to_string().contains("s'exerce sur un département"), "{e}");
        assert_eq!(
            serde_json::to_string(&Role::CollectiviteEditeur).unwrap(),
            r#""collectivite_editeur""#
        );
        assert_eq!(
            serde_json::to_string(&Action::AccorderDerogation).unwrap(),
            r#""accorder_derogation""#
        );
        assert_eq!(
            serde_json::to_string(&Habilitation::aucune()).unwrap(),
            r#"{"role":"aucun","perimetre":"aucun"}"#
        );
    }

    #[test]
    fn le_cycle_de_vie() {
        use EtatContrat::*;
        // brouillon → négociation → validé → délibéré → signé → en exécution → évalué → clos.
        let chemin = [
            Action::Soumettre,
            Action::Valider,
            Action::EnregistrerDeliberation,
            Action::EnregistrerSignature,
            Action::MettreEnExecution,
            Action::Evaluer,
            Action::Clore,
        ];
        let mut etat = Brouillon;
        for a in chemin {
            etat = etat_apres(a, etat).unwrap();
        }
        assert_eq!(etat, Clos);
        assert_eq!(etat_apres(Action::Denoncer, EnExecution), Ok(Denonce));
        assert!(etat_apres(Action::Denoncer, Brouillon).is_err());
        assert!(etat_apres(Action::Denoncer, Clos).is_err());
        assert_eq!(etat_apres(Action::Modifier, Negociation), Ok(Negociation));
        assert_eq!(
            etat_apres(Action::Soumettre, Valide).unwrap_err(),
            "« Soumettre à l'État » n'est possible qu'à l'état brouillon ; ce contrat est à l'état validé"
        );
        assert_eq!(
            etat_apres(Action::Modifier, Signe).unwrap_err(),
            "« Modifier l'en-tête et les fiches » n'est possible qu'à l'état brouillon ou en négociation ; ce contrat est à l'état signé"
        );
        assert_eq!(etat_apres(Action::Lire, Denonce), Ok(Denonce));
        // Every transition leads to a state outside its starting states.
        for a in Action::TOUTES {
            if let Some((depuis, vers)) = transition(a) {
                assert!(!depuis.contains(&vers), "{a}");
            }
        }
    }

    /// Every role × every action × in scope / out of scope × every state gives a decision,
    /// and the decisions hold together.
    #[test]
    fn matrice_complete() {
        let mut vus = 0;
        for role in Role::TOUS {
            let h = exemple(role);
            let national = matches!(role, Role::AdministrateurNational | Role::LecteurNational);
            for action in Action::TOUTES {
                for etat in EtatContrat::TOUS {
                    let dans = decider(&h, action, &cible_exemple(action, EXEMPLE_DANS, etat));
                    let hors = decider(&h, action, &cible_exemple(action, EXEMPLE_HORS, etat));
                    vus += 2;
                    let cas = format!("{role:?} {action:?} {etat:?}");
                    if national {
                        assert_ne!(dans, Masque, "{cas}");
                        assert_ne!(hors, Masque, "{cas}");
                        assert_eq!(dans, hors, "{cas}");
                    }
                    if action.nature_cible() != NatureCible::Contrat {
                        assert_ne!(dans, Masque, "{cas}");
                        continue;
                    }
                    let lit = decider(&h, Action::Lire, &contrat(EXEMPLE_DANS, etat));
                    if action == Action::Importer {
                        assert_ne!(dans, Masque, "{cas}");
                        assert_ne!(hors, Masque, "{cas}");
                    } else {
                        // Masked exactly when the contract cannot be read; no writing blind.
                        assert_eq!(dans == Masque, lit != Autorise, "{cas}");
                        if !national {
                            assert_eq!(hors, Masque, "{cas}");
                        }
                    }
                    if !national {
                        assert_ne!(hors, Autorise, "{cas}");
                    }
                }
            }
        }
        assert_eq!(vus, 8 * 22 * 9 * 2);
    }

    /// Each lifecycle step has someone to perform it, so no contract gets stuck.
    #[test]
    fn chaque_etape_a_un_acteur() {
        for action in Action::TOUTES {
            let Some((depuis, _)) = transition(action) else {
                continue;
            };
            let acteurs: Vec<Role> = Role::TOUS
                .into_iter()
                .filter(|r| decider(&exemple(*r), action, &contrat(EXEMPLE_DANS, depuis[0])) == Autorise)
                .collect();
            assert!(!acteurs.is_empty(), "{action}");
            // Only the collectivity's editor submits; only the State moves the contract on.
            let collectivite = acteurs.contains(&Role::CollectiviteEditeur);
            assert_eq!(collectivite, action == Action::Soumettre, "{action}");
        }
    }

    #[test]
    fn le_tableau_dit_ce_que_decide_le_code() {
        assert_eq!(
            cellule(Role::Commissaire, Action::Valider),
            "oui (sa région), à l'état en négociation"
        );
        assert_eq!(cellule(Role::Ddets, Action::Lire), "oui (son département)");
        assert_eq!(cellule(Role::LecteurNational, Action::Lire), "oui");
        assert_eq!(cellule(Role::LecteurNational, Action::Modifier), "non (403)");
        assert_eq!(cellule(Role::Partenaire, Action::Lire), "non (404)");
        assert_eq!(cellule(Role::Aucun, Action::LireReferentiel), "oui");
        assert_eq!(
            cellule(Role::CollectiviteEditeur, Action::Modifier),
            "oui (sa collectivité), à l'état brouillon ou en négociation"
        );
        assert_eq!(
            cellule(Role::CollectiviteEditeur, Action::Importer),
            "oui (sa collectivité), à l'état brouillon"
        );
        assert_eq!(cellule(Role::AdministrateurNational, Action::Importer), "oui");
        assert_eq!(
            cellule(Role::Ddets, Action::Denoncer),
            "oui (son département), à l'état signé, en exécution ou évalué"
        );
    }

    /// `docs/DROITS.md` must match the code that generates it.
    #[test]
    fn droits_md_a_jour() {
        let chemin = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/DROITS.md");
        let attendu = table_markdown();
        if std::env::var_os("PACTE_METTRE_A_JOUR").is_some() {
            std::fs::write(chemin, &attendu).unwrap();
        }
        let actuel = std::fs::read_to_string(chemin).unwrap_or_default();
        assert!(
            actuel == attendu,
            "docs/DROITS.md n'est plus à jour : relancer avec PACTE_METTRE_A_JOUR=1 cargo test -p pacte-core droits"
        );
    }

    /// The reading scope handed to SQL answers as `decider` does, for every role, a scope of
    /// each kind, every eligible collectivity (plus one unknown to the territories) and every
    /// state.
    #[test]
    fn portee_lecture_comme_decider() {
        let t = territoires();
        let mut collectivites: Vec<String> = t.collectivites.iter().map(|c| c.code.clone()).collect();
        collectivites.push("200099999".into());
        let habilitations = [
            Habilitation::new(Role::AdministrateurNational, Perimetre::National).unwrap(),
            Habilitation::new(Role::LecteurNational, Perimetre::National).unwrap(),
            Habilitation::new(Role::Commissaire, Perimetre::Region("93".into())).unwrap(),
            Habilitation::new(Role::Ddets, Perimetre::Departement("13".into())).unwrap(),
            Habilitation::new(
                Role::CollectiviteEditeur,
                Perimetre::Collectivite("200054807".into()),
            )
            .unwrap(),
            Habilitation::new(Role::CollectiviteLecteur, Perimetre::Collectivite("13".into())).unwrap(),
            Habilitation::new(Role::Partenaire, Perimetre::Organisation("CAF".into())).unwrap(),
            Habilitation::new(Role::Aucun, Perimetre::Aucun).unwrap(),
        ];
        let mut lus = 0;
        for h in &habilitations {
            let p = h.portee_lecture();
            for c in &collectivites {
                for e in EtatContrat::TOUS {
                    let cible = Cible::Contrat {
                        collectivite: c.clone(),
                        etat: e,
                    };
                    let attendu = decider(h, Action::Lire, &cible) == Decision::Autorise;
                    assert_eq!(p.couvre(c, e), attendu, "{h:?} {c} {e:?}");
                    lus += usize::from(attendu);
                }
            }
        }
        // Not vacuous: the national roles read everything, the others part of it.
        assert!(lus > 2 * collectivites.len() * EtatContrat::TOUS.len());
    }

    #[test]
    fn codes_des_roles_et_perimetres() {
        for r in Role::TOUS {
            assert_eq!(lire_role(&code_role(r)), Ok(r));
        }
        assert_eq!(code_role(Role::CollectiviteEditeur), "collectivite_editeur");
        assert_eq!(lire_role(" ddets "), Ok(Role::Ddets));
        assert!(
            lire_role("prefet")
                .unwrap_err()
                .starts_with("le rôle « prefet » n'existe pas : rôles possibles administrateur_national, ")
        );
        for p in [
            Perimetre::National,
            Perimetre::Region("93".into()),
            Perimetre::Departement("2A".into()),
            Perimetre::Collectivite("200054807".into()),
            Perimetre::Organisation("CAF des Bouches-du-Rhône".into()),
            Perimetre::Aucun,
        ] {
            assert_eq!(lire_perimetre(&code_perimetre(&p)), Ok(p));
        }
        assert!(
            lire_perimetre("pays:fr")
                .unwrap_err()
                .contains("n'est pas reconnu")
        );
        let h = lire_habilitation("ddets", "departement:13").unwrap();
        assert_eq!(
            (h.role(), h.perimetre()),
            (Role::Ddets, &Perimetre::Departement("13".into()))
        );
        // Coherence is Habilitation::new's: a DDETS over a region is refused.
        assert!(lire_habilitation("ddets", "region:93").is_err());
        assert!(lire_habilitation("commissaire", "region").is_err());
        assert!(
            lire_habilitation("roi", "national")
                .unwrap_err()
                .contains("n'existe pas")
        );
        assert_eq!(verifier_nom("  Marie Curie "), Ok("Marie Curie".into()));
        assert!(verifier_nom(" ").unwrap_err().contains("vide"));
        assert!(verifier_nom(&"x".repeat(NOM_MAX + 1)).is_err());
        assert!(verifier_nom("a\nb").is_err());
    }
}
