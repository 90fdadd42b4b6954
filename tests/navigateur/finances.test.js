// The financial execution in the browser, on the demonstration's contract 2 (Département des
// Bouches-du-Rhône, « en exécution », 2024 and 2025 executed by `pacte demo`, with one manifest
// under-consumption and its proposed reduction):
//  1. the national administrator creates the département's editor account;
//  2. the editor downloads the Bilan 2024, enters realised amounts for a fiche (a wrong amount
//     first: the page comes back with the input and the message), then uploads the Bilan
//     downloaded before — the correction of what was just typed —, sees the differences and
//     applies them;
//  3. the DDETS records a payment and an avenant with its signed document;
//  4. the commissaire finds the proposed reduction on the dashboard and decides it.
// Every page met is checked with axe-core.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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
} from './commun.js';

const ID = 2;
const FINANCES = `/contrats/${ID}/finances`;
const EDITEUR_CD13 = { email: 'editeur.cd13@demo.pacte.example', motDePasse: 'pacte-demo-editeur-cd13' };
const DDETS13 = { email: 'ddets13@demo.pacte.example', motDePasse: 'pacte-demo-ddets' };

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

/** A new signed-in page for `compte`, with its context (to close). */
async function session(compte) {
  const contexte = await nouveauContexte(navigateur);
  const page = await contexte.newPage();
  await connecter(page, compte);
  return { contexte, page };
}

describe('exécution financière', () => {
  test('l’administration crée le compte de l’éditeur du département', async () => {
    const { contexte, page } = await session(COMPTES.administrateur);
    try {
      assert.equal(await ouvrir(page, '/administration/utilisateurs/nouveau'), 200);
      await page.locator('#email').fill(EDITEUR_CD13.email);
      await page.locator('#nom').fill('Éditeur du département des Bouches-du-Rhône');
      await remplir(page.locator('#role'), 'collectivite_editeur');
      await remplir(page.locator('#collectivite'), '13');
      await page.locator('#mot_de_passe').fill(EDITEUR_CD13.motDePasse);
      const r = await soumettre(page, page.locator('form').filter({ has: page.locator('#email') }).first(), /cr[ée]er/i);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
    } finally {
      await contexte.close();
    }
  });

  test('la collectivité saisit son exécution 2024, télécharge le Bilan, le dépose et l’applique', async () => {
    const { contexte, page } = await session(EDITEUR_CD13);
    try {
      assert.equal(await ouvrir(page, FINANCES), 200);
      await accessible(page, 'page Finances (collectivité)');
      // The Bilan 2024 as stored now.
      const [telechargement] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`a[href="/contrats/${ID}/tableaux/bilan/2024/xlsx"]`).first().click(),
      ]);
      const fichier = await telechargement.path();
      assert.ok((await readFile(fichier)).length > 0, 'Bilan téléchargé vide');

      // A wrong amount: the page again, 422, the input kept, the field named.
      const formulaire = () => page.locator('form#realisation');
      const fiche = await formulaire().locator('[name=fiche] option').first().getAttribute('value');
      await remplir(formulaire().locator('[name=fiche]'), fiche);
      await remplir(formulaire().locator('[name=annee]'), '2024');
      await formulaire().locator('[name=etat]').fill('douze');
      await formulaire().locator('[name=collectivite]').fill('2,00');
      let r = await soumettre(page, formulaire());
      assert.equal(r.statut, 422, await texteDeLaPage(page, 600));
      assert.match(await texteDeLaPage(page, 100_000), /Crédits État consommés : « douze »/);
      assert.equal(await formulaire().locator('[name=etat]').inputValue(), 'douze');
      assert.equal(await formulaire().locator('[name=collectivite]').inputValue(), '2,00');
      await accessible(page, 'page Finances avec une saisie refusée');
      await capturer(page, '40-finances-saisie-refusee');

      // Corrected and recorded.
      await formulaire().locator('[name=etat]').fill('1,00');
      r = await soumettre(page, formulaire());
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      assert.equal(new URL(r.url).pathname, FINANCES);

      // The Bilan downloaded before holds the amounts prior to this entry: uploaded, it
      // corrects it; the preview shows the difference.
      const envoi = page.locator(`form[action="/contrats/${ID}/bilan"]`);
      await remplir(envoi.locator('[name=annee]'), '2024');
      await envoi.locator('input[type=file]').setInputFiles(fichier);
      r = await soumettre(page, envoi, /aper[çc]u/i);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      const apercu = await texteDeLaPage(page, 100_000);
      assert.match(apercu, /Différences avec les montants enregistrés/);
      assert.match(apercu, /1,00\s€/);
      await accessible(page, 'aperçu du Bilan');
      await capturer(page, '41-finances-bilan-apercu');
      r = await soumettre(page, page.locator(`form[action="/contrats/${ID}/bilan/appliquer"]`), /enregistrer/i);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      assert.equal(new URL(r.url).pathname, FINANCES);
    } finally {
      await contexte.close();
    }
  });

  test('la DDETS enregistre un versement et un avenant avec son document signé', async () => {
    const { contexte, page } = await session(DDETS13);
    try {
      assert.equal(await ouvrir(page, FINANCES), 200);
      await accessible(page, 'page Finances (État)');
      const versement = () => page.locator('form#versement');
      await remplir(versement().locator('[name=annee]'), '2025');
      await versement().locator('[name=date]').fill('2025-06-20');
      await versement().locator('[name=montant]').fill('1 000,00');
      await versement().locator('[name=code_chorus]').fill('0304-17-05');
      await versement().locator('[name=libelle_chorus]').fill('Pacte des solidarités — complément');
      await versement().locator('[name=iban]').fill('FR76 3000 1007 9412 3456 7890 185');
      await versement().locator('[name=ordonnateur]').fill('Le préfet de région');
      await versement().locator('[name=comptable]').fill('Le directeur régional des finances publiques');
      let r = await soumettre(page, versement());
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      assert.match(await texteDeLaPage(page, 100_000), /Pacte des solidarités — complément/);

      const avenant = () => page.locator('form#avenant');
      const fiche = await page.locator('form#notification-fiche [name=fiche] option').first().getAttribute('value');
      await remplir(avenant().locator('[name=annee]'), '2025');
      await avenant().locator('[name=date]').fill('2025-09-01');
      await avenant().locator('[name=accord_etat]').fill('2025-08-20');
      await avenant().locator('[name=accord_collectivite]').fill('2025-08-25');
      await avenant().locator('[name="lignes[0].fiche"]').fill(fiche);
      await avenant().locator('[name="lignes[0].etat"]').fill('10 000');
      await avenant().locator('[name="lignes[0].motif"]').fill('Ajustement du dialogue de gestion');
      await avenant()
        .locator('input[type=file]')
        .setInputFiles({ name: 'avenant-2025.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\nAvenant 2025\n%%EOF\n') });
      r = await soumettre(page, avenant());
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      const texte = await texteDeLaPage(page, 200_000);
      assert.match(texte, /Avenant \d+ — année 2025, du 01\/09\/2025/);
      assert.match(texte, /Ajustement du dialogue de gestion/);
      assert.ok((await page.locator(`a[href^="/contrats/${ID}/pieces/"]`).count()) > 0, 'avenant signé non lié');
      await capturer(page, '42-finances-etat');
    } finally {
      await contexte.close();
    }
  });

  test('le ou la commissaire décide la réduction proposée depuis son tableau de bord', async () => {
    const { contexte, page } = await session(COMPTES.commissairePaca);
    try {
      assert.equal(await ouvrir(page, '/'), 200);
      assert.match(await texteDeLaPage(page, 100_000), /Réductions à décider/);
      await accessible(page, 'tableau de bord avec des réductions à décider');
      await page.locator(`a[href="${FINANCES}#reductions-attente"]`).first().click();
      await page.waitForLoadState('load');
      const decision = page.locator(`form[action="${FINANCES}/reduction/decision"]`).first();
      assert.ok((await decision.count()) > 0, 'pas de formulaire de décision');
      assert.notEqual(await decision.locator('[name=montant]').inputValue(), '', 'montant proposé non prérempli');
      await decision.locator('[name=date]').fill('2025-03-15');
      const r = await soumettre(page, decision);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      assert.match(await texteDeLaPage(page, 200_000), /Aucune réduction en attente/);
      await capturer(page, '43-finances-reduction-decidee');
    } finally {
      await contexte.close();
    }
  });
});
