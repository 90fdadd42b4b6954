// A whole campaign year in the browser, on the demonstration's contract 2 (Département des
// Bouches-du-Rhône, « en exécution »; its 2024 and 2025 campaigns are played by `pacte demo`,
// so the year played here is 2026, the first the demonstration leaves unopened):
//  1. the national administrator opens the 2026 campaign;
//  2. the département's editor enters every figure, one with a method change but without its
//     note — the error is shown under that figure and nothing is recorded —, then with the
//     note, its effect and a comment, and submits;
//  3. the DDETS returns the figures with a remark on one of them;
//  4. the editor sees the remark beside the figure, corrects it and submits again;
//  5. the DDETS validates: the figures are locked;
//  6. the national consolidation shows the validated 2026 figures.
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
} from './commun.js';

const ID = 2;
const ANNEE = '2026';
const CAMPAGNE = `/contrats/${ID}/campagnes/${ANNEE}`;
const EDITEUR_CD13 = {
  email: 'editeur.departement13@demo.pacte.example',
  motDePasse: 'pacte-demo-editeur-departement13',
};
const DDETS13 = { email: 'ddets13@demo.pacte.example', motDePasse: 'pacte-demo-ddets' };
const REMARQUE = 'Ce chiffre paraît faible au regard de 2025 : vérifier le décompte.';

let navigateur;
/** The figure the test follows: the name of its « realised » field (`realise|fiche|…`). */
let suivi;

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

/** The suffix of a figure's fields (`fiche|nature|indicateur|ventilation`). */
const champ = (nom) => nom.slice('realise|'.length);
/** The fieldset of the figure whose realised field is `nom`. */
const ligne = (page, nom) => page.locator(`fieldset:has([name="${nom}"])`);
const etat = async (page) => (await page.locator('#etat-campagne').textContent()).trim();

describe('campagne d’indicateurs : une année complète', () => {
  test('l’administration nationale ouvre la campagne 2026', async () => {
    const { contexte, page } = await session(COMPTES.administrateur);
    try {
      assert.equal(await ouvrir(page, '/campagnes'), 200);
      await accessible(page, 'page des campagnes (administration)');
      const formulaire = page.locator('form[action="/campagnes"]');
      await remplir(formulaire.locator('[name=annee]'), ANNEE);
      const r = await soumettre(page, formulaire, /ouvrir/i);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      const texte = await texteDeLaPage(page, 200_000);
      assert.match(texte, /Campagne 2026/);
      assert.match(texte, /Échéance : 31\/03\/2027/);
    } finally {
      await contexte.close();
    }
  });

  test('l’éditeur du département saisit, voit l’erreur sous le chiffre, corrige et soumet', async () => {
    const { contexte, page } = await session(EDITEUR_CD13);
    try {
      assert.equal(await ouvrir(page, CAMPAGNE), 200);
      assert.equal(await etat(page), 'non commencée');
      const formulaire = () => page.locator('#saisie-campagne');
      const noms = await formulaire()
        .locator('input[name^="realise|"]')
        .evaluateAll((champs) => champs.map((c) => c.name));
      assert.ok(noms.length >= 3, `trop peu d’indicateurs : ${noms.length}`);
      // The figure followed: a national indicator that is neither NI-2.1 and its NI-2.3
      // breakdown nor NI-1.2 (exclusive), else the first one.
      suivi =
        noms.find((n) => /\|national\|NI-/.test(n) && !/NI-2\.[13]|NI-1\.2/.test(n)) ?? noms[0];
      // Every figure 0 (NI-2.3's breakdown then sums to NI-2.1, NI-1.2 counts nothing), the
      // followed one 37, with a method change declared but no note.
      for (const n of noms) await formulaire().locator(`[name="${n}"]`).fill(n === suivi ? '37' : '0');
      // The DSFR checkbox is ticked through its label, as a person does.
      const methode = formulaire().locator(`[name="methode|${champ(suivi)}"]`);
      await page.locator(`label[for="${await methode.getAttribute('id')}"]`).click();
      assert.ok(await methode.isChecked(), 'case du changement de méthode non cochée');
      let r = await soumettre(page, formulaire(), /enregistrer/i);
      assert.equal(r.statut, 422, await texteDeLaPage(page, 600));
      const erreur = await ligne(page, suivi).locator('.fr-error-text').allInnerTexts();
      assert.ok(
        erreur.some((e) => /R-REP-03/.test(e)),
        `erreur R-REP-03 absente sous le chiffre : ${erreur.join(' | ')}`,
      );
      assert.equal(await formulaire().locator(`[name="${suivi}"]`).inputValue(), '37', 'saisie perdue');
      assert.equal(await etat(page), 'non commencée', 'rien ne devait être enregistré');
      await accessible(page, 'campagne avec une erreur de saisie');
      await capturer(page, '50-campagne-erreur');

      // The note and its effect, and a comment: recorded, then submitted.
      await formulaire().locator(`[name="note|${champ(suivi)}"]`).fill('Les permanences d’été sont désormais comptées.');
      await formulaire().locator(`[name="effet|${champ(suivi)}"]`).fill('+5');
      await formulaire().locator(`[name="commentaire|${champ(suivi)}"]`).fill('Chiffre issu du logiciel de suivi.');
      r = await soumettre(page, formulaire(), /enregistrer/i);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      assert.equal(await etat(page), 'en cours de saisie');
      r = await soumettre(page, page.locator('form:has(button[value=soumettre])'), /soumettre/i);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      assert.equal(await etat(page), 'soumise à l\'État');
      assert.equal(await page.locator('#saisie-campagne').count(), 0, 'saisie encore ouverte après soumission');
    } finally {
      await contexte.close();
    }
  });

  test('la DDETS renvoie les chiffres avec une remarque sur l’un d’eux', async () => {
    const { contexte, page } = await session(DDETS13);
    try {
      assert.equal(await ouvrir(page, CAMPAGNE), 200);
      await accessible(page, 'campagne soumise (DDETS)');
      const instruction = page.locator('form:has(button[value=renvoyer])');
      await instruction.locator(`[name="remarque|${champ(suivi)}"]`).fill(REMARQUE);
      const r = await soumettre(page, instruction, /renvoyer/i);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      assert.equal(await etat(page), 'renvoyée pour correction');
    } finally {
      await contexte.close();
    }
  });

  test('l’éditeur voit la remarque à côté du chiffre, corrige et soumet à nouveau', async () => {
    const { contexte, page } = await session(EDITEUR_CD13);
    try {
      assert.equal(await ouvrir(page, CAMPAGNE), 200);
      const remarque = await ligne(page, suivi).innerText();
      assert.ok(remarque.includes(REMARQUE), `remarque absente de la ligne : ${remarque}`);
      await accessible(page, 'campagne renvoyée (collectivité)');
      await capturer(page, '51-campagne-renvoyee');
      const formulaire = page.locator('#saisie-campagne');
      await formulaire.locator(`[name="${suivi}"]`).fill('42');
      await formulaire
        .locator(`[name="commentaire|${champ(suivi)}"]`)
        .fill('Chiffre vérifié : cinq accompagnements avaient été oubliés.');
      let r = await soumettre(page, formulaire, /enregistrer/i);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      r = await soumettre(page, page.locator('form:has(button[value=soumettre])'), /soumettre/i);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      assert.equal(await etat(page), 'soumise à l\'État');
    } finally {
      await contexte.close();
    }
  });

  test('la DDETS valide : les chiffres sont verrouillés', async () => {
    let { contexte, page } = await session(DDETS13);
    try {
      assert.equal(await ouvrir(page, CAMPAGNE), 200);
      const r = await soumettre(page, page.locator('form:has(button[value=valider])'), /valider/i);
      assert.equal(r.statut, 200, await texteDeLaPage(page, 600));
      assert.equal(await etat(page), 'validée');
    } finally {
      await contexte.close();
    }
    ({ contexte, page } = await session(EDITEUR_CD13));
    try {
      assert.equal(await ouvrir(page, CAMPAGNE), 200);
      assert.equal(await page.locator('#saisie-campagne').count(), 0, 'saisie encore ouverte après validation');
      assert.equal(await page.locator('form:has(button[value=soumettre])').count(), 0);
      const texte = await texteDeLaPage(page, 200_000);
      assert.match(texte, /Les chiffres validés sont verrouillés/);
      assert.match(texte, /cinq accompagnements avaient été oubliés/);
      await accessible(page, 'campagne validée (collectivité)');
      await capturer(page, '52-campagne-validee');
    } finally {
      await contexte.close();
    }
  });

  test('la consolidation nationale montre les chiffres validés de 2026', async () => {
    const { contexte, page } = await session(COMPTES.administrateur);
    try {
      assert.equal(await ouvrir(page, '/consolidation'), 200);
      const section = page.locator('section:has(#titre-indicateurs-2026)');
      assert.equal(await section.count(), 1, 'pas de tableau des indicateurs nationaux 2026');
      const code = suivi.split('|')[3];
      const rangee = section.locator('tr', { hasText: code }).first();
      const texte = (await rangee.innerText()).replace(/\s+/g, ' ');
      assert.match(texte, /\b42\b/, `ligne ${code} : ${texte}`);
      await accessible(page, 'consolidation nationale');
    } finally {
      await contexte.close();
    }
  });
});
