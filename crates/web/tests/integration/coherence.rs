//! R-ACT-14 on the contract pages: the demonstration's métropole (Aix-Marseille-Provence) and
//! département (Bouches-du-Rhône) are both in the base, so each page compares itself with the
//! other ([004] TP §1 « Les services de l'État sont garants de la cohérence entre les actions
//! déployées dans le cadre du contrat métropolitain et du contrat départemental »).

use crate::commun::*;

#[tokio::test]
async fn les_deux_contrats_du_territoire_se_comparent() {
    let (app, base, ids) = app_demo().await;
    let app = en_tant_que(&app, &base, "administrateur_national", "national").await;
    let (amp, bdr, montpellier) = (ids[0], ids[1], ids[2]);
    assert_eq!(base.contrats_apparies(amp).await.unwrap(), vec![bdr]);
    assert_eq!(base.contrats_apparies(bdr).await.unwrap(), vec![amp]);
    // Montpellier's département (34) has no contract in the base.
    assert_eq!(
        base.contrats_apparies(montpellier).await.unwrap(),
        Vec::<i64>::new()
    );

    let c_amp = base.contrat(amp).await.unwrap().contrat;
    let c_bdr = base.contrat(bdr).await.unwrap().contrat;
    let attendus_amp = pacte_core::regles::coherence(&c_amp, &c_bdr);
    let attendus_bdr = pacte_core::regles::coherence(&c_bdr, &c_amp);
    // Both fund the access-to-rights coordination time (AT-3-I-1.1-01): one alert each side.
    assert_eq!((attendus_amp.len(), attendus_bdr.len()), (1, 1));
    assert!(attendus_amp[0].message.contains("AT-3-I-1.1-01"));

    let page = get(&app, &format!("/contrats/{amp}")).await;
    assert!(
        page.corps.contains("Cohérence avec le contrat du département"),
        "{}",
        page.corps
    );
    assert!(page.corps.contains(&format!("href=\"/contrats/{bdr}\"")));
    assert_eq!(
        page.corps.matches("<strong>R-ACT-14</strong>").count(),
        attendus_amp.len()
    );

    let page = get(&app, &format!("/contrats/{bdr}")).await;
    assert!(
        page.corps.contains("Cohérence avec le contrat de la métropole"),
        "{}",
        page.corps
    );
    assert!(page.corps.contains(&format!("href=\"/contrats/{amp}\"")));
    assert_eq!(
        page.corps.matches("<strong>R-ACT-14</strong>").count(),
        attendus_bdr.len()
    );

    // No pair, no section.
    let page = get(&app, &format!("/contrats/{montpellier}")).await;
    assert!(!page.corps.contains("id=\"coherence\""));
}
