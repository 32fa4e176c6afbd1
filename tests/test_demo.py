"""`make demo` really starts: it sets itself up, runs the flows on the bundled data and serves the
web app. Runs the real command (not a copy of it) on its own databases and port."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_commands(session_id: int) -> list[str]:
    """Command lines of the live processes of a session (the demo runs in its own)."""
    commands = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session_id:  # field 6 of stat: the session id
                commands.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return commands


def with_name(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def prefect_post(api: str, path: str, body: dict) -> object:
    request = urllib.request.Request(f"{api}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_make_demo_loads_the_bundled_acteurs_and_serves_the_home_page(tmp_path):
    port = free_port()
    prefect_port = free_port()
    base = os.environ.get("DATABASE_URL", "postgis://postgres:postgres@127.0.0.1:5432/circulaire_webapp")
    prefix = f"test_demo_{urlsplit(base).path.lstrip('/')}"  # its own databases, whoever else runs tests
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": with_name(base, prefix),
        "WAREHOUSE_DATABASE_URL": with_name(base, f"{prefix}_warehouse"),
        "PREFECT_HOME": str(tmp_path / "prefect"),  # a fresh home: Prefect's first start, migrations included
        "WEB_WORKERS": "1",
        "PREFECT_SERVER_API_PORT": str(prefect_port),  # the demo's Prefect server and UI (4200 by default)
    }
    for key in ("PREFECT_API_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(key, None)
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(["make", "demo"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        page = None
        deadline = time.monotonic() + 660
        while time.monotonic() < deadline and demo.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode()
                    break
            except OSError:
                time.sleep(1)
        output = (tmp_path / "demo.log").read_text()
        assert page is not None, f"make demo never served / (exit {demo.poll()}):\n{output[-4000:]}"
        count = re.search(r"<strong>(\d+)</strong> lieux référencés", page)
        # the 10 bundled real acteurs + 40 generated per source flow (20 flows, all applied in `auto`)
        assert count and int(count.group(1)) > 10 + 19 * 30, page
        for code in ("refashion", "cma_reparacteur", "ordredespharmaciens", "ademesinoedecheteries", "lvao"):
            assert re.search(rf"\({code}\) : [1-9]\d*<", page), code
        assert "acteurs-affiches" in output  # the flows ran through Prefect
        # the enrichments ran: their suggestions wait for staff (already waiting when the demo's databases
        # were kept from an earlier run: proposed again, they are not written twice)
        assert re.search(r"enrichissement-territoires: \{'(deja_proposees|proposees)': [1-9]", output)
        # the deduplication grouped the places several stand-in sources publish: clusters wait for staff
        # (kept databases: their clusters still wait for staff, said so)
        assert re.search(r"dedoublonnage: \{[^}]*'(deja_proposees|proposees|en_attente)': [1-9]", output)
        assert output.count("ajouts + modifications + inchanges + quarantaine =") == 20  # 20 source reports
        assert output.count("ajouts + modifications + inchanges + quarantaine") == 20  # 20 source reports

        # la carte and the API serve the demo's displayed acteurs, and the embeddable demo map exists
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/carte/demo/", timeout=10) as response:
            assert "leaflet/leaflet.js" in response.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/acteurs?limit=100", timeout=10) as response:
            assert response.headers["Content-Type"] == "application/geo+json"
            assert len(json.loads(response.read())["features"]) == 100  # a full page: hundreds are displayed
        # the territories the map needs, published from the clones (their one source): the commune
        # search finds a commune with its EPCI, whose contour the map draws; Paris's arrondissements too
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/communes?q=lorient", timeout=10) as response:
            lorient = [c for c in json.loads(response.read()) if c["code"] == "56121"]
        assert lorient and lorient[0]["epci"], lorient
        for code in ("56121", "75111"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/communes/{code}", timeout=10) as response:
                assert json.loads(response.read())["geometry"]["type"] == "MultiPolygon", code
        assert "territoires publiés" in output and "territoires écrits" not in output
        # open data: the export deposited in the demo's S3 stand-in, served by /donnees/; statistics
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/donnees/", timeout=10) as response:
            assert 'href="/donnees/acteurs.parquet"' in response.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/donnees/acteurs.csv", timeout=30) as response:
            assert response.readline().decode().startswith("identifiant,nom,")
            assert len(response.read().splitlines()) > 100
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/statistiques/", timeout=10) as response:
            assert 'id="table-par-source"' in response.read().decode()
        # the backup flow ran into the local S3 stand-in, and /sante/ finds everything healthy
        assert re.search(r"webapp \(\S+\) : \d+ octets → sauvegardes/\d{8}T\d{6}Z/webapp\.dump", output), output[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=10) as response:
                sante = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            sante = json.loads(exc.read())
        assert sante["statut"] == "ok", sante
        # one demo account per role, printed at start: the valideur logs in and sees the cohorts to review
        assert "comptes de démonstration lecteur, contributeur, valideur, administrateur" in output
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        login = f"http://127.0.0.1:{port}/admin/login/"
        with opener.open(login, timeout=10) as response:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
        form = urlencode({"username": "valideur", "password": "demo", "csrfmiddlewaretoken": token,
                          "next": "/admin/suggestions/cohortesuggestion/"}).encode()
        with opener.open(urllib.request.Request(login, data=form), timeout=10) as response:
            assert response.url.endswith("/admin/suggestions/cohortesuggestion/")
            assert "enrichissement" in response.read().decode()
        # the flows' embedded Prefect server stopped with them: only the web app keeps running
        assert not [cmd for cmd in session_commands(demo.pid) if "prefect.server" in cmd]

        # the Prefect server keeps running beside the web app: every deployment of prefect.yaml is
        # registered (on a fresh server: the set-up made the work pool), a worker of pool `default`
        # runs them, and the demo's flow runs are there with their reports and logs
        api = f"http://127.0.0.1:{prefect_port}/api"
        import yaml

        attendus = {d["name"] for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]}
        deploiements = prefect_post(api, "/deployments/filter", {"limit": 200})
        assert {d["name"] for d in deploiements} == attendus
        refashion = next(d for d in deploiements if d["name"] == "source-refashion")
        assert refashion["parameters"] == {"source": "refashion"} and refashion["tags"] == ["source"]
        assert refashion["schedules"] and refashion["work_pool_name"] == "default"
        workers = []
        for _ in range(60):
            workers = [w for w in prefect_post(api, "/work_pools/default/workers/filter", {}) if w["status"] == "ONLINE"]
            if workers:
                break
            time.sleep(1)
        assert workers, "no worker of pool default"
        runs = prefect_post(api, "/flow_runs/filter", {"flow_runs": {"name": {"any_": ["source-refashion"]}}})
        assert runs and runs[0]["state_type"] == "COMPLETED"
        artefacts = prefect_post(api, "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [runs[0]["id"]]}}})
        assert {a["type"] for a in artefacts} >= {"markdown", "progress"}
        assert prefect_post(api, "/logs/filter", {"logs": {"flow_run_id": {"any_": [runs[0]["id"]]}}, "limit": 5})
        assert "Prefect  : http://127.0.0.1:" in output
    finally:
        os.killpg(demo.pid, signal.SIGTERM)  # what Ctrl-C does: it all stops
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
        log.close()
    deadline = time.monotonic() + 20
    while session_commands(demo.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not session_commands(demo.pid), session_commands(demo.pid)
