/* The revision's change form: the imported value beside each field (Copier / Réinitialiser), an
   address search (the project's geocoder, /api/v1/adresses) placing a draggable marker on the
   location's map, the imported position on it, and the map of a parent's children. Outside text
   is written with textContent; no inline script (CSP). */
(function () {
  "use strict";

  function donnees(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function bouton(texte, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button";
    b.textContent = texte;
    b.addEventListener("click", action);
    return b;
  }

  function champ(name) {
    return document.querySelector('#revisionacteur_form [name="' + name + '"]');
  }

  function comparer(importe) {
    Object.keys(importe.valeurs).forEach(function (name) {
      var input = champ(name);
      if (!input) return;
      var valeur = importe.valeurs[name];
      var row = input.closest(".form-row") || input.parentNode;
      var box = document.createElement("div");
      box.className = "acteur-importe";
      box.dataset.champ = name;
      var label = document.createElement("span");
      label.textContent = "Importé : ";
      var shown = document.createElement("span");
      shown.className = "valeur-importee";
      shown.textContent = valeur === "" || valeur === "unknown" ? "(vide)" : valeur;
      var vide = input.tagName === "SELECT" && input.querySelector('option[value="unknown"]') ? "unknown" : "";
      function marquer() {
        box.classList.toggle("differe", input.value !== vide && input.value !== valeur);
      }
      box.append(label, shown,
        bouton("Copier", function () { input.value = valeur; input.dispatchEvent(new Event("change")); marquer(); }),
        bouton("Réinitialiser", function () { input.value = vide; input.dispatchEvent(new Event("change")); marquer(); }));
      input.addEventListener("input", marquer);
      input.addEventListener("change", marquer);
      marquer();
      row.appendChild(box);
    });
  }

  /* "Forcer vide": each box of the fieldset "Champs forcés vides" moved beside its field; checked,
     the field is emptied and disabled (a disabled field is not sent: it is saved empty). */
  function forcerVide() {
    var fieldset = document.querySelector("fieldset.champs-vides");
    document.querySelectorAll('#revisionacteur_form input[name="champs_vides"]').forEach(function (box) {
      var input = champ(box.value);
      var label = box.closest("label");
      if (!input || !label) return;
      var row = input.closest(".form-row") || input.parentNode;
      var nom = label.textContent.trim();
      label.replaceChildren(box, document.createTextNode(" Forcer vide"));
      box.setAttribute("aria-label", "Forcer vide : " + nom);
      var wrapper = document.createElement("div");
      wrapper.className = "forcer-vide";
      wrapper.appendChild(label);
      row.appendChild(wrapper);
      function appliquer() {
        if (box.checked) {
          input.dataset.avantVide = input.value;
          input.value = input.tagName === "SELECT" && input.querySelector('option[value="unknown"]') ? "unknown" : "";
        } else if (input.dataset.avantVide !== undefined && !input.value) {
          input.value = input.dataset.avantVide;
        }
        input.disabled = box.checked;
        row.classList.toggle("force-vide", box.checked);
        input.dispatchEvent(new Event("change"));
      }
      box.addEventListener("change", appliquer);
      if (box.checked) appliquer();
    });
    if (fieldset && !fieldset.querySelector('input[name="champs_vides"]')) fieldset.hidden = true;  // all moved
  }

  /* The propositions' grid: rows filtered by a sous-catégorie's name. */
  function filtreGrille() {
    document.querySelectorAll(".grille-propositions .grille-filtre").forEach(function (filtre) {
      var grille = filtre.closest(".grille-propositions");
      filtre.addEventListener("input", function () {
        var q = filtre.value.trim().toLowerCase();
        grille.querySelectorAll("tbody").forEach(function (tbody) {
          var visibles = 0;
          tbody.querySelectorAll("tr[data-libelle]").forEach(function (tr) {
            tr.hidden = q !== "" && tr.dataset.libelle.indexOf(q) === -1;
            if (!tr.hidden) visibles += 1;
          });
          tbody.hidden = visibles === 0;
        });
      });
      filtre.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    });
  }

  function deplacable(field, layer) {
    if (layer instanceof L.Marker && layer.dragging) {
      layer.dragging.enable();
      layer.on("dragend", function () { field.store.save(field.drawnItems); });
    }
  }

  function recherche(map, field) {
    var box = document.createElement("div");
    box.className = "adresse-recherche";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "adresse-recherche";
    input.placeholder = "Chercher une adresse…";
    input.setAttribute("aria-label", "Chercher une adresse pour placer l'acteur");
    var liste = document.createElement("ul");
    liste.setAttribute("aria-live", "polite");
    function placer(lon, lat) {
      var marker = L.marker([lat, lon]);
      field.onCreated({layer: marker});
      deplacable(field, marker);
      map.setView([lat, lon], 17);
    }
    function chercher() {
      var q = input.value.trim();
      if (!q) return;
      fetch("/api/v1/adresses?limit=5&q=" + encodeURIComponent(q)).then(function (r) { return r.json(); })
        .then(function (data) {
          liste.replaceChildren();
          (data.features || []).forEach(function (f) {
            var li = document.createElement("li");
            li.appendChild(bouton(f.properties.label, function () {
              placer(f.geometry.coordinates[0], f.geometry.coordinates[1]);
              liste.replaceChildren();
            }));
            liste.appendChild(li);
          });
          if (!liste.children.length) {
            var li = document.createElement("li");
            li.textContent = "Aucune adresse trouvée.";
            liste.appendChild(li);
          }
        });
    }
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); chercher(); }  // never submits the form
    });
    box.append(input, bouton("Chercher", chercher), liste);
    map.getContainer().parentNode.insertBefore(box, map.getContainer());
  }

  window.addEventListener("map:init", function (e) {
    var map = e.detail.map;
    map.on("map:loadfield", function (me) {
      if (me.fieldid !== "id_location") return;
      var field = me.field;
      field.drawnItems.eachLayer(function (layer) { deplacable(field, layer); });
      map.on("draw:created", function (ev) { setTimeout(function () { deplacable(field, ev.layer); }, 0); });
      recherche(map, field);
      var importe = donnees("acteur-importe");
      if (importe && importe.location) {
        var latlng = [importe.location[1], importe.location[0]];
        var t = document.createElement("span");
        t.textContent = "position importée";
        if (field.drawnItems.getLayers().length) {  // corrected already: the imported one beside
          L.circleMarker(latlng, {radius: 6, color: "#666"}).addTo(map).bindTooltip(t);
        } else {  // the acteur where the source puts it: drag it to correct its location
          var depart = L.marker(latlng, {draggable: true, opacity: 0.7, title: "Glisser pour corriger"}).addTo(map);
          depart.bindTooltip(t);
          depart.on("dragend", function () {
            depart.off("dragend");
            depart.setOpacity(1);
            field.onCreated({layer: depart});
            deplacable(field, depart);
          });
          map.setView(latlng, 16);
        }
      }
    });
  });

  function carteEnfants() {
    var div = document.getElementById("enfants-carte");
    if (!div || typeof L === "undefined") return;
    var points = JSON.parse(div.dataset.points || "[]");
    if (!points.length) { div.hidden = true; return; }
    var map = L.map(div);
    L.tileLayer(donnees("tuiles-url") || "/carte/fond/{z}/{x}/{y}.png", {maxZoom: 19}).addTo(map);
    var bounds = [];
    points.forEach(function (p) {
      var t = document.createElement("span");
      t.textContent = p.nom + " (" + p.identifiant + ")";
      L.marker([p.lat, p.lon]).addTo(map).bindTooltip(t);
      bounds.push([p.lat, p.lon]);
    });
    map.fitBounds(bounds, {maxZoom: 16, padding: [20, 20]});
  }

  document.addEventListener("DOMContentLoaded", function () {
    var importe = donnees("acteur-importe");
    if (importe) comparer(importe);
    forcerVide();
    filtreGrille();
    carteEnfants();
  });
})();
