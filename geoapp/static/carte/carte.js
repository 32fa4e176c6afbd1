/* La carte: nearest acteurs around an address / the user / a commune, with filters, a list
   sorted by distance, a detail panel, a list mode, and the search carried by the URL.
   Everything that comes from a source, a contributor or staff (names, addresses, hours, labels)
   is written as text (textContent, text nodes), never as markup: Leaflet's tooltips get an
   element, not a string (a string is inserted as HTML). The page's Content-Security-Policy
   allows no inline script nor style: colours are set here, from `data-couleur`. */
(function () {
  "use strict";
  var CONFIG = JSON.parse(document.getElementById("carte-config").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var state = {};  // the search: what the URL carries
  var FILTRES = ["groupe_action", "action", "sous_categorie", "label", "bonus_reparation", "masquer_exclusivite"];

  // --- the map ------------------------------------------------------------------------------
  // the whole of France at the opening: one zoom out on a narrow screen (a phone)
  var map = L.map("carte", { zoomControl: true, maxZoom: 19 })
    .setView(CONFIG.centre, CONFIG.zoom - (document.getElementById("carte").clientWidth < 600 ? 1 : 0));
  var P = window.protomapsL;  // protomaps-leaflet (vendored, geoapp/static/vendor/): vector tiles on canvas
  if (CONFIG.fond.type === "contours") {
    // the background the app draws from the bundled contours: départements, communes,
    // arrondissements, their names (/carte/fond/{z}/{x}/{y}.pbf)
    P.leafletLayer({
      url: CONFIG.fond.url, maxDataZoom: 14, attribution: CONFIG.fond.attribution, backgroundColor: "#f3f5f1",
      paintRules: [
        { dataLayer: "departements", symbolizer: new P.PolygonSymbolizer({ fill: "#e8ede5" }) },
        { dataLayer: "communes", symbolizer: new P.LineSymbolizer({ color: "#a9b5a4", width: 0.8 }) },
        { dataLayer: "departements", symbolizer: new P.LineSymbolizer({ color: "#6d7a68", width: 1.6 }) }
      ],
      labelRules: [{ dataLayer: "noms", symbolizer: new P.CenteredTextSymbolizer({
        labelProps: ["nom"], fill: "#2e3a2c", stroke: "#ffffff", width: 3,
        font: function (z, f) { return (f && f.props.niveau === "departement" ? "600 14px" : "12px") + " sans-serif"; } }) }]
    }).addTo(map);
  } else {
    L.tileLayer(CONFIG.fond.url, { attribution: CONFIG.fond.attribution, maxZoom: 19 }).addTo(map);
  }
  map.createPane("acteurs").style.zIndex = 450;  // above the background, under the nearest markers

  // every displayed acteur, from the vector tiles of the API with the active filters: clusters with
  // their counts at low zoom, one point per acteur (coloured by its action group) beyond
  function couleurGroupe(code) { return couleurSure((CONFIG.groupes[code] || {}).couleur) || "#666"; }
  function compte(n) { return n >= 10000 ? Math.round(n / 1000) + " k" : n >= 1000 ? (n / 1000).toFixed(1).replace(".", ",") + " k" : String(n); }
  var COMPTES = {  // the count written on a cluster (a label: it gives way to its neighbours)
    place: function (layout, geom, feature) {
      var n = feature.props.nombre;
      if (!(n > 1)) return undefined;
      var pt = geom[0][0], texte = compte(n), w = 7 * texte.length + 2;
      return [{ anchor: pt, bboxes: [{ minX: pt.x - w / 2, minY: pt.y - 7, maxX: pt.x + w / 2, maxY: pt.y + 7 }],
        draw: function (ctx) {
          ctx.font = "bold 11px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
          ctx.fillStyle = "#fff"; ctx.fillText(texte, 0, 0);
        } }];
    }
  };
  var couche = null, coucheUrl = null, tuilesEnCours = 0;
  function tuilesUrl() {
    var p = new URLSearchParams();
    FILTRES.forEach(function (k) { if (state[k]) p.set(k, state[k]); });
    return CONFIG.urls.tuiles + (p.toString() ? "?" + p.toString() : "");
  }
  function dessinerActeurs() {
    var url = tuilesUrl();
    if (url === coucheUrl) return;
    if (couche) map.removeLayer(couche);
    coucheUrl = url;
    couche = P.leafletLayer({
      // the low zooms from the PMTiles archive when MAP_PMTILES_URL is set (tuiles_source.js)
      url: window.carteTuiles && carteTuiles.archive ? carteTuiles.source(url) : url,
      maxDataZoom: 16, pane: "acteurs", attribution: "",
      paintRules: [{ dataLayer: "acteurs", symbolizer: new P.CircleSymbolizer({
        radius: function (z, f) { var n = (f && f.props.nombre) || 1; return n > 1 ? Math.min(15, 7 + 1.2 * Math.log(n)) : 6; },  // within its 32 px cell
        fill: function (z, f) { return couleurGroupe(f && f.props.groupe_action); },
        stroke: "#ffffff", width: 1.5, opacity: 0.9 }) }],
      labelRules: [{ dataLayer: "acteurs", symbolizer: COMPTES }]
    });
    couche.on("loading", function () { tuilesEnCours = 1; });
    couche.on("load", function () { tuilesEnCours = 0; });
    couche.addTo(map);
  }
  // a click on a cluster zooms in, on a point opens its detail
  map.on("click", function (e) {
    if (!couche) return;
    var trouves = [];
    couche.queryTileFeaturesDebug(e.latlng.lng, e.latlng.lat, 14).forEach(function (picked) {
      picked.forEach(function (p) { if (p.layerName === "acteurs") trouves.push(p.feature.props); });
    });
    var point = trouves.filter(function (f) { return f.uuid; })[0];
    if (point) {
      getJson(CONFIG.urls.acteurs + "/" + encodeURIComponent(point.uuid)).then(detail)
        .catch(function () { $("statut").textContent = "Ce lieu n'est plus affiché."; });
    } else if (trouves.length) {
      map.setView(e.latlng, Math.min(map.getZoom() + 2, 14));
    }
  });
  var markers = L.layerGroup().addTo(map);
  var contour = null;
  var programmatic = false;
  function moveMap(fn) { programmatic = true; fn(); setTimeout(function () { programmatic = false; }, 400); }
  function offerArea() { if (state.near || state.commune) $("chercher-zone").hidden = false; }
  map.on("dragend", offerArea);  // the user moved the map
  map.on("zoomend", function () { if (!programmatic) offerArea(); });

  function couleur(acteur) {
    var gs = acteur.groupes_actions || [];
    var wanted = state.groupe_action ? state.groupe_action.split(",") : [];
    var g = gs.filter(function (c) { return wanted.indexOf(c) >= 0; })[0] || gs[0];
    return { code: g || "aucun", couleur: couleurSure((CONFIG.groupes[g] || {}).couleur) || "#666" };
  }

  function libelle(kind, code) { return (CONFIG.libelles[kind] || {})[code] || code; }
  function distanceTexte(m) { return m == null ? "" : (m < 1000 ? Math.round(m) + " m" : (m / 1000).toFixed(1).replace(".", ",") + " km"); }
  // a CSS colour as the referentials give it (#rgb, #rrggbb…), nothing else
  function couleurSure(c) { return /^#[0-9a-fA-F]{3,8}$/.test(c || "") ? c : null; }
  // a link only towards the web (http, https): anything else (javascript:…) stays text
  function lienSur(url) { return /^https?:\/\//i.test(url || "") ? url : null; }
  document.querySelectorAll(".pastille[data-couleur]").forEach(function (p) {
    var c = couleurSure(p.dataset.couleur);
    if (c) p.style.backgroundColor = c;
  });
  // a partner map's colour (its configuration): buttons and title, their text black or white,
  // whichever contrasts more with it (WCAG relative luminance)
  function luminance(hex) {
    return [1, 3, 5].map(function (i) {
      var v = parseInt(hex.substr(i, 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }).reduce(function (t, v, i) { return t + v * [0.2126, 0.7152, 0.0722][i]; }, 0);
  }
  (function () {
    var c = document.body.dataset.couleur;
    if (!/^#[0-9a-fA-F]{6}$/.test(c || "")) return;
    var l = luminance(c), texte = (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
    document.documentElement.style.setProperty("--couleur-partenaire", c);
    document.documentElement.style.setProperty("--couleur-partenaire-texte", texte);
    document.body.classList.add("couleur-partenaire");
    // as text on white (outlined buttons), only if readable there (contrast 4.5:1)
    if (1.05 / (l + 0.05) >= 4.5) document.body.classList.add("couleur-partenaire-lisible");
  })();
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }

  // --- URL <-> state --------------------------------------------------------------------------
  function readUrl() {
    var p = new URLSearchParams(window.location.search);
    var s = Object.assign({}, CONFIG.preset || {});
    p.forEach(function (v, k) { s[k] = v; });
    return s;
  }
  function writeUrl() {
    var p = new URLSearchParams();
    Object.keys(state).forEach(function (k) { if (state[k]) p.set(k, state[k]); });
    history.replaceState(null, "", window.location.pathname + (p.toString() ? "?" + p.toString() : ""));
  }
  function formToState() {
    ["groupe_action", "action"].forEach(function (name) {
      var v = Array.prototype.filter.call(document.querySelectorAll("input[name=" + name + "]"), function (i) { return i.checked; })
        .map(function (i) { return i.value; }).join(",");
      state[name] = v || "";
    });
    state.label = $("label").value;
    state.bonus_reparation = $("bonus_reparation").checked ? "true" : "";
    state.masquer_exclusivite = $("masquer_exclusivite").checked ? "true" : "";
  }
  function stateToForm() {
    ["groupe_action", "action"].forEach(function (name) {
      var wanted = (state[name] || "").split(",");
      document.querySelectorAll("input[name=" + name + "]").forEach(function (i) { i.checked = wanted.indexOf(i.value) >= 0; });
    });
    $("label").value = state.label || "";
    $("bonus_reparation").checked = state.bonus_reparation === "true";
    $("masquer_exclusivite").checked = state.masquer_exclusivite === "true";
    $("adresse").value = state.adresse || "";
    $("objet").value = state.objet || "";
    $("commune").value = state.commune_nom || "";
    setVue(state.vue || "carte", false);
  }

  // --- the search -----------------------------------------------------------------------------
  function apiParams() {
    var p = new URLSearchParams();
    if (state.commune) p.set("commune", state.commune);
    else if (state.near) { p.set("near", state.near); p.set("dist", state.dist || CONFIG.rayon); }
    FILTRES.forEach(function (k) { if (state[k]) p.set(k, state[k]); });
    p.set("limit", Math.min(parseInt(state.limit || CONFIG.limite, 10) || CONFIG.limite, CONFIG.limite));
    return p;
  }
  function search() {
    writeUrl();
    dessinerActeurs();
    if (!state.near && !state.commune) return Promise.resolve();
    $("statut").textContent = "Recherche…";
    return fetch(CONFIG.urls.acteurs + "?" + apiParams().toString(), { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        if (!res.ok) { $("statut").textContent = "Erreur : " + (res.body.erreur || "recherche impossible"); return; }
        show(res.body.features, !!res.body.next);
      })
      .catch(function () { $("statut").textContent = "Le service ne répond pas, réessayez."; });
  }

  function show(features, more) {
    markers.clearLayers();
    var list = $("resultats");
    list.innerHTML = "";
    var n = features.length;
    $("statut").textContent = n === 0 ? "Aucun lieu trouvé." :
      (more ? "Les " + n + " premiers lieux" : n + " lieu" + (n > 1 ? "x" : "")) +
      (state.commune ? " dans la commune." : ", du plus proche au plus loin.");
    var bounds = [];
    features.forEach(function (f, i) {
      var a = f.properties, c = couleur(a);
      var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      bounds.push(ll);
      var m = L.circleMarker(ll, { radius: 8, color: "#fff", weight: 2, fillColor: c.couleur, fillOpacity: 0.9,
        className: "marqueur marqueur-" + c.code, bubblingMouseEvents: false });
      m.bindTooltip(el("span", { "class": "infobulle-nom" }, a.nom));  // an element: its text is text
      m.on("click", function () { detail(f); });
      markers.addLayer(m);
      var li = el("li");
      var b = el("button", { type: "button", "class": "resultat", "data-uuid": a.uuid, "data-index": i,
        "data-distance": a.distance_m == null ? "" : a.distance_m,
        "aria-label": a.nom + (a.distance_m != null ? ", à " + distanceTexte(a.distance_m) : "") + ", " +
          [a.adresse, a.code_postal, a.ville].filter(Boolean).join(" ") });
      b.appendChild(el("span", { "class": "distance", "aria-hidden": "true" }, distanceTexte(a.distance_m)));
      b.appendChild(el("strong", { "class": "nom" }, a.nom));
      b.appendChild(el("br"));
      b.appendChild(el("span", { "class": "adresse" }, [a.adresse, a.code_postal, a.ville].filter(Boolean).join(" ")));
      b.addEventListener("click", function () { detail(f); });
      li.appendChild(b);
      list.appendChild(li);
    });
    if (bounds.length && !state.commune) {
      if (state.near) { var c = state.near.split(",").map(Number); bounds.push([c[1], c[0]]); }
      moveMap(function () { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); });
    }
    $("chercher-zone").hidden = true;
  }

  function detail(f) {
    var a = f.properties, box = $("detail-corps");
    $("detail-titre").textContent = a.nom;
    box.innerHTML = "";
    function ligne(titre, valeur, href) {
      if (!valeur) return;
      var p = el("p", { "class": "fr-mb-1w" });
      p.appendChild(el("strong", {}, titre + " : "));
      if (href) { var l = el("a", { href: href }, valeur); p.appendChild(l); } else p.appendChild(document.createTextNode(valeur));
      box.appendChild(p);
    }
    ligne("Adresse", [a.adresse, a.adresse_complement, a.code_postal, a.ville].filter(Boolean).join(" "));
    ligne("Horaires", a.horaires_description || a.horaires_osm);
    ligne("Téléphone", a.telephone, a.telephone ? "tel:" + a.telephone.replace(/\s/g, "") : null);
    ligne("Site web", a.url, lienSur(a.url));
    if (a.distance_m != null) ligne("Distance", distanceTexte(a.distance_m));
    var actions = el("ul", { "class": "detail-actions" });
    (a.propositions || []).forEach(function (p) {
      actions.appendChild(el("li", {}, libelle("actions", p.action) + " : " +
        (p.sous_categories || []).map(function (s) { return libelle("sous_categories", s); }).join(", ")));
    });
    if (actions.childNodes.length) { box.appendChild(el("h3", { "class": "fr-h6" }, "Actions et objets")); box.appendChild(actions); }
    ligne("Labels", (a.labels || []).map(function (l) { return libelle("labels", l); }).join(", "));
    ligne("Sources", (a.sources || []).map(function (s) { return libelle("sources", s); }).join(", "));
    var c = f.geometry.coordinates;
    var it = el("a", { "class": "fr-link itineraire", target: "_blank", rel: "noopener",
      href: "https://www.openstreetmap.org/directions?route=%3B" + c[1] + "%2C" + c[0] }, "Itinéraire");
    box.appendChild(it);
    if (a.uuid) {
      box.appendChild(el("p", { "class": "fr-mt-2w" })).appendChild(el("a", {
        "class": "fr-link fr-icon-edit-line fr-link--icon-left signaler",
        href: CONFIG.urls.signaler.replace("UUID", encodeURIComponent(a.uuid)) }, "Signaler une erreur / proposer une modification"));
    }
    $("detail").hidden = false;
    $("detail").focus();
  }
  $("detail-fermer").addEventListener("click", function () { $("detail").hidden = true; });

  // --- comboboxes: address (BAN geocoder), commune, object -------------------------------------
  function combo(input, listbox, fetchItems, pick) {
    var items = [], active = -1, timer = null;
    function close() { listbox.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
    function render() {
      listbox.innerHTML = "";
      items.forEach(function (it, i) {
        var li = el("li", { role: "option", id: listbox.id + "-" + i, "aria-selected": i === active ? "true" : "false" }, it.label);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        listbox.appendChild(li);
      });
      listbox.hidden = !items.length;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      if (active >= 0) input.setAttribute("aria-activedescendant", listbox.id + "-" + active);
    }
    function choose(i) { var it = items[i]; close(); input.value = it.label; pick(it); }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { items = []; render(); return; }
      timer = setTimeout(function () {
        Promise.resolve(fetchItems(q)).then(function (r) { if (input.value.trim() === q) { items = r || []; active = -1; render(); } })
          .catch(function () { items = []; render(); });
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (listbox.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(active); e.preventDefault(); }
      else if (e.key === "Escape") close();
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function getJson(url) { return fetch(url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); }); }

  combo($("adresse"), $("adresse-suggestions"), function (q) {
    return getJson(CONFIG.urls.adresses + "?" + new URLSearchParams({ q: q, limit: 5 })).then(function (b) {
      return (b.features || []).map(function (f) { return { label: f.properties.label, coords: f.geometry.coordinates }; });
    });
  }, function (it) {
    state.adresse = it.label; state.dist = ""; state.near = it.coords[0].toFixed(6) + "," + it.coords[1].toFixed(6);
    clearCommune(); search();
  });

  combo($("commune"), $("commune-suggestions"), function (q) {
    return getJson(CONFIG.urls.communes + "?" + new URLSearchParams({ q: q, limit: 8 })).then(function (b) {
      return b.map(function (c) { return { label: c.nom + " (" + (c.codes_postaux[0] || c.code) + ")", code: c.code }; });
    });
  }, function (it) {
    state.commune = it.code; state.commune_nom = it.label; state.near = ""; state.adresse = "";
    $("adresse").value = "";
    drawCommune().then(search);
  });

  function clearCommune() {
    state.commune = ""; state.commune_nom = ""; $("commune").value = "";
    if (contour) { map.removeLayer(contour); contour = null; }
  }
  function drawCommune() {
    return getJson(CONFIG.urls.communes + "/" + encodeURIComponent(state.commune)).then(function (f) {
      if (contour) map.removeLayer(contour);
      contour = L.geoJSON(f, { style: { color: "#000091", weight: 2, fillOpacity: 0.05, className: "contour-commune" } }).addTo(map);
      moveMap(function () { map.fitBounds(contour.getBounds()); });
    });
  }

  var objets = null;
  function plain(s) { return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
  combo($("objet"), $("objet-suggestions"), function (q) {
    var load = objets ? Promise.resolve(objets) : getJson(CONFIG.urls.objets).then(function (o) { objets = o; return o; });
    return load.then(function (all) {
      var k = plain(q);
      var starts = all.filter(function (o) { return o.cle.indexOf(k) === 0; });
      var inside = all.filter(function (o) { return o.cle.indexOf(k) > 0; });
      return starts.concat(inside).slice(0, 8).map(function (o) { return { label: o.nom, sous_categories: o.sous_categories }; });
    });
  }, function (it) { state.objet = it.label; state.sous_categorie = it.sous_categories.join(","); search(); });
  $("objet").addEventListener("change", function () { if (!$("objet").value) { state.objet = ""; state.sous_categorie = ""; search(); } });

  // --- around me, search in this area, filters, views ----------------------------------------
  $("autour").addEventListener("click", function () {
    if (!navigator.geolocation) { $("statut").textContent = "La géolocalisation n'est pas disponible."; return; }
    $("statut").textContent = "Localisation…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      state.near = pos.coords.longitude.toFixed(6) + "," + pos.coords.latitude.toFixed(6);
      state.adresse = "Ma position"; state.dist = ""; $("adresse").value = "Ma position";
      clearCommune(); search();
    }, function () { $("statut").textContent = "Position refusée ou indisponible."; }, { timeout: 10000 });
  });

  $("chercher-zone").addEventListener("click", function () {
    var c = map.getCenter();
    var radius = Math.min(100000, Math.round(c.distanceTo(map.getBounds().getNorthEast())));
    state.near = c.lng.toFixed(6) + "," + c.lat.toFixed(6); state.dist = String(radius);
    state.adresse = ""; $("adresse").value = "";
    clearCommune(); search();
  });

  document.querySelectorAll("#filtres input, #filtres select").forEach(function (i) {
    if (i.id === "objet") return;
    i.addEventListener("change", function () { formToState(); search(); });
  });

  function setVue(vue, write) {
    state.vue = vue === "liste" ? "liste" : "carte";
    document.body.classList.toggle("mode-liste", state.vue === "liste");
    $("vue-liste").setAttribute("aria-pressed", state.vue === "liste" ? "true" : "false");
    $("vue-carte").setAttribute("aria-pressed", state.vue === "carte" ? "true" : "false");
    if (state.vue === "carte") setTimeout(function () { map.invalidateSize(); }, 0);
    if (write !== false) writeUrl();
  }
  $("vue-liste").addEventListener("click", function () { setVue("liste"); var f = document.querySelector(".resultat"); if (f) f.focus(); });
  $("vue-carte").addEventListener("click", function () { setVue("carte"); });

  // the list: arrow keys move between places, Home / End to the first / last
  $("resultats").addEventListener("keydown", function (e) {
    var buttons = Array.prototype.slice.call(document.querySelectorAll(".resultat"));
    var i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    var next = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (next == null) return;
    e.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, next))].focus();
  });

  $("recherche").addEventListener("submit", function (e) { e.preventDefault(); });

  // --- start: the URL (or the embedded configuration) gives the search --------------------------
  state = readUrl();
  stateToForm();
  if (state.bbox) {
    var b = state.bbox.split(",").map(Number);
    moveMap(function () { map.fitBounds([[b[1], b[0]], [b[3], b[2]]]); });
  }
  if (state.commune) drawCommune().then(search); else search();
  // "Proposer un lieu" proposes it where the map is
  function proposerLien() {
    var c = map.getCenter(), lien = $("proposer");
    if (lien) lien.href = CONFIG.urls.proposer + "?" + new URLSearchParams({ lon: c.lng.toFixed(6), lat: c.lat.toFixed(6) });
  }
  map.on("moveend", proposerLien);
  proposerLien();
  window.carte = { map: map, state: state, busy: function () { return programmatic || !!map._animatingZoom; },
                   tuilesChargees: function () { return !!couche && tuilesEnCours === 0 && !map._animatingZoom; },
                   tuilesUrl: function () { return coucheUrl; } };
})();
