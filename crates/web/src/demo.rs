//! Demonstration data: the example contracts of `exemples/` and a generated 60-fiche contract,
//! loaded into a fresh base by `pacte demo`.

use pacte_core::fichier::lire_toml;
use pacte_store::{Base, ErreurStore};

/// Contract files shipped as demonstration data.
pub const EXEMPLES: &[(&str, &str)] = &[
    (
        "metropole-aix-marseille-provence.toml",
        include_str!("../../../exemples/metropole-aix-marseille-provence.toml"),
    ),
    (
        "departement-bouches-du-rhone.toml",
        include_str!("../../../exemples/departement-bouches-du-rhone.toml"),
    ),
    (
        "contrat-avec-erreurs.toml",
        include_str!("../../../exemples/contrat-avec-erreurs.toml"),
    ),
];

/// The actor of the demonstration imports in the audit log.
pub const ACTEUR_DEMO: &str = "demo";

/// Loads the demonstration contracts: the three examples (two conform, one with findings)
/// and Bordeaux Métropole with 60 generated fiches. Returns their ids.
pub async fn charger(base: &Base) -> Result<Vec<i64>, ErreurStore> {
    let mut contrats = Vec::new();
    for (nom, texte) in EXEMPLES {
        contrats.push(lire_toml(texte).map_err(|e| ErreurStore::Invalide(format!("exemple {nom} : {e}")))?);
    }
    // Contract 1 of the national set is Bordeaux Métropole, with 60 fiches.
    let mut bordeaux = pacte_core::jeu_national::jeu_national(2, 60).swap_remove(1);
    bordeaux.contrat.intitule = Some("Contrat local des solidarités 2024-2027 de Bordeaux Métropole".into());
    contrats.push(bordeaux);
    base.importer(&contrats, ACTEUR_DEMO).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn exemples_lisibles() {
        for (nom, texte) in super::EXEMPLES {
            assert!(pacte_core::fichier::lire_toml(texte).is_ok(), "{nom}");
        }
    }
}
