//! Demonstration data: the example contracts of `exemples/` and a generated 60-fiche contract,
//! loaded into a fresh base by `pacte demo`.

use pacte_core::fichier::lire_toml;
use pacte_store::{Base, ErreurStore};

pub mod actes;

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

/// Loads the demonstration contracts: the three examples (two conform, one with findings),
/// Bordeaux Métropole with 60 generated fiches, and Toulon in negotiation with an action
/// outside the référentiel. Returns their ids, in that order.
pub async fn charger(base: &Base) -> Result<Vec<i64>, ErreurStore> {
    base.importer(&contrats_demo()?, ACTEUR_DEMO).await
}

/// The one eligible collectivity [`charger_complet`] leaves without a contract: Rennes
/// Métropole, where creating a contract can be tried (the browser scenario does).
pub const SANS_CONTRAT: &str = "243500139";

/// Brest Métropole, also left without a contract: the browser scenario imports its file
/// (one contract per collectivity and period: the file of a collectivity that has one updates it).
pub const SANS_CONTRAT_IMPORT: &str = "242900314";

/// Fiches of each contract of the national set added by [`charger_complet`]: enough for
/// every page to show something, few enough to start in about a second.
pub const FICHES_NATIONALES: usize = 8;

/// What `pacte demo` loads, so that every demonstration account has its part to play: the
/// contracts of [`charger`], Aix-Marseille-Provence's back in negotiation (its editor can
/// edit it), and a contract for every other eligible collectivity (the former CALPAE
/// métropoles, the Ville de Marseille, the départements) but [`SANS_CONTRAT`] and
/// [`SANS_CONTRAT_IMPORT`], in every state of the lifecycle
/// (`pacte_core::jeu_national::jeu_demonstration`), each with the acts that led it there
/// ([`actes`]), the 2024-2025 execution of the contracts in execution and the campaigns
/// (`demo_campagnes`). Returns the ids, [`charger`]'s first.
pub async fn charger_complet(base: &Base) -> Result<Vec<i64>, ErreurStore> {
    let ids = charger_sans_campagnes(base).await?;
    crate::demo_campagnes::jouer(base, &ids).await?;
    Ok(ids)
}

/// [`charger_complet`] without its campaigns: the contracts, their acts and their execution.
pub async fn charger_sans_campagnes(base: &Base) -> Result<Vec<i64>, ErreurStore> {
    let mut contrats = contrats_demo()?;
    if let Some(amp) = contrats.first_mut() {
        amp.contrat.etat = pacte_core::contrat::EtatContrat::Negociation;
        amp.contrat.date_deliberation = None;
        amp.contrat.signataires.clear();
    }
    let mut deja: std::collections::HashSet<String> =
        contrats.iter().map(|c| c.contrat.collectivite.clone()).collect();
    // Left without a contract, so that creating one can be tried too.
    deja.insert(SANS_CONTRAT.into());
    deja.insert(SANS_CONTRAT_IMPORT.into());
    contrats.extend(
        pacte_core::jeu_national::jeu_demonstration(FICHES_NATIONALES)
            .into_iter()
            .filter(|c| !deja.contains(&c.contrat.collectivite)),
    );
    // Imported as drafts, then taken to their state by their acts.
    let parcours: Vec<_> = contrats.iter_mut().map(actes::au_brouillon).collect();
    let ids = base.importer(&contrats, ACTEUR_DEMO).await?;
    for (id, p) in ids.iter().zip(&parcours) {
        if let Some(p) = p {
            actes::enregistrer(base, *id, p, ACTEUR_DEMO).await?;
        }
    }
    crate::demo_execution::executer(base, &ids).await.map(|()| ids)
}

fn contrats_demo() -> Result<Vec<pacte_core::Contrat>, ErreurStore> {
    let mut contrats = Vec::new();
    for (nom, texte) in EXEMPLES {
        contrats.push(lire_toml(texte).map_err(|e| ErreurStore::Invalide(format!("exemple {nom} : {e}")))?);
    }
    // Contract 1 of the national set is Bordeaux Métropole, with 60 fiches.
    let mut bordeaux = pacte_core::jeu_national::jeu_national(2, 60).swap_remove(1);
    bordeaux.contrat.intitule = Some("Contrat local des solidarités 2024-2027 de Bordeaux Métropole".into());
    contrats.push(bordeaux);
    // Contract 17 is Toulon (region 93): in negotiation, with one action outside the
    // référentiel awaiting the derogation of the demonstration commissaire (R-ACT-02, R-ACT-03).
    let mut toulon = pacte_core::jeu_national::jeu_national(18, 12).swap_remove(17);
    toulon.contrat.intitule =
        Some("Contrat local des solidarités 2024-2027 de la Métropole Toulon-Provence-Méditerranée".into());
    toulon.contrat.etat = pacte_core::contrat::EtatContrat::Negociation;
    toulon.contrat.date_deliberation = None;
    toulon.contrat.signataires.clear();
    if let Some(f) = toulon.fiches.first_mut() {
        f.intitule = "Laverie solidaire itinérante pour les familles hébergées à l'hôtel".into();
        f.description = Some(
            "Un camion-laverie passe chaque semaine dans les hôtels sociaux de la métropole : lavage et séchage du linge des familles hébergées, qui n'ont aucun accès à une laverie. Aucun type d'action du référentiel ne couvre ce besoin, que le diagnostic de 2023 a relevé."
                .into(),
        );
        f.sous_axe = None;
        f.type_action = None;
        f.hors_referentiel = true;
        f.derogation = None;
    }
    contrats.push(toulon);
    Ok(contrats)
}

/// A demonstration account: e-mail, password, role code, scope code.
#[derive(Debug, Clone, Copy)]
pub struct CompteDemo {
    pub email: &'static str,
    pub mot_de_passe: &'static str,
    pub nom: &'static str,
    pub role: &'static str,
    pub perimetre: &'static str,
}

/// One demonstration account per role, in the order of the roles, then the extra accounts
/// the demonstration needs (the editor of the Bouches-du-Rhône département). Their passwords are public (README): demonstration
/// only, never on a real base.
pub const COMPTES: &[CompteDemo] = &[
    CompteDemo {
        email: "administrateur@demo.pacte.example",
        mot_de_passe: "pacte-demo-administrateur",
        nom: "Administratrice nationale (démo)",
        role: "administrateur_national",
        perimetre: "national",
    },
    CompteDemo {
        email: "lecteur.national@demo.pacte.example",
        mot_de_passe: "pacte-demo-lecteur-national",
        nom: "Lecteur national (démo)",
        role: "lecteur_national",
        perimetre: "national",
    },
    CompteDemo {
        email: "commissaire.paca@demo.pacte.example",
        mot_de_passe: "pacte-demo-commissaire",
        nom: "Commissaire PACA (démo)",
        role: "commissaire",
        perimetre: "region:93",
    },
    CompteDemo {
        email: "ddets13@demo.pacte.example",
        mot_de_passe: "pacte-demo-ddets",
        nom: "DDETS des Bouches-du-Rhône (démo)",
        role: "ddets",
        perimetre: "departement:13",
    },
    CompteDemo {
        email: "editeur.amp@demo.pacte.example",
        mot_de_passe: "pacte-demo-editeur",
        nom: "Éditrice Aix-Marseille-Provence (démo)",
        role: "collectivite_editeur",
        perimetre: "collectivite:200054807",
    },
    CompteDemo {
        email: "lecteur.amp@demo.pacte.example",
        mot_de_passe: "pacte-demo-lecteur",
        nom: "Lecteur Aix-Marseille-Provence (démo)",
        role: "collectivite_lecteur",
        perimetre: "collectivite:200054807",
    },
    CompteDemo {
        email: "partenaire@demo.pacte.example",
        mot_de_passe: "pacte-demo-partenaire",
        nom: "Partenaire CAF (démo)",
        role: "partenaire",
        perimetre: "organisation:CAF des Bouches-du-Rhône",
    },
    CompteDemo {
        email: "aucun@demo.pacte.example",
        mot_de_passe: "pacte-demo-sans-droit",
        nom: "Compte sans droit (démo)",
        role: "aucun",
        perimetre: "aucun",
    },
    // Appended after the first account of each role (tests sign in as the first of a role):
    // the editor of a contract « en exécution », for the campaigns (the AMP contract is in
    // negotiation in the demonstration).
    CompteDemo {
        email: "editeur.departement13@demo.pacte.example",
        mot_de_passe: "pacte-demo-editeur-departement13",
        nom: "Éditeur Département des Bouches-du-Rhône (démo)",
        role: "collectivite_editeur",
        perimetre: "collectivite:13",
    },
];

/// Creates the demonstration accounts ([`COMPTES`]), hashing their passwords at `cout`.
pub async fn creer_comptes(base: &Base, cout: crate::comptes::mot_de_passe::Cout) -> Result<(), ErreurStore> {
    for c in COMPTES {
        base.creer_utilisateur(
            &pacte_store::comptes::NouvelUtilisateur {
                email: c.email.into(),
                nom: c.nom.into(),
                hash_mot_de_passe: Some(crate::comptes::mot_de_passe::hacher(c.mot_de_passe, cout)),
                role: c.role.into(),
                perimetre: c.perimetre.into(),
            },
            ACTEUR_DEMO,
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn exemples_lisibles() {
        for (nom, texte) in super::EXEMPLES {
            assert!(pacte_core::fichier::lire_toml(texte).is_ok(), "{nom}");
        }
    }

    #[test]
    fn un_compte_par_role() {
        let roles: Vec<String> = super::COMPTES[..pacte_core::droits::Role::TOUS.len()]
            .iter()
            .map(|c| {
                let h = crate::comptes::lire_habilitation(c.role, c.perimetre).expect(c.email);
                crate::comptes::code_role(h.role())
            })
            .collect();
        let attendus: Vec<String> = pacte_core::droits::Role::TOUS
            .map(crate::comptes::code_role)
            .to_vec();
        assert_eq!(roles, attendus);
        // The accounts appended after are valid too.
        for c in &super::COMPTES[attendus.len()..] {
            crate::comptes::lire_habilitation(c.role, c.perimetre).expect(c.email);
        }
    }
}
