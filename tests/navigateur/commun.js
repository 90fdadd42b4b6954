// Shared helpers of the browser tests: Chromium through playwright-core, axe-core, screenshots,
// form submission. The server under test is given by PACTE_URL (scripts/test-navigateur starts
// `pacte demo` and sets it).

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const ICI = dirname(fileURLToPath(import.meta.url));
export const RACINE = join(ICI, '..', '..');
export const CAPTURES = join(ICI, 'captures');

/** Base URL of the running server, without a trailing slash. */
export const URL_BASE = (process.env.PACTE_URL ?? '').replace(/\/+$/, '');
if (!URL_BASE) {
  throw new Error(
    'PACTE_URL is not set: run scripts/test-navigateur, or start `pacte demo` and set ' +
      'PACTE_URL=http://127.0.0.1:8080',
  );
}

export const url = (chemin) => URL_BASE + chemin;

/**
 * The Chromium binary: PACTE_CHROMIUM, else Debian's real binary (behind the /usr/bin/chromium
 * shell wrapper, which only adds flags and noise on stderr), else the wrapper.
 */
export function cheminChromium() {
  if (process.env.PACTE_CHROMIUM) return process.env.PACTE_CHROMIUM;
  for (const c of ['/usr/lib/chromium/chromium', '/usr/bin/chromium']) {
    if (existsSync(c)) return c;
  }
  throw new Error('Chromium not found: apt-get install chromium (or set PACTE_CHROMIUM).');
}

/** Flags for a headless Chromium on a machine without network, GPU or large /dev/shm. */
export const OPTIONS_CHROMIUM = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function lancerNavigateur() {
  return chromium.launch({ executablePath: cheminChromium(), args: OPTIONS_CHROMIUM, headless: true });
}

/** A fresh browser context (French, desktop size, downloads accepted). */
export async function nouveauContexte(navigateur) {
  const contexte = await navigateur.newContext({
    locale: 'fr-FR',
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  contexte.setDefaultTimeout(15_000);
  contexte.setDefaultNavigationTimeout(20_000);
  // Every Content-Security-Policy violation the browser reports is recorded on its page;
  // `ouvrir` fails on any.
  contexte.on('page', (page) => {
    page.violationsCsp = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        page.violationsCsp.push(message.text());
      }
    });
  });
  return contexte;
}

/**
 * Full-page screenshot into captures/NAME.png. On a loaded machine Chromium sometimes answers
 * « Unable to capture screenshot » once: the capture is tried three times before failing.
 */
export async function capturer(page, nom) {
  mkdirSync(CAPTURES, { recursive: true });
  for (let essai = 1; ; essai += 1) {
    try {
      await page.screenshot({ path: join(CAPTURES, `${nom}.png`), fullPage: true });
      return;
    } catch (e) {
      if (essai >= 3 || !/Unable to capture screenshot/.test(String(e))) throw e;
      await page.waitForTimeout(500 * essai);
    }
  }
}

/** Visible text of the page's main content (or body), trimmed, for failure messages. */
export async function texteDeLaPage(page, max = 600) {
  const texte = await page.evaluate(() => (document.querySelector('main') ?? document.body)?.innerText ?? '');
  const net = texte.replace(/\s+/g, ' ').trim();
  return net.length > max ? `${net.slice(0, max)}…` : net;
}

// ---------------------------------------------------------------------------------------------
// Accessibility

const SOURCE_AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the current page; returns the violations (all impacts). */
export async function analyserAccessibilite(page) {
  // Evaluated through the DevTools protocol: an inline <script> would be (rightly) refused by
  // the application's Content-Security-Policy.
  await page.evaluate(SOURCE_AXE);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const resultat = await axe.run(document, { resultTypes: ['violations'] });
    return resultat.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      cibles: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

export const IMPACTS_BLOQUANTS = ['serious', 'critical'];

/** Human-readable list of violations, one per line, with their target selectors. */
export function decrireViolations(violations) {
  return violations
    .map((v) => {
      const cibles = v.cibles.slice(0, 8).join(' | ') + (v.cibles.length > 8 ? ` | … (${v.cibles.length} en tout)` : '');
      return `  - [${v.impact}] ${v.id} : ${v.help}\n      cibles : ${cibles}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Forms

/** Fills a field whatever its kind: select (by value, else by label), checkbox, text-like input. */
export async function remplir(champ, valeur) {
  await deplier(champ);
  const genre = await champ.evaluate((el) => `${el.tagName.toLowerCase()}:${el.type ?? ''}`);
  if (genre.startsWith('select')) {
    const parValeur = await champ.evaluate(
      (el, v) => [...el.options].some((o) => o.value === v),
      String(valeur),
    );
    await champ.selectOption(parValeur ? { value: String(valeur) } : { label: String(valeur) });
  } else if (genre === 'input:checkbox' || genre === 'input:radio') {
    await champ.setChecked(Boolean(valeur));
  } else {
    await champ.fill(String(valeur));
  }
}

/** Opens the folded section (<details>) holding `champ`, as a person does: by its title. */
export async function deplier(champ) {
  const replie = await champ.evaluate((el) => {
    const d = el.closest('details');
    return Boolean(d && !d.open);
  });
  if (replie) await champ.locator('xpath=ancestor::details[1]/summary').click();
}

/** Fills the field `selecteur` if the page has it; returns whether it did. */
export async function remplirSiPresent(page, selecteur, valeur) {
  const champ = page.locator(selecteur);
  if ((await champ.count()) === 0) return false;
  await remplir(champ.first(), valeur);
  return true;
}

/**
 * Submits `formulaire` (a locator of a <form>) with its submit button, and waits for the result:
 * the next page for an ordinary form (following redirects), or the response and the swap for an
 * htmx form. Returns { statut, url } of what came back.
 */
export async function soumettre(page, formulaire, libelle = /enregistr|cr[ée]er|ajouter|valider|v[ée]rifier|confirmer|importer|envoyer|aper[çc]u/i) {
  const boutons = formulaire.locator('button[type=submit], button:not([type]), input[type=submit]');
  const n = await boutons.count();
  if (n === 0) throw new Error('formulaire sans bouton de soumission');
  let bouton = boutons.first();
  if (n > 1) {
    const choisi = boutons.filter({ hasText: libelle });
    if ((await choisi.count()) > 0) bouton = choisi.first();
  }
  const htmx = await formulaire.evaluate(
    (f) =>
      f.hasAttribute('hx-post') ||
      f.hasAttribute('data-hx-post') ||
      f.closest('[hx-boost="true"], [data-hx-boost="true"]') !== null,
  );
  if (htmx) {
    const [reponse] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      bouton.click(),
    ]);
    await page.waitForLoadState('networkidle');
    return { statut: reponse.status(), url: page.url() };
  }
  const [reponse] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), bouton.click()]);
  return { statut: reponse?.status() ?? 0, url: page.url() };
}

/** Opens `chemin`; returns the HTTP status of the page. */
export async function ouvrir(page, chemin) {
  const reponse = await page.goto(url(chemin), { waitUntil: 'load' });
  if (page.violationsCsp?.length) {
    throw new Error(`${chemin} : violations de la politique de sécurité du contenu :\n${page.violationsCsp.join('\n')}`);
  }
  return reponse?.status() ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Accounts

/** Demonstration accounts created by `pacte demo` (crates/web/src/demo.rs, README). */
export const COMPTES = {
  administrateur: { email: 'administrateur@demo.pacte.example', motDePasse: 'pacte-demo-administrateur' },
  editeurAmp: { email: 'editeur.amp@demo.pacte.example', motDePasse: 'pacte-demo-editeur' },
  commissairePaca: { email: 'commissaire.paca@demo.pacte.example', motDePasse: 'pacte-demo-commissaire' },
  sansDroit: { email: 'aucun@demo.pacte.example', motDePasse: 'pacte-demo-sans-droit' },
};

/** Signs in through the sign-in page; fails unless the dashboard (or `retour`) comes back. */
export async function connecter(page, compte) {
  const statut = await ouvrir(page, '/connexion');
  if (statut !== 200) throw new Error(`/connexion : HTTP ${statut}`);
  await page.locator('#email').fill(compte.email);
  await page.locator('#mot_de_passe').fill(compte.motDePasse);
  const resultat = await soumettre(page, page.locator('form[action="/connexion"]'), /connecter/i);
  if (resultat.statut !== 200 || new URL(resultat.url).pathname === '/connexion') {
    throw new Error(`connexion de ${compte.email} refusée : HTTP ${resultat.statut} — ${await texteDeLaPage(page, 300)}`);
  }
}
