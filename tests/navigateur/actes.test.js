// Lifecycle acts and attached documents, as people would do it in the browser, on the
// demonstration's contract 2 (Département des Bouches-du-Rhône, « en exécution »):
//  1. the commissaire of Provence-Alpes-Côte d'Azur records the evaluation through its form and
//     its confirmation page, sees the success message and the history, then undoes the step
//     (taken in error): the contract is « en exécution » again;
//  2. the commissaire attaches a PDF to the contract and downloads it back, byte for byte;
//     a text file renamed « .pdf » is refused with a French message.
// Every page met is checked with axe-core.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  COMPTES,
  IMPACTS_BLOQUANTS,
  analyserAccessibilite,
  capturer,
  connecter,
  decrireViolations,
  lancerNavigateur,
  nouveauContexte,
  ouvrir,
  remplir,
  soumettre,
  texteDeLaPage,
  url,
} from './commun.js';

const ID = 2;

let navigateur;
before(async () => {
  navigateur = await lancerNavigateur();
});
after(async () => {
  await navigateur?.close();
});

async function accessible(page, quoi) {
  const violations = (await analyserAccessibilite(page)).filter((v) => IMPACTS_BLOQUANTS.includes(v.impact));
  assert.equal(violations.length, 0, `${quoi} : ${decrireViolations(violations)}`);
}

describe('actes du cycle de vie et documents joints', () => {
  test('le ou la commissaire enregistre l’évaluation avec confirmation, puis l’annule', async () => {
    const contexte = await nouveauContexte(navigateur);
    try {
      const page = await contexte.newPage();
      await connecter(page, COMPTES.commissairePaca);
      assert.equal(await ouvrir(page, `/contrats/${ID}`), 200);
      assert.match(await texteDeLaPage(page, 100_000), /en exécution/i);
      const lien = page.locator(`a[href="/contrats/${ID}/etapes/evaluation"]`);
      assert.ok((await lien.count()) > 0, 'pas de lien vers l’étape « évalué »');
      await lien.first().click();
      await page.waitForLoadState('load');
      await accessible(page, 'formulaire de l’évaluation');
      const formulaire = () => page.locator(`form[action="/contrats/${ID}/etapes/evaluation"]`).first();

      // An empty form is refused, nothing written, the fields named.
      const refuse = await soumettre(page, formulaire(), /v[ée]rifier/i);
      assert.equal(refuse.statut, 422);
      assert.match(await texteDeLaPage(page, 5_000), /Date de l’évaluation|Date de l'évaluation/);

      await remplir(page.locator('#champ-date'), '2026-03-31');
      await remplir(page.locator('#champ-objet'), 'Exécution 2024-2025 : rapport à mi-parcours');
      const verifie = await soumettre(page, formulaire(), /v[ée]rifier/i);
      assert.equal(verifie.statut, 200, await texteDeLaPage(page));
      assert.match(await texteDeLaPage(page, 5_000), /Exécution 2024-2025/);
      await accessible(page, 'confirmation de l’évaluation');
      await capturer(page, 'acte-confirmation');
      const confirme = await soumettre(page, formulaire(), /confirmer/i);
      assert.equal(confirme.statut, 200, await texteDeLaPage(page));
      const texte = await texteDeLaPage(page, 100_000);
      assert.match(texte, /L’évaluation est enregistrée|L'évaluation est enregistrée/);
      assert.match(texte, /Historique des actes/);
      assert.match(texte, /Évaluation du 31\/03\/2026/);
      await accessible(page, 'page du contrat après l’étape');
      await capturer(page, 'acte-historique');

      // Taken in error: undone by the same role, back to « en exécution ».
      const annuler = page.locator(`form[action="/contrats/${ID}/annuler-etape"]`).first();
      const annule = await soumettre(page, annuler, /annuler/i);
      assert.equal(annule.statut, 200, await texteDeLaPage(page));
      const apres = await texteDeLaPage(page, 100_000);
      assert.match(apres, /Étape annulée/);
      assert.match(apres, /annulé/);
      assert.match(apres, /en exécution/i);
    } finally {
      await contexte.close();
    }
  });

  test('un document joint est téléchargé octet pour octet ; un faux PDF est refusé', async () => {
    const contexte = await nouveauContexte(navigateur);
    try {
      const page = await contexte.newPage();
      await connecter(page, COMPTES.commissairePaca);
      assert.equal(await ouvrir(page, `/contrats/${ID}`), 200);
      assert.match(await texteDeLaPage(page, 100_000), /Taille maximale : 10 Mo/);
      const formulaire = () => page.locator(`form[action="/contrats/${ID}/pieces"]`).first();

      // A text file renamed .pdf.
      await page.locator('#champ-piece').setInputFiles({
        name: 'convention.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('ceci n’est pas un PDF'),
      });
      const refuse = await soumettre(page, formulaire(), /joindre/i);
      assert.equal(refuse.statut, 422);
      assert.match(await texteDeLaPage(page, 5_000), /fichier texte/);

      // A real PDF (every byte value in it).
      const octets = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from([...Array(256).keys()]), Buffer.from('\n%%EOF\n')]);
      assert.equal(await ouvrir(page, `/contrats/${ID}`), 200);
      await page.locator('#champ-piece').setInputFiles({ name: 'bilan-2025.pdf', mimeType: 'application/pdf', buffer: octets });
      const depose = await soumettre(page, formulaire(), /joindre/i);
      assert.equal(depose.statut, 200, await texteDeLaPage(page));
      assert.match(await texteDeLaPage(page, 100_000), /Document joint au contrat/);
      const lien = page.locator('#documents ~ ul a, a[download]').filter({ hasText: 'bilan-2025.pdf' }).first();
      const cible = await lien.getAttribute('href');
      assert.match(cible ?? '', new RegExp(`^/contrats/${ID}/pieces/\\d+$`));
      const reponse = await contexte.request.get(url(cible));
      assert.equal(reponse.status(), 200);
      assert.equal(reponse.headers()['content-type'], 'application/pdf');
      assert.equal(reponse.headers()['x-content-type-options'], 'nosniff');
      assert.match(reponse.headers()['content-disposition'], /^attachment; filename="bilan-2025\.pdf"/);
      assert.ok(Buffer.compare(await reponse.body(), octets) === 0, 'contenu téléchargé différent du contenu déposé');
      await accessible(page, 'page du contrat avec un document');
    } finally {
      await contexte.close();
    }
  });
});
