"""Benchmark of la carte in a real browser (Debian's Chromium, Playwright) over loopback: the France
view (z5, z6) and a city view (z12, Paris), from the moment the map is asked to show the view to the
moment every vector tile of the acteurs is loaded and painted; prints the time, the tiles and their
bytes (acteurs and background), tiles cold (first request after a publication: computed) and warm
(served from the tile cache), beside the baseline: what users have today, the nearest-100 search
of the previous map (one API request, 100 markers). Asserts nothing.

    uv run python -m bench.carte_navigateur [--acteurs 500000] [--repetitions 3]

Same database as `bench.carte` (BENCH_DATABASE_URL, default DATABASE_URL's name + `_bench`, filled
once by `bench/generate.py`); the web app under gunicorn (2 gthread workers × 4 threads), its
background drawn from the bundled contours (MAP_TILES_URL=contours: nothing leaves the machine)."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from urllib.parse import urlsplit

from bench.carte import bench_database_url, prepare, setup_django
from bench.serveur import gunicorn

# France z6 is the map's opening view: timed from the page's request (HTML, scripts and tiles)
VUES = [("France z6 (ouverture)", None, 6), ("France z5", (46.6, 2.4), 5), ("ville z12 (Paris)", (48.8566, 2.3522), 12)]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def mesurer_vue(browser, base: str, centre, zoom) -> dict:
    """In a new browser context (empty HTTP cache): load la carte, move away to an empty view, then
    time moving the map to the view (no animation) until its acteur tiles are loaded and painted;
    the tiles and bytes received meanwhile (acteurs: the API's vector tiles; background: the
    contours')."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route("**/*", lambda route: route.continue_()
                  if urlsplit(route.request.url).hostname == "127.0.0.1" else route.abort())
    page = context.new_page()
    recues = []
    if centre is None:  # the opening view
        page.on("response", lambda r: recues.append(r))
        t = time.perf_counter()
        page.goto(base + "/carte/")
        page.wait_for_function("() => window.carte && window.carte.tuilesChargees()", polling=10)
        elapsed = time.perf_counter() - t
    else:
        page.goto(base + "/carte/")
        page.wait_for_function("() => window.carte && window.carte.tuilesChargees()")
        page.evaluate("() => window.carte.map.setView([0, -150], 3, {animate: false})")  # the Pacific: empty
        page.wait_for_function("() => window.carte.tuilesChargees()")
        page.on("response", lambda r: recues.append(r))
        t = time.perf_counter()
        page.evaluate("([c, z]) => window.carte.map.setView(c, z, {animate: false})", [list(centre), zoom])
        page.wait_for_function("() => window.carte.tuilesChargees()", polling=10)
        elapsed = time.perf_counter() - t
    tuiles, octets = {"acteurs": 0, "fond": 0}, {"acteurs": 0, "fond": 0}
    for r in recues:
        kind = "acteurs" if "/api/v1/tiles/" in r.url else "fond" if "/carte/fond/" in r.url else None
        if kind:
            tuiles[kind] += 1
            octets[kind] += len(r.body())
    context.close()
    return {"s": elapsed, "octets": octets, "tuiles": tuiles}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--acteurs", type=int, default=500_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--regenerer", action="store_true")
    args = parser.parse_args()
    os.environ["MAP_TILES_URL"] = "contours"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM between Playwright calls (one thread)
    url = bench_database_url()
    setup_django(url)
    print(f"database: {urlsplit(url).path.lstrip('/')}; {os.cpu_count()} cores", flush=True)
    prepare(args.acteurs, args.regenerer)
    from geoapp.api.models import TuileCache
    from geoapp.api.selectors import tuile_generation_oublier

    from playwright.sync_api import sync_playwright

    with gunicorn(workers=2, threads=4) as port, sync_playwright() as p:
        base = f"http://127.0.0.1:{port}"
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        for etat in ("froid (tuiles calculées)", "chaud (cache des tuiles)"):
            if etat.startswith("froid"):
                TuileCache.objects.all().delete()
                tuile_generation_oublier()  # the server was just started: its processes hold no tile yet
            mesures: dict[str, list[dict]] = {}
            for _ in range(1 if etat.startswith("froid") else args.repetitions):
                for nom, centre, zoom in VUES:
                    mesures.setdefault(nom, []).append(mesurer_vue(browser, base, centre, zoom))
            print(f"\n{etat}:")
            for nom, ms in mesures.items():
                m, median = ms[-1], statistics.median(x["s"] for x in ms)
                print(f"  {nom:<20} {median * 1000:7.0f} ms  "
                      f"(acteurs : {m['tuiles']['acteurs']} tuiles, {m['octets']['acteurs'] / 1024:.0f} Kio ; "
                      f"fond : {m['tuiles']['fond']} tuiles, {m['octets']['fond'] / 1024:.0f} Kio)"
                      f"{'  < 1 s' if median < 1 else '  ≥ 1 s'}", flush=True)
        # baseline: the previous map, nearest 100 around Paris (one request, markers), empty beyond
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.route("**/*", lambda route: route.continue_()
                      if urlsplit(route.request.url).hostname == "127.0.0.1" else route.abort())
        page = context.new_page()
        page.goto(base + "/carte/")
        page.wait_for_function("() => window.carte && window.carte.tuilesChargees()")
        t = time.perf_counter()
        with page.expect_response(lambda r: "/api/v1/acteurs?" in r.url) as reponse:
            page.goto(base + "/carte/?near=2.3522,48.8566")
        page.wait_for_selector(".resultat")
        print(f"\nbaseline (the map users have today: the nearest 100 around Paris, nothing at a national view): "
              f"{(time.perf_counter() - t) * 1000:.0f} ms page + search, "
              f"{len(reponse.value.body()) / 1024:.0f} Kio of GeoJSON, 100 acteurs of {args.acteurs}")
        context.close()
        browser.close()


if __name__ == "__main__":
    main()
