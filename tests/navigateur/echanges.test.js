// Exchanges instead of e-mail and one contract per collectivity, as people would do it in the
// browser:
//  1. the DDETS of the Bouches-du-Rhône requests a correction on a fiche of the contract of
//     Aix-Marseille-Provence; the editor of Aix-Marseille-Provence finds it on the dashboard,
//     answers it; the DDETS resolves it; it leaves the editor's dashboard;
//  2. the national administrator uploads the file of Aix-Marseille-Provence with a changed
//     title: the preview says a contract already exists and shows the difference.
// Steps share a state; a step whose prerequisite failed is skipped.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  COMPTES,
  IMPACTS_BLOQUANTS,
  RACINE,
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

const DDETS = { email: 'ddets13@demo.pacte.example', motDePasse: 'pacte-demo-ddets' };
const DEMANDE = 'Le cofinancement de la CAF manque pour 2025 : merci de le renseigner.';
const REPONSE = 'Ajouté : 12 000 € de la CAF en 2025.';

let navigateur;
before(async () => {
  navigateur = await lancerNavigateur();
});
after(async () => {
  await navigateur?.close();
});

/** Opens `chemin` as `compte` in a fresh context and runs `corps(page)`. */
async function en(compte, corps) {
  const contexte = await nouveauContexte(navigateur);
  try {
    const page = await contexte.newPage();
    await connecter(page, compte);
    return await corps(page);
  } finally {
    await contexte.close();
  }
}

async function sansViolation(page) {
  const violations = (await analyserAccessibilite(page)).filter((v) => IMPACTS_BLOQUANTS.includes(v.impact));
  assert.equal(violations.length, 0, decrireViolations(violations));
}

describe('scénario : demande de correction de la DDETS, réponse de la collectivité, résolution', () => {
  const etat = { fil: null, demande: false, repondue: false };

  test('la DDETS demande une correction sur une fiche', async () => {
    await en(DDETS, async (page) => {
      // The contract of Aix-Marseille-Provence, in the DDETS's list.
      assert.equal(await ouvrir(page, '/contrats'), 200);
      const lien = page.locator('a[href^="/contrats/"]', { hasText: /Aix-Marseille-Provence/ }).first();
      const id = Number((await lien.getAttribute('href')).match(/^\/contrats\/(\d+)/)?.[1]);
      assert.ok(id, 'contrat d’Aix-Marseille-Provence introuvable dans la liste');
      assert.equal(await ouvrir(page, `/contrats/${id}/fiches/1.1`), 200);
      const echanges = page.locator(`a[href="/contrats/${id}/fiches/1.1/echanges"]`);
      assert.ok((await echanges.count()) > 0, 'pas de lien « Échanges sur la fiche »');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), echanges.first().click()]);
      await remplir(page.locator('#demande-champ').first(), 'Financement 2025');
      await remplir(page.locator('#demande-texte').first(), DEMANDE);
      const formulaire = page.locator('form', { has: page.locator('#demande-texte') }).first();
      const { statut, url } = await soumettre(page, formulaire, /demander/i);
      await capturer(page, '50-echanges-demande');
      assert.equal(statut, 200, `demande de correction : ${await texteDeLaPage(page)}`);
      assert.equal(new URL(url).pathname, `/contrats/${id}/fiches/1.1/echanges`);
      const texte = await texteDeLaPage(page, 100_000);
      assert.ok(texte.includes(DEMANDE), 'la demande figure dans le fil');
      assert.match(texte, /ouverte/i);
      await sansViolation(page);
      etat.fil = `/contrats/${id}/fiches/1.1/echanges`;
      etat.demande = true;
    });
  });

  test('l’éditeur la voit sur son tableau de bord et y répond', async (t) => {
    if (!etat.demande) return t.skip('pas de demande (étape précédente en échec)');
    await en(COMPTES.editeurAmp, async (page) => {
      assert.equal(await ouvrir(page, '/'), 200);
      const accueil = await texteDeLaPage(page, 100_000);
      assert.ok(accueil.includes(DEMANDE), `la demande n’est pas sur le tableau de bord : ${accueil.slice(0, 600)}`);
      assert.match(accueil, /1 message non lu/);
      await capturer(page, '51-echanges-tableau-de-bord');
      await sansViolation(page);
      assert.equal(await ouvrir(page, etat.fil), 200);
      const reponse = page.locator('textarea[id^="reponse-"]').first();
      await remplir(reponse, REPONSE);
      const formulaire = page.locator('form', { has: page.locator('textarea[id^="reponse-"]') }).first();
      const { statut } = await soumettre(page, formulaire, /répondre/i);
      assert.equal(statut, 200, `réponse : ${await texteDeLaPage(page)}`);
      const texte = await texteDeLaPage(page, 100_000);
      assert.ok(texte.includes(REPONSE), 'la réponse figure dans le fil');
      assert.match(texte, /répondue/i);
      etat.repondue = true;
    });
  });

  test('la DDETS la résout ; elle quitte le tableau de bord de la collectivité', async (t) => {
    if (!etat.repondue) return t.skip('pas de réponse (étape précédente en échec)');
    await en(DDETS, async (page) => {
      assert.equal(await ouvrir(page, etat.fil), 200);
      const formulaire = page.locator('form', { has: page.locator('input[name="action"][value="resoudre"]') }).first();
      const { statut } = await soumettre(page, formulaire, /résolue/i);
      await capturer(page, '52-echanges-resolue');
      assert.equal(statut, 200, `résolution : ${await texteDeLaPage(page)}`);
      assert.match(await texteDeLaPage(page, 100_000), /résolue/i);
    });
    await en(COMPTES.editeurAmp, async (page) => {
      assert.equal(await ouvrir(page, '/'), 200);
      assert.ok(!(await texteDeLaPage(page, 100_000)).includes(DEMANDE), 'la demande résolue est encore sur le tableau de bord');
    });
  });
});

describe('scénario : import d’un contrat existant, avec ses différences', () => {
  test('l’aperçu dit que le contrat existe et montre le changement d’intitulé', async () => {
    const original = readFileSync(join(RACINE, 'exemples', 'metropole-aix-marseille-provence.toml'), 'utf8');
    const modifie = original.replace(/^intitule = ".*"$/m, 'intitule = "Contrat révisé d’Aix-Marseille-Provence"');
    assert.notEqual(modifie, original, 'intitulé introuvable dans le fichier d’exemple');
    await en(COMPTES.administrateur, async (page) => {
      assert.equal(await ouvrir(page, '/contrats'), 200);
      const champ = page.locator('input[type=file][name=fichier]');
      await champ.first().setInputFiles({ name: 'amp.toml', mimeType: 'application/toml', buffer: Buffer.from(modifie) });
      const formulaire = page.locator('form', { has: page.locator('input[type=file][name=fichier]') }).first();
      const { statut } = await soumettre(page, formulaire);
      await capturer(page, '53-import-contrat-existant');
      assert.equal(statut, 200, `aperçu : ${await texteDeLaPage(page)}`);
      const texte = await texteDeLaPage(page, 100_000);
      assert.match(texte, /Un contrat existe déjà pour cette collectivité/);
      const difference = page.locator('table', { hasText: 'Différences entre le contrat enregistré et le fichier' });
      assert.ok((await difference.count()) > 0, 'pas de tableau des différences');
      const ligne = difference.locator('tr', { hasText: 'Intitulé' }).first();
      assert.match(await ligne.innerText(), /Contrat révisé/);
      // The national administrator may not change a contract in negotiation (its editor may): no
      // confirmation offered.
      assert.equal(await page.locator('form[action="/contrats/import/confirmer"]').count(), 0);
      await sansViolation(page);
    });
  });
});
