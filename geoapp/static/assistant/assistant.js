/* L'assistant: the object search box (ARIA combobox: suggestions as you type, arrows, Enter,
   Escape), and on a product page the state of the object and the places near an address, on the
   embedded map. Text from outside is always set with textContent. */
(function () {
  "use strict";
  var CONFIG = JSON.parse(document.getElementById("assistant-config").textContent);
  var $ = function (id) { return document.getElementById(id); };
  document.body.classList.add("js");

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }
  function getJson(url) { return fetch(url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); }); }

  // --- a combobox: input + listbox of options; `pick(item, index, count)` on a choice -----------
  function combo(input, listbox, statut, fetchItems, pick) {
    var items = [], active = -1, timer = null;
    function close() { listbox.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; }
    function render() {
      while (listbox.firstChild) listbox.removeChild(listbox.firstChild);
      items.forEach(function (it, i) {
        var li = el("li", { role: "option", id: listbox.id + "-" + i, "aria-selected": i === active ? "true" : "false",
          "class": "suggestion" + (i === active ? " active" : "") });
        li.appendChild(el("span", { "class": "suggestion-texte" }, it.label));
        if (it.detail) li.appendChild(el("span", { "class": "suggestion-detail fr-hint-text" }, it.detail));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        listbox.appendChild(li);
      });
      listbox.hidden = !items.length;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      if (active >= 0) input.setAttribute("aria-activedescendant", listbox.id + "-" + active);
      else input.removeAttribute("aria-activedescendant");
    }
    function choose(i) { var it = items[i], n = items.length; close(); input.value = it.label; pick(it, i, n); }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { items = []; render(); return; }
      timer = setTimeout(function () {
        Promise.resolve(fetchItems(q)).then(function (r) {
          if (input.value.trim() !== q) return;
          items = r || []; active = -1; render();
          if (statut) statut.textContent = items.length ? items.length + " suggestion" + (items.length > 1 ? "s" : "") +
            ", flèches haut et bas pour choisir" : "Aucune suggestion";
        }).catch(function () { items = []; render(); });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { close(); return; }
      if (listbox.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(active); e.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // --- the object search -------------------------------------------------------------------------
  if ($("objet")) {
    combo($("objet"), $("objet-suggestions"), $("objet-statut"), function (q) {
      return getJson(CONFIG.urls.produits + "?" + new URLSearchParams({ q: q, limit: 8 })).then(function (b) {
        return b.results.map(function (r) {
          return { label: r.synonyme, detail: r.synonyme !== r.nom ? r.nom : "", slug: r.slug, q: q };
        });
      });
    }, function (it, i, n) {
      window.location.href = CONFIG.urls.choix + "?" + new URLSearchParams({ q: it.q, n: n, rang: i + 1, produit: it.slug, objet: it.label });
    });
  }

  // --- a product page: the state, the places near me on the embedded map --------------------------
  var P = CONFIG.produit;
  if (!P) return;
  var lieu = {};  // near, adresse
  function carteParams() {
    var p = new URLSearchParams();
    if (P.sous_categories.length) p.set("sous_categorie", P.sous_categories.join(","));
    var actions = P.actions[P.etat] || [];
    if (actions.length) p.set("action", actions.join(","));
    p.set("objet", $("produit-nom").textContent);
    if (lieu.near) { p.set("near", lieu.near); p.set("adresse", lieu.adresse); }
    return p.toString();
  }
  function updateCarte() {
    if (!$("carte-produit")) return;
    var q = carteParams();
    $("carte-produit").src = CONFIG.urls.carte_integree + "?" + q;
    $("carte-lien").href = CONFIG.urls.carte + "?" + q;
  }
  document.querySelectorAll("input[name=etat]").forEach(function (r) {
    r.addEventListener("change", function () {
      if (!r.checked) return;
      P.etat = r.value;
      document.querySelectorAll(".conseil").forEach(function (c) { c.hidden = c.id !== "conseil-" + P.etat; });
      var u = new URLSearchParams(window.location.search); u.set("etat", P.etat);
      history.replaceState(null, "", window.location.pathname + "?" + u.toString());
      updateCarte();
    });
  });
  if ($("adresse")) {
    combo($("adresse"), $("adresse-suggestions"), $("lieux-statut"), function (q) {
      return getJson(CONFIG.urls.adresses + "?" + new URLSearchParams({ q: q, limit: 5 })).then(function (b) {
        return (b.features || []).map(function (f) { return { label: f.properties.label, coords: f.geometry.coordinates }; });
      });
    }, function (it) {
      lieu = { near: it.coords[0].toFixed(6) + "," + it.coords[1].toFixed(6), adresse: it.label };
      $("lieux-statut").textContent = "Les lieux les plus proches de " + it.label + " sont sur la carte et dans sa liste.";
      updateCarte();
    });
    $("autour").addEventListener("click", function () {
      if (!navigator.geolocation) { $("lieux-statut").textContent = "La géolocalisation n'est pas disponible."; return; }
      $("lieux-statut").textContent = "Localisation…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lieu = { near: pos.coords.longitude.toFixed(6) + "," + pos.coords.latitude.toFixed(6), adresse: "Ma position" };
        $("adresse").value = "Ma position";
        $("lieux-statut").textContent = "Les lieux les plus proches de vous sont sur la carte et dans sa liste.";
        updateCarte();
      }, function () { $("lieux-statut").textContent = "Position refusée ou indisponible."; }, { timeout: 10000 });
    });
    $("lieux-form").addEventListener("submit", function (e) { e.preventDefault(); });
  }
})();
