//! A save that meets a newer stored version (409): the form comes back with what the person
//! typed, and beside it, field by field, what the other person saved. Nothing typed is lost;
//! saving again replaces the other version knowingly.

use std::collections::HashSet;

use pacte_core::Montant;

use crate::ui::formulaire::{LibelleChamp, Saisie};
use crate::ui::id_champ;

/// One field whose typed value differs from the stored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ecart {
    /// HTML id of the field on the form (a link to it).
    pub id: String,
    pub libelle: String,
    /// What the person typed (« (vide) » when empty).
    pub saisi: String,
    /// What the other person saved.
    pub enregistre: String,
}

/// The conflict shown above a form sent back with a 409.
#[derive(Debug, Clone)]
pub struct Conflit {
    /// Who saved what, when (French).
    pub message: String,
    pub ecarts: Vec<Ecart>,
}

fn normal(t: &str) -> String {
    t.replace("\r\n", "\n").trim().to_string()
}

/// Two texts say the same: equal once trimmed, or the same amount written two ways
/// (« 40000 » and « 40 000,00 »).
fn meme_valeur(a: &str, b: &str) -> bool {
    let (a, b) = (normal(a), normal(b));
    a == b || matches!((Montant::parse(&a), Montant::parse(&b)), (Ok(x), Ok(y)) if x == y)
}

fn lisible(champ: &LibelleChamp, valeur: &str) -> String {
    let v = normal(valeur);
    if v.is_empty() {
        return "(vide)".into();
    }
    match champ.options.iter().find(|(o, _)| *o == v) {
        Some((_, l)) => l.clone(),
        None => v,
    }
}

/// The fields (of either form, `champs` in page order) whose typed value in `saisie` differs
/// from the stored one in `stockee`.
pub fn ecarts(saisie: &Saisie, stockee: &Saisie, champs: &[LibelleChamp]) -> Vec<Ecart> {
    let mut vus = HashSet::new();
    let mut out = Vec::new();
    for c in champs {
        if !vus.insert(c.nom.as_str()) {
            continue;
        }
        let (a, b) = (saisie.get(&c.nom), stockee.get(&c.nom));
        if !meme_valeur(a, b) {
            out.push(Ecart {
                id: id_champ(&c.nom),
                libelle: c.libelle.clone(),
                saisi: lisible(c, a),
                enregistre: lisible(c, b),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn champ(nom: &str, libelle: &str) -> LibelleChamp {
        LibelleChamp {
            nom: nom.into(),
            libelle: libelle.into(),
            options: Vec::new(),
        }
    }

    #[test]
    fn ecarts_champ_par_champ() {
        let saisie = Saisie::new(vec![
            ("description".into(), "Mon texte\r\n".into()),
            ("financement.etat.2024".into(), "40 000".into()),
            ("nature".into(), "renforcee".into()),
            ("intitule".into(), "Même intitulé".into()),
        ]);
        let stockee = Saisie::new(vec![
            ("description".into(), "Son texte".into()),
            ("financement.etat.2024".into(), "40000,00".into()),
            ("intitule".into(), " Même intitulé".into()),
        ]);
        let mut nature = champ("nature", "Nature de l'action");
        nature.options = vec![("renforcee".into(), "renforcée".into())];
        let champs = [
            champ("intitule", "Intitulé"),
            champ("description", "Description"),
            champ("financement.etat.2024", "2024 — État"),
            nature,
            champ("description", "Description"),
        ];
        let e = ecarts(&saisie, &stockee, &champs);
        // Same title once trimmed, same amount written two ways: only two differences, once each.
        assert_eq!(
            e,
            [
                Ecart {
                    id: "champ-description".into(),
                    libelle: "Description".into(),
                    saisi: "Mon texte".into(),
                    enregistre: "Son texte".into(),
                },
                Ecart {
                    id: "champ-nature".into(),
                    libelle: "Nature de l'action".into(),
                    saisi: "renforcée".into(),
                    enregistre: "(vide)".into(),
                },
            ]
        );
    }
}
