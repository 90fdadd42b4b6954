// Pacte — the fiche action form, enhanced. The form works without this script; with it:
// - the totals per year and per funder follow what is typed (the server computes the same
//   figures with pacte_core::totaux when the page is rendered);
// - rows of co-funders, expense lines and indicators are added and removed without saving;
// - the action types offered are those of the chosen sub-axis;
// - amounts are shown in French digit groups once typed;
// - the long sections fold: the first stays open, and any holding an error, a blocking
//   finding or the address's target; a link to a field opens its section; the totals over
//   the four years stay in view in the bar at the bottom of the form.
// Loaded as a file of the application (no inline script: Content-Security-Policy).
(function () {
  "use strict";
  var form = document.querySelector("form[data-fiche]");
  if (!form) return;

  // Amounts in cents, read as Montant::parse reads them: spaces ignored, "," or "." before at
  // most two decimals, a trailing "€" allowed. Unreadable → null (the server will say why).
  function centimes(texte) {
    var t = (texte || "").replace(/[\s\u00a0\u202f_]/g, "").replace(/€$/, "");
    if (t === "") return 0;
    var m = /^\+?(\d+)(?:[.,](\d{0,2}))?$/.exec(t);
    if (!m) return null;
    var d = m[2] || "";
    while (d.length < 2) d += "0";
    return parseInt(m[1], 10) * 100 + parseInt(d, 10);
  }

  function groupes(entier) {
    return String(entier).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  }

  // French display, as Montant's: "1 234 567,89 €".
  function euros(c) {
    var e = Math.floor(c / 100), r = c % 100;
    return groupes(e) + "," + (r < 10 ? "0" : "") + r + " €";
  }

  // What the form field shows: "40 000" or "40 000,50".
  function saisi(c) {
    var e = Math.floor(c / 100), r = c % 100;
    return groupes(e) + (r === 0 ? "" : "," + (r < 10 ? "0" : "") + r);
  }

  var ANNEES = ["2024", "2025", "2026", "2027"];

  function valeur(nom) {
    var el = form.elements.namedItem(nom);
    return el && el.value !== undefined ? centimes(el.value) || 0 : 0;
  }

  function somme(motif) {
    var total = 0;
    Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (el) {
      if (motif.test(el.name)) total += centimes(el.value) || 0;
    });
    return total;
  }

  var tableau = document.querySelector("[data-totaux]");

  function ecrire(ligne, cle, texte) {
    var td = ligne.querySelector('[data-total="' + cle + '"]');
    if (td) td.textContent = texte;
  }

  function alerte(td, code, classe, texte) {
    var b = document.createElement("span");
    b.className = "fr-badge fr-badge--sm " + classe + " fr-mr-1w";
    b.textContent = code;
    if (td.childNodes.length) td.appendChild(document.createElement("br"));
    td.appendChild(b);
    td.appendChild(document.createTextNode(" " + texte));
  }

  function totaux() {
    if (!tableau) return;
    var avecDepenses = false;
    Array.prototype.forEach.call(form.querySelectorAll('input[name^="depenses."]'), function (el) {
      if (el.type !== "checkbox" && el.value.trim() !== "") avecDepenses = true;
    });
    var cumul = { etat: 0, collectivite: 0, autres: 0, financement: 0, depenses: 0 };
    var cofi50 = [];
    ANNEES.forEach(function (a) {
      var t = {
        etat: valeur("financement.etat." + a),
        collectivite: valeur("financement.collectivite." + a),
        autres: somme(new RegExp("^financement\\.autres\\.\\d+\\.montants\\." + a + "$")),
        depenses: somme(new RegExp("^depenses\\.\\d+\\.montants\\." + a + "$"))
      };
      t.financement = t.etat + t.collectivite + t.autres;
      Object.keys(cumul).forEach(function (k) { cumul[k] += t[k]; });
      if (t.etat > t.collectivite) cofi50.push(a);
      var ligne = tableau.querySelector('tr[data-annee="' + a + '"]');
      if (!ligne) return;
      Object.keys(cumul).forEach(function (k) { ecrire(ligne, k, euros(t[k])); });
      var td = ligne.querySelector('[data-total="alertes"]');
      if (!td) return;
      td.textContent = "";
      if (t.etat > t.collectivite) {
        alerte(td, "R-COFI-50", "fr-badge--error", "État au-dessus de la collectivité");
      }
      if (avecDepenses && t.depenses !== t.financement) {
        alerte(td, "R-TAB-02", "fr-badge--warning",
          "écart de " + euros(Math.abs(t.depenses - t.financement)) + " avec les postes");
      }
    });
    var total = tableau.querySelector('tr[data-annee="total"]');
    if (total) Object.keys(cumul).forEach(function (k) { ecrire(total, k, euros(cumul[k])); });
    resumer(cumul, cofi50);
  }

  // The bar's summary: the four years' totals, and the years where the State pays more than
  // the collectivity.
  var resume = document.querySelector("[data-resume-totaux]");
  function resumer(cumul, annees) {
    if (!resume) return;
    Object.keys(cumul).forEach(function (k) {
      var el = resume.querySelector('[data-resume="' + k + '"]');
      if (el) el.textContent = euros(cumul[k]);
    });
    var alertes = resume.querySelector('[data-resume="alertes"]');
    if (!alertes) return;
    alertes.textContent = "";
    if (annees.length) {
      alertes.appendChild(document.createTextNode(" "));
      var b = document.createElement("span");
      b.className = "fr-badge fr-badge--sm fr-badge--error";
      b.textContent = "R-COFI-50";
      alertes.appendChild(b);
      alertes.appendChild(document.createTextNode(" en " + annees.join(", ")));
    }
  }

  // Amounts in French digit groups once the field is left.
  form.addEventListener("focusout", function (e) {
    var el = e.target;
    if (!el.classList || !el.classList.contains("pacte-montant") || el.inputMode !== "decimal") return;
    if (!/montants|financement|budget_global|part_renforcee/.test(el.name)) return;
    var c = centimes(el.value);
    if (c !== null && el.value.trim() !== "") el.value = saisi(c);
  });
  form.addEventListener("input", totaux);

  // Rows: each block [data-lignes="prefix"] holds rows [data-ligne="i"] whose fields are
  // named "prefix.i.…" and whose ids are "champ-prefix-with-dashes-i-…".
  function renumeroter(el, prefixe, ancien, nouveau) {
    var nom = prefixe + "." + ancien + ".";
    var id = "champ-" + prefixe.replace(/\./g, "-") + "-" + ancien;
    var idNouveau = "champ-" + prefixe.replace(/\./g, "-") + "-" + nouveau;
    ["name", "id", "for", "aria-describedby", "aria-labelledby"].forEach(function (attr) {
      var v = el.getAttribute(attr);
      if (v === null) return;
      v = v.split(nom).join(prefixe + "." + nouveau + ".");
      v = v.replace(new RegExp(id + "(?=-|$|\\s)", "g"), idNouveau);
      el.setAttribute(attr, v);
    });
  }

  function boutonRetirer(bloc, ligne) {
    var p = document.createElement("p");
    p.className = "pacte-ligne-actions";
    var b = document.createElement("button");
    b.type = "button";
    b.className = "fr-btn fr-btn--sm fr-btn--tertiary";
    var titre = ligne.querySelector("p.fr-text--bold");
    b.textContent = "Retirer cette ligne" + (titre ? " (" + titre.textContent + ")" : "");
    b.addEventListener("click", function () {
      // The server skips the missing row numbers: removing a row is removing its fields.
      ligne.parentNode.removeChild(ligne);
      totaux();
      var ajout = bloc.querySelector("[data-ajout] button");
      if (ajout) ajout.focus();
    });
    p.appendChild(b);
    ligne.appendChild(p);
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-lignes]"), function (bloc) {
    var prefixe = bloc.getAttribute("data-lignes");
    var max = parseInt(bloc.getAttribute("data-max") || "200", 10);
    var lignes = function () { return bloc.querySelectorAll(":scope > [data-ligne]"); };
    Array.prototype.forEach.call(lignes(), function (l) { boutonRetirer(bloc, l); });
    var p = document.createElement("p");
    p.setAttribute("data-ajout", "");
    var b = document.createElement("button");
    b.type = "button";
    b.className = "fr-btn fr-btn--sm fr-btn--secondary fr-icon-add-line fr-btn--icon-left";
    b.textContent = bloc.getAttribute("data-ajouter") || "Ajouter une ligne";
    b.addEventListener("click", function () {
      var toutes = lignes();
      if (!toutes.length) return;
      var suivant = 0;
      Array.prototype.forEach.call(toutes, function (l) {
        suivant = Math.max(suivant, parseInt(l.getAttribute("data-ligne"), 10) + 1);
      });
      if (suivant >= max) {
        b.disabled = true;
        b.textContent = "Nombre maximal de lignes atteint (" + max + ")";
        return;
      }
      var modele = toutes[toutes.length - 1];
      var ancien = modele.getAttribute("data-ligne");
      var copie = modele.cloneNode(true);
      copie.setAttribute("data-ligne", String(suivant));
      Array.prototype.forEach.call(copie.querySelectorAll(".fr-error-text, [class^='pacte-constat'], .pacte-ligne-actions"), function (x) {
        x.parentNode.removeChild(x);
      });
      Array.prototype.forEach.call(copie.querySelectorAll(".fr-input-group--error, .fr-input--error, .fr-select-group--error, .fr-select--error"), function (x) {
        x.classList.remove("fr-input-group--error", "fr-input--error", "fr-select-group--error", "fr-select--error");
      });
      renumeroter(copie, prefixe, ancien, suivant);
      Array.prototype.forEach.call(copie.querySelectorAll("*"), function (x) {
        renumeroter(x, prefixe, ancien, suivant);
      });
      Array.prototype.forEach.call(copie.querySelectorAll("input, textarea, select"), function (x) {
        if (x.type === "checkbox") x.checked = false;
        else if (x.tagName === "SELECT") x.selectedIndex = 0;
        else x.value = "";
      });
      var titre = copie.querySelector("p.fr-text--bold");
      if (titre) titre.textContent = titre.textContent.replace(/\d+$/, String(suivant + 1));
      modele.parentNode.insertBefore(copie, modele.nextSibling);
      boutonRetirer(bloc, copie);
      var premier = copie.querySelector("input:not([type=hidden]), select, textarea");
      if (premier) premier.focus();
    });
    p.appendChild(b);
    bloc.appendChild(p);
  });

  // Action types of the chosen sub-axis only (their option groups are labelled "uid — …").
  var sousAxe = form.elements.namedItem("sous_axe");
  var typeAction = form.elements.namedItem("type_action");
  // `vider`: a type of another sub-axis is unselected (on a change of sub-axis, not when the
  // page opens: a stored value is never changed behind the person's back).
  function filtrerTypes(vider) {
    if (!sousAxe || !typeAction) return;
    var uid = sousAxe.value;
    Array.prototype.forEach.call(typeAction.querySelectorAll("optgroup"), function (g) {
      var referentiel = g.label.indexOf(" — ") > 0;
      var garde = uid === "" || !referentiel || g.label.indexOf(uid + " — ") === 0 ||
        (!vider && g.querySelector("option:checked") !== null);
      g.hidden = !garde;
      g.disabled = !garde;
    });
    var choisie = typeAction.selectedOptions[0];
    if (vider && choisie && choisie.parentNode.tagName === "OPTGROUP" && choisie.parentNode.disabled) {
      typeAction.value = "";
    }
  }
  if (sousAxe) sousAxe.addEventListener("change", function () { filtrerTypes(true); });
  filtrerTypes(false);
  totaux();

  // Folded sections. Without this script every section stays open.
  function section(id) {
    var cible = id ? document.getElementById(id) : null;
    return cible && cible.closest ? cible.closest("details.pacte-section") : null;
  }
  function idDe(hash) {
    try { return decodeURIComponent((hash || "").replace(/^#/, "")); } catch (e) { return ""; }
  }
  var visee = section(idDe(location.hash));
  Array.prototype.forEach.call(form.querySelectorAll("details.pacte-section[data-repliable]"), function (d) {
    if (d === visee || d.querySelector(".fr-error-text, .pacte-constat-bloquant")) return;
    d.open = false;
    var alertes = d.querySelectorAll(".pacte-constat-alerte").length;
    var titre = d.querySelector("summary");
    if (alertes && titre) {
      var b = document.createElement("span");
      b.className = "fr-badge fr-badge--sm fr-badge--warning fr-ml-1w";
      b.textContent = alertes + (alertes > 1 ? " alertes" : " alerte");
      titre.appendChild(b);
    }
  });
  // A link to a field of the form (the findings after a save, the error summary, the bar's
  // « détail par année ») opens its section before the browser scrolls to it.
  document.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a[href*='#']") : null;
    if (!a || a.pathname !== location.pathname) return;
    var d = section(idDe(a.hash));
    if (d) d.open = true;
  });
  window.addEventListener("hashchange", function () {
    var d = section(idDe(location.hash));
    if (d) d.open = true;
  });
})();
