//! Exchanges on a contract: the messages between the State services and the collectivity,
//! and the State's correction requests (`DemandeCorrection`) with their states.
//!
//! Who may do what on a thread follows the contract's rights ([`crate::droits::decider`]): a
//! thread is read by whoever reads the contract; a message is written by a reader who acts for
//! the State (national administrator, commissaire, DDETS) or by the collectivity's editor; a
//! correction is requested and resolved by the State and answered by the collectivity's
//! editor. Readers without a voice (national reader, collectivity reader, partner) read only.
//! Like [`crate::droits::decider`], an action on a contract the user may not read is
//! [`Decision::Masque`].

use serde::{Deserialize, Serialize};

use crate::droits::{Action, Cible, Decision, Habilitation, Role, decider};

/// The longest message or correction request, in characters.
pub const MESSAGE_MAX: usize = 5_000;
/// The longest field designation of a correction request, in characters.
pub const CHAMP_MAX: usize = 200;

/// What a user does on a contract's exchanges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionEchange {
    /// Read the threads and the correction requests.
    Lire,
    /// Write a message in a thread.
    Ecrire,
    /// Request a correction on the contract, a fiche or a field.
    DemanderCorrection,
    /// Answer an open correction request.
    Repondre,
    /// Resolve an answered correction request.
    Resoudre,
}

/// Whether the role speaks for the State in exchanges.
pub fn parle_pour_l_etat(role: Role) -> bool {
    matches!(
        role,
        Role::AdministrateurNational | Role::Commissaire | Role::Ddets
    )
}

/// The one decision on exchanges, on top of the contract's read right.
pub fn decider_echange(h: &Habilitation, action: ActionEchange, cible: &Cible) -> Decision {
    match decider(h, Action::Lire, cible) {
        Decision::Autorise => {}
        autre => return autre,
    }
    let permis = match action {
        ActionEchange::Lire => true,
        ActionEchange::Ecrire => parle_pour_l_etat(h.role()) || h.role() == Role::CollectiviteEditeur,
        ActionEchange::DemanderCorrection | ActionEchange::Resoudre => parle_pour_l_etat(h.role()),
        ActionEchange::Repondre => h.role() == Role::CollectiviteEditeur,
    };
    if permis {
        Decision::Autorise
    } else {
        Decision::Interdit
    }
}

/// The state of a correction request: ouverte → répondue → résolue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtatDemande {
    Ouverte,
    Repondue,
    Resolue,
}

impl EtatDemande {
    pub const TOUS: [EtatDemande; 3] = [EtatDemande::Ouverte, EtatDemande::Repondue, EtatDemande::Resolue];

    pub fn code(self) -> &'static str {
        match self {
            EtatDemande::Ouverte => "ouverte",
            EtatDemande::Repondue => "repondue",
            EtatDemande::Resolue => "resolue",
        }
    }

    pub fn depuis_code(code: &str) -> Option<EtatDemande> {
        EtatDemande::TOUS.into_iter().find(|e| e.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            EtatDemande::Ouverte => "ouverte",
            EtatDemande::Repondue => "répondue",
            EtatDemande::Resolue => "résolue",
        }
    }

    /// The state after `action`, or the French reason why this state does not allow it.
    pub fn apres(self, action: ActionEchange) -> Result<EtatDemande, String> {
        match (self, action) {
            // A second answer replaces nothing: it is added to the thread, the state stays.
            (EtatDemande::Ouverte | EtatDemande::Repondue, ActionEchange::Repondre) => Ok(EtatDemande::Repondue),
            (EtatDemande::Repondue, ActionEchange::Resoudre) => Ok(EtatDemande::Resolue),
            (EtatDemande::Ouverte, ActionEchange::Resoudre) => Err(
                "la demande de correction n'a pas encore reçu de réponse de la collectivité : elle ne peut pas être résolue".into(),
            ),
            (EtatDemande::Resolue, _) => Err("la demande de correction est déjà résolue".into()),
            (_, a) => Err(format!("action {a:?} impossible sur une demande de correction")),
        }
    }
}

/// A message or request text, trimmed, or the French reason it is refused (`champ` names the
/// form field).
pub fn lire_texte(champ: &str, texte: &str) -> Result<String, String> {
    let t = texte.trim();
    if t.is_empty() {
        return Err(format!("{champ} : le texte est vide ; écrivez votre message"));
    }
    let n = t.chars().count();
    if n > MESSAGE_MAX {
        return Err(format!(
            "{champ} : {n} caractères, au plus {MESSAGE_MAX} sont acceptés ; raccourcissez le texte"
        ));
    }
    Ok(t.to_string())
}

/// The optional field designation of a correction request, trimmed and bounded.
pub fn lire_champ(texte: &str) -> Result<Option<String>, String> {
    let t = texte.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let n = t.chars().count();
    if n > CHAMP_MAX {
        return Err(format!(
            "Champ concerné : {n} caractères, au plus {CHAMP_MAX} sont acceptés"
        ));
    }
    Ok(Some(t.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contrat::EtatContrat;
    use crate::droits::{Perimetre, lire_habilitation};

    fn amp() -> Cible {
        Cible::Contrat {
            collectivite: "200054807".into(),
            etat: EtatContrat::Negociation,
        }
    }

    fn h(role: &str, perimetre: &str) -> Habilitation {
        lire_habilitation(role, perimetre).expect("habilitation")
    }

    #[test]
    fn l_etat_demande_et_resout_la_collectivite_repond() {
        let ddets = h("ddets", "departement:13");
        let editeur = h("collectivite_editeur", "collectivite:200054807");
        let lecteur = h("collectivite_lecteur", "collectivite:200054807");
        let national = h("lecteur_national", "national");
        use ActionEchange::*;
        assert_eq!(
            decider_echange(&ddets, DemanderCorrection, &amp()),
            Decision::Autorise
        );
        assert_eq!(decider_echange(&ddets, Resoudre, &amp()), Decision::Autorise);
        assert_eq!(decider_echange(&ddets, Repondre, &amp()), Decision::Interdit);
        assert_eq!(decider_echange(&editeur, Repondre, &amp()), Decision::Autorise);
        assert_eq!(decider_echange(&editeur, Ecrire, &amp()), Decision::Autorise);
        assert_eq!(
            decider_echange(&editeur, DemanderCorrection, &amp()),
            Decision::Interdit
        );
        assert_eq!(decider_echange(&lecteur, Lire, &amp()), Decision::Autorise);
        assert_eq!(decider_echange(&lecteur, Ecrire, &amp()), Decision::Interdit);
        assert_eq!(decider_echange(&national, Ecrire, &amp()), Decision::Interdit);
    }

    #[test]
    fn hors_perimetre_le_fil_est_masque_comme_le_contrat() {
        // The DDETS of Gironde does not read the contract of Aix-Marseille-Provence.
        let gironde = h("ddets", "departement:33");
        assert_eq!(
            decider_echange(&gironde, ActionEchange::Lire, &amp()),
            Decision::Masque
        );
        assert_eq!(
            decider_echange(&gironde, ActionEchange::DemanderCorrection, &amp()),
            Decision::Masque
        );
        // A partner reads no contract yet (docs/DROITS.md), so no thread either.
        let partenaire = Habilitation::new(Role::Partenaire, Perimetre::Organisation("CAF 13".into()))
            .expect("partenaire");
        assert_eq!(
            decider_echange(&partenaire, ActionEchange::Lire, &amp()),
            Decision::Masque
        );
    }

    #[test]
    fn les_etats_d_une_demande_se_suivent() {
        use EtatDemande::*;
        assert_eq!(Ouverte.apres(ActionEchange::Repondre), Ok(Repondue));
        assert_eq!(Repondue.apres(ActionEchange::Resoudre), Ok(Resolue));
        assert!(Ouverte.apres(ActionEchange::Resoudre).is_err());
        assert!(Resolue.apres(ActionEchange::Repondre).is_err());
        assert!(Resolue.apres(ActionEchange::Resoudre).is_err());
        for e in EtatDemande::TOUS {
            assert_eq!(EtatDemande::depuis_code(e.code()), Some(e));
        }
    }

    #[test]
    fn un_texte_vide_ou_trop_long_est_refuse_en_francais() {
        assert!(lire_texte("Message", "   ").unwrap_err().contains("vide"));
        let long = "é".repeat(MESSAGE_MAX + 1);
        let e = lire_texte("Message", &long).unwrap_err();
        assert!(
            e.contains(&format!("{}", MESSAGE_MAX + 1)) && e.contains("Message"),
            "{e}"
        );
        assert_eq!(
            lire_texte("Message", &"é".repeat(MESSAGE_MAX)).map(|t| t.chars().count()),
            Ok(MESSAGE_MAX)
        );
        assert_eq!(lire_champ("  "), Ok(None));
        assert!(lire_champ(&"x".repeat(CHAMP_MAX + 1)).is_err());
    }
}
