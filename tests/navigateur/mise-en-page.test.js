// Layout at a phone's width (375 px) and at 1 280 px: no page of the editor's daily work
// widens the screen (wide tables scroll inside their DSFR container, code blocks inside
// themselves).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { COMPTES, connecter, lancerNavigateur, nouveauContexte, ouvrir } from './commun.js';

const PAGES = [
  '/',
  '/contrats',
  '/contrats/1',
  '/contrats/1/fiches/1.1',
  '/contrats/1/fiches/1.1/modifier',
  '/contrats/1/echanges',
  '/contrats/1/historique',
  '/referentiel',
  '/territoires',
  '/aide/format-contrat',
];

let navigateur;
before(async () => {
  navigateur = await lancerNavigateur();
});
after(async () => {
  await navigateur?.close();
});

for (const largeur of [375, 1280]) {
  describe(`mise en page à ${largeur} px`, () => {
    test('aucune page ne déborde de l’écran', async () => {
      const contexte = await nouveauContexte(navigateur);
      try {
        const page = await contexte.newPage();
        await page.setViewportSize({ width: largeur, height: 900 });
        await connecter(page, COMPTES.editeurAmp);
        const debordements = [];
        for (const chemin of PAGES) {
          assert.equal(await ouvrir(page, chemin), 200, chemin);
          const { large, ecran } = await page.evaluate(() => ({
            large: document.documentElement.scrollWidth,
            ecran: document.documentElement.clientWidth,
          }));
          if (large > ecran) debordements.push(`${chemin} : ${large} px pour ${ecran}`);
        }
        assert.deepEqual(debordements, []);
      } finally {
        await contexte.close();
      }
    });
  });
}
