"""The OpenAPI schema fuzzed against the live server (schemathesis): every GET operation the
schema lists (an endpoint added later is fuzzed too), with values the schema allows and values it
does not (NUL bytes, huge numbers, odd text…). Nothing may answer a server error; 4xx are fine
(a 429 too: the throttle is raised here so that it does not get in the way)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

pytestmark = pytest.mark.slow
EXAMPLES_PER_OPERATION = 40  # ~12 operations: about a minute on 2 shared cores
EMPLACEMENTS = {"query": "query", "path": "path_parameters"}  # where a parameter is -> as_strategy's argument
NUL_VALEUR = "75\x00056"


@pytest.fixture
def api_en_ligne(transactional_db, live_server, settings):
    from geoapp.api.tests.conftest import acteurs_autour_de_paris, load_everything

    settings.API_THROTTLE_RATE = "100000/min"
    load_everything(acteurs_autour_de_paris(n=60))
    return live_server.url


def test_no_get_operation_of_the_schema_answers_a_server_error(api_en_ligne):
    schema = schemathesis.openapi.from_url(api_en_ligne + "/api/schema/")
    operations = [r.ok() for r in schema.get_all_operations()]
    gets = [op for op in operations if op.method.upper() == "GET"]
    assert {op.path for op in gets} >= {"/api/v1/acteurs", "/api/v1/acteurs/{uuid}", "/api/v1/communes",
                                        "/api/v1/communes/{code}", "/api/v1/tiles/{z}/{x}/{y}.pbf"}
    erreurs: dict[str, str] = {}
    for operation in gets:
        # what the schema allows, what it does not, and each of its parameters holding a NUL byte
        # (PostgreSQL's refusal: random text seldom holds one), the others generated
        nuls = [operation.as_strategy(**{EMPLACEMENTS[p["in"]]: {p["name"]: f"{NUL_VALEUR}"}})
                for p in operation.definition.raw.get("parameters", []) if p.get("in") in EMPLACEMENTS]
        strategy = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                             operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), *nuls)

        @given(case=strategy)
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def fuzz(case):
            response = case.call(base_url=api_en_ligne, timeout=30)
            assert response.status_code < 500, (
                f"{response.status_code} on {response.request.url}: {response.text[:300]}")

        try:
            fuzz()
        except AssertionError as exc:  # every operation is fuzzed, then every failure is told
            erreurs[f"{operation.method.upper()} {operation.path}"] = str(exc)
    assert erreurs == {}
