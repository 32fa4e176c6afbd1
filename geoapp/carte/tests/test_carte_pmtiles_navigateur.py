"""La carte with MAP_PMTILES_URL set (issue 18), in a real browser: its unfiltered low-zoom tiles
come from the PMTiles archive the flow wrote to the bucket, served by a range-capable stand-in of the
CDN (`doublures/plages.py`) and read by HTTP range requests; higher zooms and filtered tiles from
the web app's API; every tile the same bytes as the API's, within the page's Content-Security-Policy."""

from __future__ import annotations

import copy

import httpx
import mapbox_vector_tile
import mercantile
import pytest
from django.conf import settings
from django.test import override_settings

from doublures.plages import ServeurPlages
from geoapp.api.tests.test_tuiles_archive import tuiles_bucket  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow
API = "/api/v1/tiles/{z}/{x}/{y}.pbf"
LIRE = """async (tuiles) => {
  const out = {};
  for (const [z, x, y, filtres] of tuiles) {
    const source = carteTuiles.source("%s" + (filtres ? "?" + filtres : ""));
    const t = await source.getZxy(z, x, y, new AbortController().signal);
    out[[z, x, y, filtres].join("/")] = {
      octets: Array.from(new Uint8Array(t.data)), archive: await carteTuiles.depuisArchive(filtres ? "?" : "", z) };
  }
  return out;
}""" % API


def test_the_map_reads_its_low_zoom_tiles_from_the_archive_by_range_requests(
        live_server, carte_data, tuiles_bucket, new_context):  # noqa: F811
    from geoapp.api.services import tuile_archive_publier

    assert tuile_archive_publier()["deposee"]
    body = tuiles_bucket.get_object(Bucket="tuiles-test", Key="carte/acteurs.pmtiles")["Body"].read()
    paris = [(z, *mercantile.tile(2.35, 48.85, z)[:2]) for z in (3, 8, 12)]
    tuiles = [(*paris[0], ""), (*paris[1], ""), (*paris[2], ""),  # z3, z8: the archive; z12: the API
              (*paris[1], "groupe_action=reparer"),  # filtered: the API
              (8, 0, 0, "")]  # the empty sea: not in the archive, no request to the API either
    with ServeurPlages({"/carte/acteurs.pmtiles": body}) as cdn:
        politique = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        politique["DIRECTIVES"]["connect-src"] = [*politique["DIRECTIVES"]["connect-src"], cdn.url]
        with override_settings(MAP_PMTILES_URL=cdn.url + "/carte/acteurs.pmtiles", CONTENT_SECURITY_POLICY=politique):
            page = new_context().new_page()
            requetes, erreurs = [], []
            page.on("request", lambda r: requetes.append(r.url))
            page.on("console", lambda m: erreurs.append(m.text) if m.type == "error" else None)
            page.goto(live_server.url + "/carte/")
            page.wait_for_function("() => window.carteTuiles && carteTuiles.archive")
            lues = page.evaluate(LIRE, [list(t) for t in tuiles])
        api_demandees = [u for u in requetes if "/api/v1/tiles/" in u]

    for z, x, y, filtres in tuiles:
        attendu = httpx.get(live_server.url + API.format(z=z, x=x, y=y) + ("?" + filtres if filtres else ""))
        lue = lues[f"{z}/{x}/{y}/{filtres}"]
        assert bytes(lue["octets"]) == attendu.content, (z, x, y, filtres)  # the API's bytes, wherever read
        assert lue["archive"] == (z <= 8 and not filtres)
    assert mapbox_vector_tile.decode(bytes(lues["{}/{}/{}/".format(*paris[1])]["octets"]))["acteurs"]["features"]
    # the archive's tiles never reached the web app; the others did
    for z, x, y, filtres in tuiles:
        url = live_server.url + API.format(z=z, x=x, y=y) + ("?" + filtres if filtres else "")
        assert (url in api_demandees) == (z > 8 or bool(filtres)), url
    # the CDN answered range requests only
    gets = [(path, plage) for methode, path, plage in cdn.requetes if methode == "GET"]
    assert gets and all(path == "/carte/acteurs.pmtiles" and plage and plage.startswith("bytes=") for path, plage in gets)
    assert not [e for e in erreurs if "Content Security Policy" in e or "Refused" in e], erreurs
