//! The sections of `docs/DROITS.md` on exchanges and on acts, computed like the main table:
//! the exchanges' cells from [`crate::echanges::decider_echange`], the acts' from
//! [`super::decider`] and [`super::etats_admis`], on the same representative habilitations.

use super::{Decision, EXEMPLE_DANS, EXEMPLE_HORS, Role, cellule, exemple, liste_etats};
use crate::actes::Etape;
use crate::contrat::EtatContrat;
use crate::echanges::{ActionEchange, decider_echange};

const ACTIONS_ECHANGE: [(ActionEchange, &str); 5] = [
    (
        ActionEchange::Lire,
        "Lire les échanges et les demandes de correction d'un contrat",
    ),
    (ActionEchange::Ecrire, "Écrire un message"),
    (
        ActionEchange::DemanderCorrection,
        "Demander une correction (contrat, fiche ou champ)",
    ),
    (ActionEchange::Repondre, "Répondre à une demande de correction"),
    (
        ActionEchange::Resoudre,
        "Résoudre une demande de correction (après réponse)",
    ),
];

fn cible(collectivite: &str) -> super::Cible {
    super::Cible::Contrat {
        collectivite: collectivite.to_string(),
        etat: EtatContrat::Negociation,
    }
}

/// One cell of the exchanges table: « oui (sa région) », « non (403) », « non (404) ».
fn cellule_echange(role: Role, action: ActionEchange) -> String {
    let h = exemple(role);
    match decider_echange(&h, action, &cible(EXEMPLE_DANS)) {
        Decision::Masque => "non (404)".into(),
        Decision::Interdit => "non (403)".into(),
        Decision::Autorise => {
            if decider_echange(&h, action, &cible(EXEMPLE_HORS)) == Decision::Autorise {
                "oui".into()
            } else {
                format!("oui ({})", role.portee().possessif())
            }
        }
    }
}

fn entete_roles(s: &mut String) {
    s.push_str("| |");
    for role in Role::TOUS {
        s.push_str(&format!(" {} |", role.libelle()));
    }
    s.push_str("\n|---|");
    for _ in Role::TOUS {
        s.push_str("---|");
    }
    s.push('\n');
}

/// The « Échanges » and « Actes du cycle de vie » sections.
pub(super) fn sections() -> String {
    let mut s = String::from(
        "\n## Échanges\n\n\
         Sur un contrat et sur ses fiches, les services de l'État et la collectivité échangent \
         des messages et des demandes de correction, à la place des courriels. Un fil se lit \
         comme le contrat : qui ne lit pas le contrat ne voit pas ses échanges (404). Les \
         échanges sont possibles à tout état du contrat. Une demande de correction est \
         ouverte par l'État, reçoit la réponse de l'éditeur de la collectivité (elle est \
         alors « répondue », et d'autres réponses peuvent suivre), puis est résolue par \
         l'État ; une demande sans réponse ne peut pas être résolue, une demande résolue ne \
         change plus. Elle reste sur le tableau de bord de la collectivité jusqu'à sa \
         résolution.\n\n",
    );
    entete_roles(&mut s);
    for (action, libelle) in ACTIONS_ECHANGE {
        s.push_str(&format!("| {libelle} |"));
        for role in Role::TOUS {
            s.push_str(&format!(" {} |", cellule_echange(role, action)));
        }
        s.push('\n');
    }
    s.push_str(
        "\n## Actes du cycle de vie\n\n\
         Chaque étape enregistre son acte, avec ce que l'instruction en exige, vérifié avant \
         l'écriture et inscrit au journal d'audit ; le contrat montre l'historique de ses \
         actes à quiconque le lit. Une étape franchie par erreur s'annule par qui a le droit \
         de la franchir, tant qu'aucune étape ne l'a suivie (le contrat est encore à l'état \
         auquel elle a mené) ; l'acte reste, marqué annulé, et l'annulation est journalisée. \
         Les documents de l'acte (délibération, convention signée, lettre de dénonciation) \
         sont joints au formulaire de l'étape ; d'autres pièces se joignent au contrat ou à \
         une fiche par qui peut le modifier ou en franchir une étape, et se téléchargent par \
         quiconque lit le contrat.\n\n\
         | Étape (acte) | Ce que l'acte porte | État avant | État après |\n|---|---|---|---|\n",
    );
    for e in Etape::TOUTES {
        let avant =
            super::etats_admis(e.action()).map_or_else(|| "tout état".to_string(), |a| liste_etats(a, "ou"));
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            premiere_majuscule(e.libelle()),
            porte(e),
            avant,
            e.vers().libelle()
        ));
    }
    s.push_str("\nQui franchit chaque étape, et donc qui peut l'annuler :\n\n");
    entete_roles(&mut s);
    for e in Etape::TOUTES {
        s.push_str(&format!("| {} |", premiere_majuscule(e.libelle())));
        for role in Role::TOUS {
            s.push_str(&format!(" {} |", cellule(role, e.action())));
        }
        s.push('\n');
    }
    s
}

fn premiere_majuscule(t: &str) -> String {
    let mut c = t.chars();
    c.next()
        .map(|p| p.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// What the act of step `e` records (`crate::actes::Acte`).
fn porte(e: Etape) -> &'static str {
    match e {
        Etape::Soumission | Etape::Validation => "une observation (facultative)",
        Etape::Deliberation => {
            "date (dans la période du contrat), instance délibérante, référence (R-DOC-05) ; la délibération en pièce jointe"
        }
        Etape::Signature => {
            "date (après la délibération), chaque signataire avec sa partie et sa qualité, l'État et la collectivité au moins (R-DOC-04) ; la convention signée en pièce jointe"
        }
        Etape::DebutExecution => "date",
        Etape::Evaluation => "date, objet de l'évaluation, référence du rapport (R-FIN-07)",
        Etape::Cloture => "date, observation",
        Etape::Denonciation => {
            "partie (État ou collectivité) et auteur, date de la lettre recommandée, motif, préavis, date d'effet = lettre + préavis (R-DOC-10) ; la lettre en pièce jointe"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cellules_des_echanges() {
        assert_eq!(
            cellule_echange(Role::CollectiviteEditeur, ActionEchange::Repondre),
            "oui (sa collectivité)"
        );
        assert_eq!(cellule_echange(Role::Ddets, ActionEchange::Repondre), "non (403)");
        assert_eq!(
            cellule_echange(Role::Ddets, ActionEchange::DemanderCorrection),
            "oui (son département)"
        );
        assert_eq!(cellule_echange(Role::LecteurNational, ActionEchange::Lire), "oui");
        assert_eq!(
            cellule_echange(Role::LecteurNational, ActionEchange::Ecrire),
            "non (403)"
        );
        assert_eq!(
            cellule_echange(Role::Partenaire, ActionEchange::Lire),
            "non (404)"
        );
    }

    #[test]
    fn droits_md_parle_des_echanges_et_des_actes() {
        let s = super::super::table_markdown();
        for titre in ["## Échanges", "## Actes du cycle de vie", "| La dénonciation |"] {
            assert!(s.contains(titre), "{titre}");
        }
    }
}
