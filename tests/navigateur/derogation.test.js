// The commissaire's derogation (R-ACT-03), as people would do it in the browser:
//  1. the editor of Aix-Marseille-Provence adds to its contract in negotiation a fiche declared
//     out of the référentiel;
//  2. the commissaire of Provence-Alpes-Côte d'Azur opens the fiche, follows « Accorder une
//     dérogation », writes the justification and grants it: the fiche page shows it.
// Steps share a state; a step whose prerequisite failed is skipped.

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
  remplir,
  remplirSiPresent,
  soumettre,
  texteDeLaPage,
} from './commun.js';

// A fiche number free in the contract of Aix-Marseille-Provence (axis 1 has 1.1 to 1.4).
const NUMERO = '1.9';
const JUSTIFICATION = 'Aucune offre d’aide d’urgence pour les ménages orientés par les CCAS.';

let navigateur;
before(async () => {
  navigateur = await lancerNavigateur();
});
after(async () => {
  await navigateur?.close();
});

describe('scénario : dérogation pour une action hors référentiel', () => {
  const etat = { contratId: null, negociation: false };

  test('la collectivité ajoute une fiche hors référentiel à son contrat en négociation', async () => {
    const contexte = await nouveauContexte(navigateur);
    try {
      const page = await contexte.newPage();
      await connecter(page, COMPTES.editeurAmp);
      // The demonstration's contract 1, Aix-Marseille-Provence's, is in negotiation: its editor
      // may add fiches to it (one contract per collectivity and period: no second contract).
      const id = 1;
      assert.equal(await ouvrir(page, `/contrats/${id}`), 200);
      assert.match(await texteDeLaPage(page, 100_000), /Aix-Marseille-Provence[\s\S]*en négociation/i);

      assert.equal(await ouvrir(page, `/contrats/${id}/fiches/nouvelle`), 200);
      await remplirSiPresent(page, '#champ-numero', NUMERO);
      await remplir(page.locator('#champ-intitule').first(), 'Aides d’urgence aux ménages');
      // DSFR draws the checkbox under its label: tick it as a person does, through the label
      // (in the section « Rattachement au référentiel », folded until its title is clicked).
      await deplier(page.locator('#champ-hors_referentiel'));
      await page.locator('label[for="champ-hors_referentiel"]').first().click();
      assert.ok(await page.locator('#champ-hors_referentiel').isChecked(), 'case « hors référentiel » cochée');
      const fiche = await soumettre(page, page.locator('form', { has: page.locator('#champ-hors_referentiel') }).first());
      assert.equal(fiche.statut, 200, `enregistrement de la fiche : ${await texteDeLaPage(page)}`);
      // The collectivity's form shows no derogation field.
      assert.equal(await page.locator('[name^="derogation."]').count(), 0, 'champ de dérogation dans le formulaire de la collectivité');
      etat.contratId = id;
      etat.negociation = true;
    } finally {
      await contexte.close();
    }
  });

  test('le ou la commissaire accorde la dérogation depuis la page de la fiche', async (t) => {
    if (!etat.negociation) return t.skip('pas de contrat en négociation (étape précédente en échec)');
    const contexte = await nouveauContexte(navigateur);
    try {
      const page = await contexte.newPage();
      await connecter(page, COMPTES.commissairePaca);
      const chemin = `/contrats/${etat.contratId}/fiches/${NUMERO}`;
      assert.equal(await ouvrir(page, chemin), 200);
      // The commissaire does not edit the collectivity's fiche.
      assert.equal(await page.locator(`a[href="${chemin}/modifier"]`).count(), 0, '« Modifier la fiche » proposé au commissaire');
      const lien = page.locator(`a[href="${chemin}/derogation"]`, { hasText: 'Accorder une dérogation' });
      assert.ok((await lien.count()) > 0, 'pas de bouton « Accorder une dérogation »');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), lien.first().click()]);
      assert.equal(new URL(page.url()).pathname, `${chemin}/derogation`);
      await capturer(page, '40-derogation-formulaire');
      const violations = (await analyserAccessibilite(page)).filter((v) => IMPACTS_BLOQUANTS.includes(v.impact));
      assert.equal(violations.length, 0, decrireViolations(violations));
      assert.notEqual(await page.locator('#champ-derogation-accordee_par').inputValue(), '', '« Accordée par » prérempli');
      assert.notEqual(await page.locator('#champ-derogation-date').inputValue(), '', 'date du jour préremplie');
      await remplir(page.locator('#champ-derogation-justification').first(), JUSTIFICATION);
      const formulaire = page.locator('form', { has: page.locator('#champ-derogation-justification') }).first();
      const { statut, url: adresse } = await soumettre(page, formulaire, /accorder/i);
      await capturer(page, '41-derogation-accordee');
      assert.equal(statut, 200, `enregistrement de la dérogation : ${await texteDeLaPage(page)}`);
      assert.equal(new URL(adresse).pathname, chemin);
      const texte = await texteDeLaPage(page, 100_000);
      assert.match(texte, /Dérogation enregistrée/);
      assert.ok(texte.includes(JUSTIFICATION), 'la justification figure sur la page de la fiche');
      assert.ok((await page.locator(`a[href="${chemin}/derogation"]`, { hasText: 'Modifier la dérogation' }).count()) > 0);
    } finally {
      await contexte.close();
    }
  });
});
