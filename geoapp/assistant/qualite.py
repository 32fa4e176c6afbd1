"""The search's quality on the labelled set `data/assistant/recherches-etiquetees.json`: recall@1
and recall@5 per kind of query (without accents, one typo, two typos, typed halfway, plural, real
phrasing). Pure: any search function (ours, or the baseline of `bench/assistant.py`) is measured
the same way."""

from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Callable

from django.conf import settings


@lru_cache(maxsize=1)
def recherches_etiquetees() -> tuple[dict, ...]:
    path = Path(settings.DATA_DIR) / "assistant" / "recherches-etiquetees.json"
    return tuple(json.loads(path.read_text())["recherches"])


def rappels(chercher: Callable[[str], list[str]], recherches=None) -> dict[str, dict]:
    """`chercher(q)` returns product names, best first. Per kind: n, recall@1, recall@5 and the
    queries missed at 5 (with what came first)."""
    par_type: dict[str, dict] = defaultdict(lambda: {"n": 0, "r1": 0, "r5": 0, "manques_1": [], "manques_5": []})
    for r in recherches or recherches_etiquetees():
        noms = chercher(r["q"])
        t = par_type[r["type"]]
        t["n"] += 1
        if noms[:1] and noms[0] in r["attendu"]:
            t["r1"] += 1
        else:
            t["manques_1"].append((r["q"], noms[:1]))
        if any(n in r["attendu"] for n in noms[:5]):
            t["r5"] += 1
        else:
            t["manques_5"].append((r["q"], noms[:3]))
    return {k: {**v, "rappel_1": v["r1"] / v["n"], "rappel_5": v["r5"] / v["n"]} for k, v in par_type.items()}
