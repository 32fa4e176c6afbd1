/* The displayed acteurs' list: its acteurs on a map; a click on a point clicks its box in the list
   (Django's actions count it), and each point shows whether its box is checked. Names are written
   as text; no inline script (CSP). */
(function () {
  "use strict";

  function donnees(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function boite(identifiant) {
    var boxes = document.querySelectorAll("input[name=_selected_action]");
    for (var i = 0; i < boxes.length; i++) if (boxes[i].value === identifiant) return boxes[i];
    return null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var div = document.getElementById("selection-carte");
    var points = donnees("selection-points") || [];
    if (!div || !points.length || typeof L === "undefined") return;
    var map = L.map(div);
    var tuiles = donnees("tuiles-url");
    if (tuiles && tuiles.indexOf("{z}") !== -1) L.tileLayer(tuiles, {maxZoom: 19}).addTo(map);
    var marqueurs = {};
    function peindre(identifiant) {
      var box = boite(identifiant), m = marqueurs[identifiant];
      if (!m) return;
      var choisi = box && box.checked;
      m.setStyle({fillColor: choisi ? "#000091" : "#ffffff", color: "#000091", weight: choisi ? 3 : 2});
      if (m.getElement()) m.getElement().classList.toggle("choisi", !!choisi);
    }
    map.fitBounds(points.map(function (p) { return [p.lat, p.lon]; }), {maxZoom: 18, padding: [20, 20]});
    points.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lon], {radius: 9, fillOpacity: 0.9, className: "point-acteur"}).addTo(map);
      var t = document.createElement("span");
      t.textContent = p.nom + " (" + p.identifiant + ")";
      m.bindTooltip(t);
      m.getElement().dataset.identifiant = p.identifiant;
      m.on("click", function () {
        var box = boite(p.identifiant);
        if (box) box.click();  // Django's actions.js counts it and marks its row
        peindre(p.identifiant);
      });
      marqueurs[p.identifiant] = m;
      peindre(p.identifiant);
    });
    document.addEventListener("change", function (e) {  // a box checked in the list (or all of them)
      if (e.target && e.target.name === "_selected_action") peindre(e.target.value);
      if (e.target && e.target.id === "action-toggle") Object.keys(marqueurs).forEach(peindre);
    });
  });
})();
