/* A map configuration's change form: the preview iframe follows the form (the embedded map reads
   its search from the URL over its saved preset), and the snippets are copied with one click. */
(function () {
  "use strict";
  var iframe = document.getElementById("apercu-carte");
  var form = document.getElementById("carteconfiguration_form");
  function val(id) { var e = document.getElementById(id); return e ? e.value.trim() : ""; }
  function parametres() {
    var p = new URLSearchParams();
    [["groupe_action", "id_groupes_actions"], ["action", "id_actions"], ["sous_categorie", "id_sous_categories"],
     ["label", "id_labels"], ["source", "id_sources"]].forEach(function (c) { if (val(c[1])) p.set(c[0], val(c[1])); });
    var bonus = document.getElementById("id_bonus_reparation");
    if (bonus && bonus.checked) p.set("bonus_reparation", "true");
    if (val("id_vue")) p.set("vue", val("id_vue"));
    // the legend and branding, unsaved: the embedded map takes them from the URL for staff only
    p.set("apercu", "1");
    ["legende", "filtres_visibles"].forEach(function (n) {
      var c = document.getElementById("id_" + n);
      if (c) p.set(n, c.checked ? "1" : "0");
    });
    ["couleur", "partenaire_nom", "partenaire_url"].forEach(function (n) {
      if (document.getElementById("id_" + n)) p.set(n, val("id_" + n));
    });
    if (val("id_nombre_resultats")) p.set("limit", val("id_nombre_resultats"));
    [["near", "id_centre"], ["bbox", "id_bbox"]].forEach(function (c) {
      var v = val(c[1]);
      if (!v) return;
      try {
        var g = JSON.parse(v), pts = g.type === "Point" ? [g.coordinates] : g.coordinates[0];
        var xs = pts.map(function (q) { return q[0]; }), ys = pts.map(function (q) { return q[1]; });
        p.set(c[0], g.type === "Point" ? xs[0].toFixed(6) + "," + ys[0].toFixed(6)
          : [Math.min.apply(null, xs), Math.min.apply(null, ys), Math.max.apply(null, xs), Math.max.apply(null, ys)]
            .map(function (n) { return n.toFixed(6); }).join(","));
      } catch (e) { /* a geometry being drawn */ }
    });
    return p;
  }
  var attente = null;
  function rafraichir() {
    if (!iframe) return;
    clearTimeout(attente);
    attente = setTimeout(function () {
      var src = iframe.dataset.base + "?" + parametres().toString();
      if (iframe.getAttribute("src") !== src) iframe.setAttribute("src", src);
    }, 300);
  }
  if (form) {
    form.addEventListener("input", rafraichir);
    form.addEventListener("change", rafraichir);
    // the map widgets write their geometry in hidden fields without an event: look now and then
    setInterval(rafraichir, 1500);
    rafraichir();
  }
  document.querySelectorAll("button.copier").forEach(function (b) {
    b.addEventListener("click", function () {
      var t = document.getElementById(b.dataset.cible);
      t.select();
      var fait = function () { b.textContent = "Copié"; };
      if (navigator.clipboard) navigator.clipboard.writeText(t.value).then(fait, function () { document.execCommand("copy"); fait(); });
      else { document.execCommand("copy"); fait(); }
    });
  });
})();
