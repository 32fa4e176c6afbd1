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

VUES = [("France z5", (46.6, 2.4), 5), ("France z6", (46.6, 2.4), 6), ("ville z12 (Paris)", (48.8566, 2.3522), 12)]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def compteur(page) -> dict:
    """Tiles and bytes the page received since the last `reset`: acteurs (the API's vector tiles)
    and background (the contours')."""
    c = {"tuiles": {"acteurs": 0, "fond": 0}, "octets": {"acteurs": 0, "fond": 0}}

    def compter(req):
        kind = "acteurs" if "/api/v1/tiles/" in req.url else "fond" if "/carte/fond/" in req.url else None
        r = req.response()
        if kind and r is not None:
            c["tuiles"][kind] += 1
            c["octets"][kind] += req.sizes()["responseBodySize"]

    page.on("requestfinished", compter)
    return c


def mesurer_vue(page, c: dict, centre, zoom) -> dict:
    """Move the map to the view (no animation) and wait until its acteur tiles are painted."""
    for k in ("tuiles", "octets"):
        c[k] = {"acteurs": 0, "fond": 0}
    t = time.perf_counter()
    page.evaluate("([c, z]) => window.carte.map.setView(c, z, {animate: false})", [list(centre), zoom])
    page.wait_for_function("() => window.carte.tuilesChargees()", polling=10)
    elapsed = time.perf_counter() - t
    return {"s": elapsed, "octets": dict(c["octets"]), "tuiles": dict(c["tuiles"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--acteurs", type=int, default=500_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--regenerer", action="store_true")
    args = parser.parse_args()
    os.environ["MAP_TILES_URL"] = "contours"
    url = bench_database_url()
    setup_django(url)
    print(f"database: {urlsplit(url).path.lstrip('/')}; {os.cpu_count()} cores", flush=True)
    prepare(args.acteurs, args.regenerer)
    from geoapp.api.models import TuileCache
    from geoapp.api.selectors import tile_generation_forget

    from playwright.sync_api import sync_playwright

    with gunicorn(workers=2, threads=4) as port, sync_playwright() as p:
        base = f"http://127.0.0.1:{port}"
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        for etat in ("froid (tuiles calculées)", "chaud (cache des tuiles)"):
            if etat.startswith("froid"):
                TuileCache.objects.all().delete()
                tile_generation_forget()
            mesures: dict[str, list[dict]] = {}
            for rep in range(args.repetitions if etat.startswith("chaud") else 1):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                context.route("**/*", lambda route: route.continue_()
                              if urlsplit(route.request.url).hostname == "127.0.0.1" else route.abort())
                page = context.new_page()
                c = compteur(page)
                page.goto(base + "/carte/?vue=carte")
                page.wait_for_function("() => window.carte && window.carte.tuilesChargees()")
                page.evaluate("() => window.carte.map.setView([0, -150], 3, {animate: false})")  # away first
                page.wait_for_function("() => window.carte.tuilesChargees()")
                for nom, centre, zoom in VUES:
                    mesures.setdefault(nom, []).append(mesurer_vue(page, c, centre, zoom))
                context.close()
            print(f"\n{etat}:")
            for nom, ms in mesures.items():
                m = ms[-1]
                print(f"  {nom:<20} {statistics.median(x['s'] for x in ms) * 1000:7.0f} ms  "
                      f"(acteurs : {m['tuiles']['acteurs']} tuiles, {m['octets']['acteurs'] / 1024:.0f} Kio ; "
                      f"fond : {m['tuiles']['fond']} tuiles, {m['octets']['fond'] / 1024:.0f} Kio)"
                      f"{'  < 1 s' if statistics.median(x['s'] for x in ms) < 1 else '  ≥ 1 s'}", flush=True)
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
