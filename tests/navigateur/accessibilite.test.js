// Accessibility: axe-core on every page of the application, on the demonstration data of
// `pacte demo` (contract 1: Aix-Marseille-Provence, contract 4: Bordeaux Métropole, 60 fiches).
// A page passes with no violation of impact "serious" or "critical"; the others (moderate,
// minor) are printed as diagnostics. Each page is also captured into captures/.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  COMPTES,
  IMPACTS_BLOQUANTS,
  connecter,
  RACINE,
  analyserAccessibilite,
  capturer,
  decrireViolations,
  lancerNavigateur,
  nouveauContexte,
  ouvrir,
  soumettre,
  texteDeLaPage,
} from './commun.js';

/**
 * [capture name, path, expected HTTP status, label, account]. The national administrator reads
 * every contract; the fiche forms are the collectivity editor's (Aix-Marseille-Provence owns
 * contract 1); the sign-in page is seen signed out.
 */
const PAGES = [
  ['00-connexion', '/connexion', 200, 'page de connexion', null],
  ['01-tableau-de-bord', '/', 200, 'tableau de bord', COMPTES.administrateur],
  ['02-referentiel', '/referentiel', 200, 'référentiel', COMPTES.administrateur],
  ['03-territoires', '/territoires', 200, 'territoires', COMPTES.administrateur],
  ['04-contrats', '/contrats', 200, 'liste des contrats', COMPTES.administrateur],
  ['05-contrat', '/contrats/1', 200, 'page d’un contrat', COMPTES.administrateur],
  ['06-contrat-60-fiches', '/contrats/4', 200, 'contrat de 60 fiches (Bordeaux Métropole)', COMPTES.administrateur],
  ['07-fiche', '/contrats/1/fiches/1.1', 200, 'page d’une fiche', COMPTES.administrateur],
  ['08-fiche-modifier', '/contrats/1/fiches/1.1/modifier', 200, 'formulaire de modification d’une fiche', COMPTES.editeurAmp],
  ['09-fiche-nouvelle', '/contrats/1/fiches/nouvelle', 200, 'formulaire de nouvelle fiche', COMPTES.editeurAmp],
  ['10-contrat-nouveau', '/contrats/nouveau', 200, 'formulaire de création de contrat', COMPTES.administrateur],
  ['12-introuvable', '/cette-page-n-existe-pas', 404, 'page 404', COMPTES.administrateur],
  ['13-mot-de-passe', '/compte/mot-de-passe', 200, 'changement de mot de passe', COMPTES.editeurAmp],
  ['14-jetons', '/compte/jetons', 200, 'jetons d’API', COMPTES.editeurAmp],
  ['15-deconnexion', '/deconnexion', 200, 'confirmation de la déconnexion', COMPTES.editeurAmp],
  ['16-utilisateurs', '/administration/utilisateurs', 200, 'liste des utilisateurs', COMPTES.administrateur],
  ['17-utilisateur-nouveau', '/administration/utilisateurs/nouveau', 200, 'création d’un compte', COMPTES.administrateur],
  // Account 8 of `pacte demo` is the demonstration account with no rights (waiting).
  ['18-utilisateur', '/administration/utilisateurs/8', 200, 'compte d’un utilisateur', COMPTES.administrateur],
  ['19-tableau-de-bord-sans-droit', '/', 200, 'tableau de bord d’un compte sans droit', COMPTES.sansDroit],
  ['19a-journal', '/administration/journal', 200, 'journal d’audit', COMPTES.administrateur],
  ['19b-journal-filtre', '/administration/journal?entite=fiche&page=2', 200, 'journal d’audit filtré, page 2', COMPTES.administrateur],
  // Entry 2 of `pacte demo`: the creation of contract 1 (its snapshot).
  ['19c-journal-entree', '/administration/journal/2', 200, 'entrée du journal d’audit (création)', COMPTES.administrateur],
  // Contract 2 (Bouches-du-Rhône, in execution): its money after signature.
  ['19d-finances', '/contrats/2/finances', 200, 'finances d’un contrat (tableaux de l’annexe 10)', COMPTES.commissairePaca],
  ['19e-historique', '/contrats/1/historique', 200, 'historique d’un contrat', COMPTES.editeurAmp],
  ['19f-echanges', '/contrats/1/echanges', 200, 'échanges sur un contrat', COMPTES.editeurAmp],
  ['19g-format', '/aide/format-contrat', 200, 'format du fichier de contrat', COMPTES.editeurAmp],
  ['19h-consolidation', '/consolidation', 200, 'consolidation nationale (tableaux et graphiques)', COMPTES.administrateur],
  ['19i-consolidation-region', '/consolidation/regions/93', 200, 'consolidation d’une région', COMPTES.commissairePaca],
];

/** The file uploaded for the import preview: it has findings, so the preview lists them. */
const FICHIER_APERCU = join(RACINE, 'exemples', 'contrat-avec-erreurs.toml');

let navigateur;
before(async () => {
  navigateur = await lancerNavigateur();
});
after(async () => {
  await navigateur?.close();
});

/** Runs axe on the page shown by `page` and fails on serious or critical violations. */
async function verifierAxe(t, page, libelle, chemin) {
  const violations = await analyserAccessibilite(page);
  const bloquantes = violations.filter((v) => IMPACTS_BLOQUANTS.includes(v.impact));
  const autres = violations.filter((v) => !IMPACTS_BLOQUANTS.includes(v.impact));
  // Not failing, but reported: one TAP diagnostic line per violation.
  for (const v of autres) {
    t.diagnostic(`${chemin} : [${v.impact}] ${v.id} : ${v.help} — cibles : ${v.cibles.join(' | ')}`);
  }
  assert.equal(
    bloquantes.length,
    0,
    `${libelle} (${chemin}) : ${bloquantes.length} violation(s) d’accessibilité graves ou critiques\n` +
      decrireViolations(bloquantes),
  );
}

describe('accessibilité (axe-core)', () => {
  for (const [capture, chemin, attendu, libelle, compte] of PAGES) {
    test(`${libelle} (${chemin})`, async (t) => {
      const contexte = await nouveauContexte(navigateur);
      try {
        const page = await contexte.newPage();
        if (compte) await connecter(page, compte);
        const statut = await ouvrir(page, chemin);
        await capturer(page, capture);
        assert.equal(
          statut,
          attendu,
          `${chemin} : HTTP ${statut}, ${attendu} attendu — ${await texteDeLaPage(page, 300)}`,
        );
        await verifierAxe(t, page, libelle, chemin);
      } finally {
        await contexte.close();
      }
    });
  }

  test('entrée du journal d’audit : modification d’un compte, champ par champ', async (t) => {
    const contexte = await nouveauContexte(navigateur);
    try {
      const page = await contexte.newPage();
      await connecter(page, COMPTES.administrateur);
      // Account 8 of `pacte demo`, the one with no rights: its name changes.
      const compte = '/administration/utilisateurs/8';
      const statut = await ouvrir(page, compte);
      assert.equal(statut, 200, `${compte} : HTTP ${statut} — ${await texteDeLaPage(page, 300)}`);
      const nom = page.locator('#nom').first();
      await nom.fill(`${await nom.inputValue()} (revu)`);
      const enregistre = await soumettre(page, page.locator('form', { has: page.locator('#nom') }).first());
      assert.equal(enregistre.statut, 200, `enregistrement du compte : HTTP ${enregistre.statut} (${enregistre.url})`);
      const liste = '/administration/journal?entite=utilisateur&operation=modification';
      assert.equal(await ouvrir(page, liste), 200, liste);
      const chemin = await page.locator('#journal tbody th a').first().getAttribute('href');
      assert.equal(await ouvrir(page, chemin), 200, chemin);
      await capturer(page, '19d-journal-modification');
      assert.ok((await page.locator('#changements').count()) > 0, `${chemin} : pas de tableau des champs modifiés`);
      await verifierAxe(t, page, 'entrée du journal d’audit (modification)', chemin);
    } finally {
      await contexte.close();
    }
  });

  test('aperçu d’import après envoi d’un fichier (POST /contrats/import)', async (t) => {
    const contexte = await nouveauContexte(navigateur);
    try {
      const page = await contexte.newPage();
      await connecter(page, COMPTES.administrateur);
      const statut = await ouvrir(page, '/contrats');
      assert.equal(statut, 200, `/contrats : HTTP ${statut} — ${await texteDeLaPage(page, 300)}`);
      const champ = page.locator('input[type=file][name=fichier]');
      assert.ok(
        (await champ.count()) > 0,
        '/contrats : pas de champ de fichier <input type="file" name="fichier"> pour importer un contrat',
      );
      await champ.first().setInputFiles(FICHIER_APERCU);
      const formulaire = page.locator('form', { has: page.locator('input[type=file][name=fichier]') }).first();
      const resultat = await soumettre(page, formulaire);
      await capturer(page, '11-import-apercu');
      assert.equal(
        resultat.statut,
        200,
        `aperçu d’import : HTTP ${resultat.statut} (${resultat.url}) — ${await texteDeLaPage(page, 300)}`,
      );
      await verifierAxe(t, page, 'aperçu d’import', 'POST /contrats/import');
    } finally {
      await contexte.close();
    }
  });
});
