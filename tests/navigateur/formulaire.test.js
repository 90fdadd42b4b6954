// The fiche form people can work in, and the lists that find things, in a real browser:
//  0. the form's long sections are folded but the first (and those holding an error), the
//     totals over the four years stay in view at the bottom of the screen; the page's height
//     folded and unfolded is printed;
//  1. the editor of Aix-Marseille-Provence (its contract is in negotiation in the
//     demonstration) types an amount: the totals of the year follow, with the R-COFI-50
//     warning, before anything is saved; a row of expenses is added without saving;
//  2. two tabs open the same fiche; the first saves; the second's save comes back (409) with
//     the text it typed still in the form, and the other version beside it, field by field;
//  3. the contract list finds a collectivity without accents and filters by region, the
//     regions being in French order.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  COMPTES,
  IMPACTS_BLOQUANTS,
  analyserAccessibilite,
  capturer,
  connecter,
  decrireViolations,
  deplier,
  lancerNavigateur,
  nouveauContexte,
  ouvrir,
  soumettre,
  texteDeLaPage,
} from './commun.js';

const FICHE = '/contrats/1/fiches/1.1/modifier';

let navigateur;
before(async () => {
  navigateur = await lancerNavigateur();
});
after(async () => {
  await navigateur?.close();
});

describe('formulaire de fiche : totaux, lignes, conflit', () => {
  test('sections repliées sauf la première, totaux toujours visibles ; hauteur mesurée', async () => {
    const contexte = await nouveauContexte(navigateur);
    const page = await contexte.newPage();
    await connecter(page, COMPTES.editeurAmp);
    assert.equal(await ouvrir(page, FICHE), 200, await texteDeLaPage(page, 300));
    const sections = page.locator('form[data-fiche] details.pacte-section');
    const ouvertes = await sections.evaluateAll((ds) => ds.map((d) => d.open));
    assert.ok(ouvertes.length >= 8, `${ouvertes.length} sections`);
    assert.deepEqual(ouvertes, ouvertes.map((_, i) => i === 0), 'seule la première section est ouverte');
    const hauteur = () => page.evaluate(() => document.documentElement.scrollHeight);
    const repliee = await hauteur();
    await sections.evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
    const depliee = await hauteur();
    console.log(`Formulaire de fiche ${FICHE} à 1 280 px : ${repliee} px replié, ${depliee} px déplié`);
    assert.ok(repliee * 3 < depliee, `${repliee} px replié pour ${depliee} px déplié`);
    await sections.evaluateAll((ds) => ds.forEach((d, i) => { d.open = i === 0; }));
    // At the top of the page, the bar with the totals and the button is on screen.
    const barre = await page.locator('#barre-fiche').boundingBox();
    assert.ok(barre && barre.y + barre.height <= 900 + 1, `barre hors de l’écran : ${JSON.stringify(barre)}`);
    assert.match(await page.locator('#resume-totaux').innerText(), /Totaux 2024-2027.*État \(A\) [\d\s]+,\d\d\s€/s);
    // « détail par année » opens the section of the totals.
    await page.locator('#resume-totaux a[href="#totaux"]').click();
    assert.ok(await page.locator('#totaux').isVisible(), 'tableau des totaux visible');
    // A section holding an error opens by itself: a save with an unreadable amount.
    await deplier(page.locator('[name="financement.etat.2025"]'));
    await page.locator('[name="financement.etat.2025"]').fill('douze');
    await soumettre(page, page.locator('form[data-fiche]'));
    const apres = await page.locator('form[data-fiche] details.pacte-section').evaluateAll((ds) =>
      ds.filter((d) => d.open).map((d) => d.querySelector('summary').textContent.trim()),
    );
    assert.ok(apres.includes('Financement par année'), `sections ouvertes : ${apres.join(', ')}`);
    await contexte.close();
  });

  test('les totaux suivent la saisie et une ligne s’ajoute sans enregistrer', async () => {
    const contexte = await nouveauContexte(navigateur);
    const page = await contexte.newPage();
    await connecter(page, COMPTES.editeurAmp);
    assert.equal(await ouvrir(page, FICHE), 200, await texteDeLaPage(page, 300));
    const etat = page.locator('[name="financement.etat.2024"]');
    const collectivite = page.locator('[name="financement.collectivite.2024"]');
    await deplier(etat);
    await collectivite.fill('10000');
    await etat.fill('25 000,50');
    const ligne = page.locator('tr[data-annee="2024"]');
    // A = 25 000,50, B = 10 000: A > B, R-COFI-50 announced while typing.
    // (The table of totals is in the folded section of the budget: its text, not its display.)
    assert.match(await ligne.locator('[data-total="etat"]').textContent(), /25\s000,50\s€/);
    assert.match(await ligne.locator('[data-total="alertes"]').textContent(), /R-COFI-50/);
    // The amount is shown in French digit groups once the field is left.
    await etat.fill('40000');
    await collectivite.focus();
    assert.equal(await etat.inputValue(), '40 000');

    // The bar at the bottom of the screen follows too: État over the four years.
    assert.match(await page.locator('[data-resume="alertes"]').innerText(), /R-COFI-50 en 2024/);
    await deplier(page.locator('[data-lignes="depenses"]'));
    const avant = await page.locator('[data-lignes="depenses"] > [data-ligne]').count();
    await page.getByRole('button', { name: 'Ajouter un poste de dépenses' }).click();
    const apres = page.locator('[data-lignes="depenses"] > [data-ligne]');
    assert.equal(await apres.count(), avant + 1);
    const nouvelle = apres.last();
    const n = await nouvelle.getAttribute('data-ligne');
    assert.equal(await nouvelle.locator(`[name="depenses.${n}.poste"]`).count(), 1);
    assert.equal(await nouvelle.locator(`[name="depenses.${n}.poste"]`).inputValue(), '');
    await capturer(page, 'formulaire-fiche-totaux');
    const violations = (await analyserAccessibilite(page)).filter((v) => IMPACTS_BLOQUANTS.includes(v.impact));
    assert.deepEqual(violations, [], decrireViolations(violations));
    await contexte.close();
  });

  test('un conflit garde le texte tapé à côté de la version de l’autre onglet', async () => {
    const contexte = await nouveauContexte(navigateur);
    const premier = await contexte.newPage();
    await connecter(premier, COMPTES.editeurAmp);
    const second = await contexte.newPage();
    assert.equal(await ouvrir(premier, FICHE), 200);
    assert.equal(await ouvrir(second, FICHE), 200);

    const autre = `Version du premier onglet ${Date.now()}`;
    await premier.locator('#champ-description').fill(autre);
    const r1 = await soumettre(premier, premier.locator('form[data-fiche]'), /enregistrer la fiche/i);
    assert.equal(r1.statut, 200, await texteDeLaPage(premier, 300));

    const tape = `Texte tapé dans le second onglet, à ne pas perdre ${Date.now()}`;
    await second.locator('#champ-description').fill(tape);
    const r2 = await soumettre(second, second.locator('form[data-fiche]'), /enregistrer la fiche/i);
    assert.equal(r2.statut, 409, await texteDeLaPage(second, 300));
    assert.equal(await second.locator('#champ-description').inputValue(), tape, 'saisie conservée');
    const panneau = second.locator('#conflit');
    assert.match(await panneau.innerText(), /Vos modifications n'ont pas été enregistrées/);
    assert.equal(
      (await panneau.locator('[data-enregistre="champ-description"]').innerText()).trim(),
      autre,
    );
    assert.equal((await panneau.locator('[data-saisi="champ-description"]').innerText()).trim(), tape);
    await capturer(second, 'formulaire-fiche-conflit');
    // Saving again replaces the other version knowingly.
    const r3 = await soumettre(second, second.locator('form[data-fiche]'), /enregistrer la fiche/i);
    assert.equal(r3.statut, 200, await texteDeLaPage(second, 300));
    assert.equal(await second.locator('#champ-description').inputValue(), tape);
    await contexte.close();
  });
});

describe('liste des contrats : recherche et filtres', () => {
  test('recherche sans accents, filtre par région, régions en ordre français', async () => {
    const contexte = await nouveauContexte(navigateur);
    const page = await contexte.newPage();
    await connecter(page, COMPTES.administrateur);
    assert.equal(await ouvrir(page, '/contrats'), 200);
    const regions = await page.locator('#filtre-region option').allInnerTexts();
    const idf = regions.indexOf('Île-de-France');
    assert.ok(idf > regions.indexOf('Hauts-de-France') && idf < regions.indexOf('Normandie'), regions.join(', '));

    await page.locator('#filtre-q').fill('aix marseille');
    await soumettre(page, page.locator('form[role="search"]'), /filtrer/i);
    // Every contract found is Aix-Marseille-Provence's (another test may have drafted a second).
    const lignes = page.locator('table tbody tr');
    assert.ok((await lignes.count()) >= 1, await texteDeLaPage(page, 400));
    for (const texte of await lignes.allInnerTexts()) {
      assert.match(texte, /Aix-Marseille-Provence/);
    }

    assert.equal(await ouvrir(page, '/contrats'), 200);
    await page.locator('#filtre-region').selectOption({ label: 'Occitanie' });
    await soumettre(page, page.locator('form[role="search"]'), /filtrer/i);
    const texte = await page.locator('table tbody').innerText();
    assert.match(texte, /Montpellier/);
    assert.doesNotMatch(texte, /Aix-Marseille-Provence/);
    await capturer(page, 'liste-contrats-filtres');
    await contexte.close();
  });
});
