// End-to-end scenario, as a person would do it in the browser:
//  A. create a contract with the form, add a fiche whose État 2024 share exceeds the
//     collectivité's: R-COFI-50 shows next to the État 2024 field; raise the collectivité's
//     share to the same amount: the finding goes away;
//  B. upload a contract file from the contract list, look at the preview, confirm, land on the
//     new contract, download its file back and find the collectivité in it.
// Steps of one chain share the browser page; a step whose prerequisite failed is skipped.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  CAPTURES,
  COMPTES,
  connecter,
  RACINE,
  capturer,
  lancerNavigateur,
  nouveauContexte,
  ouvrir,
  remplir,
  remplirSiPresent,
  soumettre,
  texteDeLaPage,
} from './commun.js';

const ETAT_2024 = '#champ-financement-etat-2024';
const COLLECTIVITE_2024 = '#champ-financement-collectivite-2024';

/**
 * Rennes Métropole, which the demonstration leaves without a contract (one contract per
 * collectivity and period): the national administrator drafts it. The editor of
 * Aix-Marseille-Provence works in its own contract in formulaire.test.js.
 */
const SIREN_NOUVEAU_CONTRAT = '243500139';
// The example file for Brest Métropole, which has no contract in the demonstration: one
// contract per collectivity and period (the import of an existing one: echanges.test.js).
const FICHIER_IMPORT = {
  name: 'brest.toml',
  mimeType: 'application/toml',
  buffer: Buffer.from(
    readFileSync(join(RACINE, 'exemples', 'metropole-aix-marseille-provence.toml'), 'utf8').replace(
      'collectivite = "200054807"',
      'collectivite = "242900314"',
    ),
  ),
};

let navigateur;
before(async () => {
  navigateur = await lancerNavigateur();
});
after(async () => {
  await navigateur?.close();
});

/** `/contrats/<id>…` → id (a number), or null. */
function idContrat(adresse) {
  const m = new URL(adresse).pathname.match(/^\/contrats\/(\d+)(?:\/|$)/);
  return m ? Number(m[1]) : null;
}

/** Reads an amount as typed or formatted by the page ("50000", "50 000", "50 000,00"). */
function montant(texte) {
  return Number(String(texte).replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.'));
}

/**
 * Where `code` shows around the field `selecteur`: inside its .fr-input-group, in the element
 * right after that group (or after the field when it has no group), or in an element the field
 * names with aria-describedby. Also returns what is needed to explain a failure.
 */
async function constatPresDuChamp(page, selecteur, code) {
  return page.locator(selecteur).first().evaluate((champ, code) => {
    const groupe = champ.closest('.fr-input-group');
    const zones = groupe ? [groupe, groupe.nextElementSibling] : [champ.nextElementSibling];
    for (const id of (champ.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)) {
      zones.push(document.getElementById(id));
    }
    // A finding shows its code on its own (a badge); help texts that cite the rule, such as
    // "… (R-COFI-50)", are not findings.
    const principal = document.querySelector('main') ?? document.body;
    const badges = [...principal.querySelectorAll('*')].filter(
      (e) => e.children.length === 0 && e.textContent.trim() === code && e.checkVisibility(),
    );
    return {
      present: zones.filter(Boolean).some((z) => z.innerText.includes(code)),
      ailleurs: badges.length > 0,
      badges: badges.map((e) => (e.closest('[id]')?.id ? `#${e.closest('[id]').id}` : e.tagName.toLowerCase())),
      html: (groupe ?? champ.parentElement ?? champ).outerHTML.replace(/\s+/g, ' ').slice(0, 700),
    };
  }, code);
}

/** Screenshot of the innermost fieldset around a field (or of the field's group). */
async function capturerAutourDuChamp(page, selecteur, nom) {
  const champ = page.locator(selecteur).first();
  let zone = page.locator('fieldset', { has: champ }).last();
  if ((await zone.count()) === 0) zone = page.locator('.fr-input-group', { has: champ }).last();
  if ((await zone.count()) === 0) return;
  mkdirSync(CAPTURES, { recursive: true });
  await zone.screenshot({ path: join(CAPTURES, `${nom}.png`) });
}

/** Makes sure the page shows the fiche form (after a save that led elsewhere, opens it). */
async function afficherFormulaireFiche(page, contratId, numero) {
  if ((await page.locator(ETAT_2024).count()) > 0) return;
  const chemin = `/contrats/${contratId}/fiches/${numero}/modifier`;
  const statut = await ouvrir(page, chemin);
  assert.equal(statut, 200, `${chemin} : HTTP ${statut} — ${await texteDeLaPage(page, 300)}`);
  assert.ok((await page.locator(ETAT_2024).count()) > 0, `${chemin} : pas de champ ${ETAT_2024}`);
}

describe('scénario : contrat, fiche et constat R-COFI-50', () => {
  const etat = { contratId: null, numero: null };
  let contexte;
  let page;
  before(async () => {
    contexte = await nouveauContexte(navigateur);
    page = await contexte.newPage();
    // The fiches are written by the editor of Aix-Marseille-Provence in its contract in
    // negotiation (contract 1); the contract is created by the national administrator.
    await connecter(page, COMPTES.editeurAmp);
  });
  after(async () => {
    await contexte?.close();
  });

  test('création d’un contrat par le formulaire (/contrats/nouveau)', async () => {
    const admin = await nouveauContexte(navigateur);
    try {
      const page = await admin.newPage();
      await connecter(page, COMPTES.administrateur);
      const statut = await ouvrir(page, '/contrats/nouveau');
      assert.equal(statut, 200, `/contrats/nouveau : HTTP ${statut} — ${await texteDeLaPage(page, 300)}`);
      const collectivite = page.locator('#champ-collectivite');
      assert.ok(
        (await collectivite.count()) > 0,
        '/contrats/nouveau : pas de champ #champ-collectivite (collectivité du contrat)',
      );
      await remplir(collectivite.first(), SIREN_NOUVEAU_CONTRAT);
      await remplirSiPresent(page, '#champ-intitule', 'Contrat local des solidarités de Rennes Métropole');
      await remplirSiPresent(page, '#champ-debut', '2024-01-01');
      await remplirSiPresent(page, '#champ-fin', '2027-12-31');
      await capturer(page, '20-scenario-contrat-nouveau');
      const formulaire = page.locator('form', { has: page.locator('#champ-collectivite') }).first();
      const { statut: apres, url: adresse } = await soumettre(page, formulaire);
      await capturer(page, '21-scenario-contrat-cree');
      assert.equal(apres, 200, `création du contrat : HTTP ${apres} (${adresse}) — ${await texteDeLaPage(page)}`);
      const id = idContrat(adresse);
      assert.ok(id, `après la création, la page devrait être celle du contrat (/contrats/<id>) : ${adresse}`);
      assert.match(await texteDeLaPage(page, 100_000), /Rennes Métropole/);
    } finally {
      await admin.close();
    }
    etat.contratId = 1;
  });

  test('fiche avec État 2024 = 50 000 € et collectivité 2024 = 40 000 € : R-COFI-50 à côté du champ État 2024', async (t) => {
    if (!etat.contratId) return t.skip('pas de contrat créé (étape précédente en échec)');
    const chemin = `/contrats/${etat.contratId}/fiches/nouvelle`;
    const statut = await ouvrir(page, chemin);
    assert.equal(statut, 200, `${chemin} : HTTP ${statut} — ${await texteDeLaPage(page, 300)}`);
    for (const s of ['#champ-intitule', ETAT_2024, COLLECTIVITE_2024]) {
      assert.ok((await page.locator(s).count()) > 0, `${chemin} : pas de champ ${s}`);
    }
    // A number free in the contract of Aix-Marseille-Provence (axis 1 has 1.1 to 1.4).
    await remplirSiPresent(page, '#champ-numero', '1.8');
    await remplir(page.locator('#champ-intitule').first(), 'Médiateurs familles');
    await remplirSiPresent(page, '#champ-nature', 'nouvelle');
    await remplir(page.locator(ETAT_2024).first(), '50000');
    await remplir(page.locator(COLLECTIVITE_2024).first(), '40000');
    await capturer(page, '22-scenario-fiche-nouvelle');
    const formulaire = page.locator('form', { has: page.locator(ETAT_2024) }).first();
    const { statut: apres, url: adresse } = await soumettre(page, formulaire);
    assert.equal(apres, 200, `enregistrement de la fiche : HTTP ${apres} (${adresse}) — ${await texteDeLaPage(page)}`);
    etat.numero = new URL(adresse).pathname.match(/\/fiches\/(\d+\.\d+)/)?.[1] ?? '1.8';
    await afficherFormulaireFiche(page, etat.contratId, etat.numero);
    await capturer(page, '23-scenario-fiche-r-cofi-50');
    await capturerAutourDuChamp(page, ETAT_2024, '23b-scenario-fiche-r-cofi-50-detail');
    const r = await constatPresDuChamp(page, ETAT_2024, 'R-COFI-50');
    assert.ok(
      r.present,
      `${page.url()} : « R-COFI-50 » devrait figurer dans le groupe du champ ${ETAT_2024} (.fr-input-group), ` +
        `dans l’élément qui le suit ou dans un élément de son aria-describedby ; ` +
        `${r.ailleurs ? `un constat R-COFI-50 figure ailleurs dans la page (dans ${r.badges.join(', ')})` : 'aucun constat R-COFI-50 ne figure dans la page'}. ` +
        `Groupe du champ : ${r.html}`,
    );
  });

  test('collectivité 2024 portée à 50 000 € : le constat R-COFI-50 disparaît', async (t) => {
    if (!etat.numero) return t.skip('pas de fiche enregistrée (étape précédente en échec)');
    await afficherFormulaireFiche(page, etat.contratId, etat.numero);
    await remplir(page.locator(COLLECTIVITE_2024).first(), '50000');
    const formulaire = page.locator('form', { has: page.locator(ETAT_2024) }).first();
    const { statut: apres, url: adresse } = await soumettre(page, formulaire);
    assert.equal(apres, 200, `enregistrement de la fiche : HTTP ${apres} (${adresse}) — ${await texteDeLaPage(page)}`);
    await afficherFormulaireFiche(page, etat.contratId, etat.numero);
    await capturer(page, '24-scenario-fiche-corrigee');
    const valeur = await page.locator(COLLECTIVITE_2024).first().inputValue();
    assert.equal(montant(valeur), 50000, `collectivité 2024 relue après enregistrement : « ${valeur} », 50 000 attendu`);
    const r = await constatPresDuChamp(page, ETAT_2024, 'R-COFI-50');
    assert.ok(!r.present, `${page.url()} : R-COFI-50 figure encore à côté du champ ${ETAT_2024} : ${r.html}`);
    assert.ok(
      !r.ailleurs,
      `${page.url()} : un constat R-COFI-50 figure encore dans la page (dans ${r.badges.join(', ')})`,
    );
  });
});

describe('scénario : import d’un fichier de contrat, aperçu, confirmation, téléchargement', () => {
  const etat = { apercu: false, contratId: null };
  let contexte;
  let page;
  before(async () => {
    contexte = await nouveauContexte(navigateur);
    page = await contexte.newPage();
    // Importing a contract already in execution is the national administrator's.
    await connecter(page, COMPTES.administrateur);
  });
  after(async () => {
    await contexte?.close();
  });

  test('envoi de metropole-aix-marseille-provence.toml depuis /contrats : aperçu', async () => {
    const statut = await ouvrir(page, '/contrats');
    assert.equal(statut, 200, `/contrats : HTTP ${statut} — ${await texteDeLaPage(page, 300)}`);
    const champ = page.locator('input[type=file][name=fichier]');
    assert.ok((await champ.count()) > 0, '/contrats : pas de champ <input type="file" name="fichier">');
    await champ.first().setInputFiles(FICHIER_IMPORT);
    const formulaire = page.locator('form', { has: page.locator('input[type=file][name=fichier]') }).first();
    const { statut: apres, url: adresse } = await soumettre(page, formulaire);
    await capturer(page, '30-scenario-import-apercu');
    assert.equal(apres, 200, `aperçu d’import : HTTP ${apres} (${adresse}) — ${await texteDeLaPage(page)}`);
    const texte = await texteDeLaPage(page, 100_000);
    assert.match(texte, /Brest Métropole/, `l’aperçu devrait nommer la collectivité du fichier — ${texte.slice(0, 400)}`);
    const confirmer = page.locator('form[action*="/contrats/import/confirmer"]');
    assert.ok((await confirmer.count()) > 0, 'l’aperçu n’a pas de formulaire vers /contrats/import/confirmer');
    etat.apercu = true;
  });

  test('confirmation : page du nouveau contrat', async (t) => {
    if (!etat.apercu) return t.skip('pas d’aperçu (étape précédente en échec)');
    const confirmer = page.locator('form[action*="/contrats/import/confirmer"]').first();
    const { statut, url: adresse } = await soumettre(page, confirmer);
    await capturer(page, '31-scenario-import-confirme');
    assert.equal(statut, 200, `confirmation de l’import : HTTP ${statut} (${adresse}) — ${await texteDeLaPage(page)}`);
    const id = idContrat(adresse);
    assert.ok(id, `après la confirmation, la page devrait être celle du nouveau contrat (/contrats/<id>) : ${adresse}`);
    assert.ok(id > 4, `le contrat importé devrait être nouveau (les contrats 1 à 4 sont ceux de la démonstration) : ${adresse}`);
    assert.match(await texteDeLaPage(page, 100_000), /Brest Métropole/, 'la page du contrat importé devrait nommer sa collectivité');
    etat.contratId = id;
  });

  test('« Télécharger le fichier » : le TOML téléchargé contient la collectivité', async (t) => {
    if (!etat.contratId) return t.skip('pas de contrat importé (étape précédente en échec)');
    const lien = page.locator('a', { hasText: 'Télécharger le fichier' });
    assert.ok((await lien.count()) > 0, `${page.url()} : pas de lien « Télécharger le fichier »`);
    const cible = new URL(await lien.first().getAttribute('href'), page.url()).pathname;
    assert.equal(cible, `/contrats/${etat.contratId}/fichier`, 'cible du lien « Télécharger le fichier »');
    let telechargement;
    try {
      [telechargement] = await Promise.all([
        page.waitForEvent('download', { timeout: 10_000 }),
        lien.first().click(),
      ]);
    } catch (e) {
      assert.fail(
        `le lien « Télécharger le fichier » n’a pas déclenché de téléchargement (réponse attendue avec ` +
          `Content-Disposition: attachment) : ${e.message.split('\n')[0]}`,
      );
    }
    const destination = join(CAPTURES, `contrat-${etat.contratId}-telecharge.toml`);
    await telechargement.saveAs(destination);
    const contenu = readFileSync(destination, 'utf8');
    assert.match(
      contenu,
      /^collectivite = "242900314"$/m,
      `le fichier téléchargé (${telechargement.suggestedFilename()}) devrait contenir collectivite = "242900314" — ` +
        contenu.slice(0, 300),
    );
  });
});
