/* A suggestion's review page: its small map (the displayed position in grey, the proposed one in
   colour) and the keyboard shortcuts (j/k next/previous waiting group, a accept, r reject). */
(function () {
  "use strict";
  var racine = document.getElementById("revue");
  if (!racine) return;
  var donnees = JSON.parse(document.getElementById("revue-carte-donnees").textContent);
  var el = document.getElementById("revue-carte");
  if (window.L && (donnees.avant || donnees.apres)) {
    var map = L.map(el, { attributionControl: false });
    L.tileLayer(donnees.tiles, { maxZoom: 19 }).addTo(map);
    var points = [];
    function marque(p, couleur, titre) {
      if (!p) return;
      var ll = [p[1], p[0]];
      var m = L.circleMarker(ll, { radius: 8, color: couleur, fillColor: couleur, fillOpacity: 0.7, className: "revue-" + titre });
      var t = document.createElement("span");
      t.textContent = titre;
      m.bindTooltip(t, { permanent: true, direction: "right" }).addTo(map);
      points.push(ll);
    }
    marque(donnees.avant, "#666666", "avant");
    if (donnees.apres && (!donnees.avant || donnees.apres[0] !== donnees.avant[0] || donnees.apres[1] !== donnees.avant[1])) {
      marque(donnees.apres, "#000091", "après");
    }
    if (points.length === 1) map.setView(points[0], 16);
    else map.fitBounds(points, { padding: [30, 30], maxZoom: 17 });
  } else {
    el.textContent = "pas de position";
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var form = document.getElementById("revue-form");
    function clique(nom) {
      var b = form && form.querySelector("button[name=" + nom + "]");
      if (b) { e.preventDefault(); b.click(); }
    }
    if (e.key === "j" && racine.dataset.suivant) { e.preventDefault(); window.location.href = racine.dataset.suivant; }
    else if (e.key === "k" && racine.dataset.precedent) { e.preventDefault(); window.location.href = racine.dataset.precedent; }
    else if (e.key === "a") clique("_accepter");
    else if (e.key === "r") clique("_rejeter");
  });
})();
