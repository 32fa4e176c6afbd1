/* Where the map's acteur tiles come from (issue 18). With MAP_PMTILES_URL set (the page's
   `carte-tuiles-config`), the unfiltered tiles of the zooms the PMTiles archive holds (0–8, those
   computed ahead after each publication) are read from that archive on object storage by HTTP
   range requests (a CDN in production: the `pmtiles` package, vendored in static/vendor/pmtiles/);
   higher zooms and filtered tiles are asked of the web app's API. Without it, or when the archive
   cannot be read, every tile comes from the API.
   `carteTuiles.source(url)` takes the API's tile URL template (`…/{z}/{x}/{y}.pbf`, its query the
   filters) and returns what protomaps-leaflet takes as its `url`, as it would a PMTiles archive: an
   object with `getZxy(z, x, y, signal)` resolving to `{data: ArrayBuffer}` (nothing: no tile). */
(function () {
  "use strict";
  var node = document.getElementById("carte-tuiles-config");
  var config = node ? JSON.parse(node.textContent) : {};
  var archive = config.pmtiles && window.pmtiles ? new window.pmtiles.PMTiles(config.pmtiles) : null;
  // the highest zoom the archive holds (-1: none, every tile from the API); read once, lazily
  var zoomMax = null;
  function archiveZoomMax() {
    if (zoomMax === null) {
      zoomMax = archive ? archive.getHeader().then(function (h) { return h.maxZoom; }, function () { return -1; })
                        : Promise.resolve(-1);
    }
    return zoomMax;
  }
  function depuisApi(url, z, x, y, signal) {
    var u = url.replace("{z}", z).replace("{x}", x).replace("{y}", y);
    return fetch(u, { signal: signal }).then(function (r) {
      if (!r.ok) throw new Error("tuile " + z + "/" + x + "/" + y + " : " + r.status);
      return r.arrayBuffer();
    }).then(function (data) { return { data: data }; });
  }
  // whether the tile of zoom z for this URL is read from the archive (resolves to a boolean)
  function depuisArchive(url, z) {
    if (!archive || url.indexOf("?") >= 0) return Promise.resolve(false);  // filtered: the API
    return archiveZoomMax().then(function (zm) { return z <= zm; });
  }
  function source(url) {
    return {
      getZxy: function (z, x, y, signal) {
        return depuisArchive(url, z).then(function (oui) {
          if (!oui) return depuisApi(url, z, x, y, signal);
          // a tile absent from the archive holds no acteur (the archive has every other one)
          return archive.getZxy(z, x, y, signal).then(function (t) { return t || { data: new ArrayBuffer(0) }; },
            function (err) {
              if (err && err.name === "AbortError") throw err;
              return depuisApi(url, z, x, y, signal);  // the archive unreadable: the API
            });
        });
      }
    };
  }
  window.carteTuiles = { source: source, depuisArchive: depuisArchive, archive: config.pmtiles || null };
})();
