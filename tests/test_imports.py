"""The layout's rules, read from the source (no import runs): imports run one way in geoapp/,
flows/ and doublures/ (no circle, whether an import is at module level or inside a function), and
production code never imports the test doubles of doublures/, except the demo entry points."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAQUETS = ("geoapp", "flows", "doublures")
# the demo entry points start the stand-in servers (`make demo` needs no network)
DEMOS = {"flows.demo", "flows.clones.demo", "flows.sources.demo", "flows.sauvegarde_demo"}
# circles tolerated for now (none): a circle broken is removed from here, or the test says so
CYCLES_CONNUS: list[list[str]] = []


def _modules() -> dict[str, Path]:
    modules = {}
    for paquet in PAQUETS:
        for path in sorted((REPO / paquet).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _imports(nom: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `nom` imports anywhere in its file (module level, functions, methods),
    with the packages each one runs first (`a.b.c` runs `a` and `a.b`, unless they hold `nom`)."""
    paquet = nom if path.name == "__init__.py" else nom.rpartition(".")[0]
    cibles: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            cibles.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                racine = paquet.split(".")[: len(paquet.split(".")) - (node.level - 1)]
                base = ".".join(racine + ([base] if base else []))
            cibles.add(base)
            cibles.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    atteints = set()
    for cible in cibles:
        parts = cible.split(".")
        for i in range(1, len(parts) + 1):
            ancetre = ".".join(parts[:i])
            if ancetre in modules and not (nom == ancetre or nom.startswith(ancetre + ".")):
                atteints.add(ancetre)
    return atteints


def _graphe() -> dict[str, set[str]]:
    modules = _modules()
    return {nom: _imports(nom, path, modules) for nom, path in modules.items()}


def _cycles(graphe: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    bas: dict[str, int] = {}
    pile: list[str] = []
    sur_pile: set[str] = set()
    composantes: list[list[str]] = []

    def visiter(v: str) -> None:
        index[v] = bas[v] = len(index)
        pile.append(v)
        sur_pile.add(v)
        for w in sorted(graphe[v]):
            if w not in index:
                visiter(w)
                bas[v] = min(bas[v], bas[w])
            elif w in sur_pile:
                bas[v] = min(bas[v], index[w])
        if bas[v] == index[v]:
            composante = []
            while True:
                w = pile.pop()
                sur_pile.discard(w)
                composante.append(w)
                if w == v:
                    break
            if len(composante) > 1:
                composantes.append(sorted(composante))

    for v in sorted(graphe):
        if v not in index:
            visiter(v)
    return sorted(composantes)


def test_the_cycle_finder_sees_a_circle_through_a_function_level_import():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_imports_run_one_way_in_geoapp_flows_and_doublures():
    graphe = _graphe()
    assert "geoapp.geocodage.selectors" in graphe["geoapp.geocodage.geocodeurs"]  # the graph sees imports
    cycles = _cycles(graphe)
    nouveaux = [c for c in cycles if c not in CYCLES_CONNUS]
    assert nouveaux == [], "import circles (give the shared piece its own module):\n" + "\n".join(
        " → ".join(c) for c in nouveaux)
    assert [c for c in CYCLES_CONNUS if c not in cycles] == [], "circle broken: remove it from CYCLES_CONNUS"


def test_production_code_never_imports_the_test_doubles_except_the_demo():
    graphe = _graphe()
    fautifs = {nom: sorted(c for c in cibles if c.split(".")[0] == "doublures")
               for nom, cibles in graphe.items()
               if nom.split(".")[0] in ("geoapp", "flows") and "tests" not in nom.split(".") and nom not in DEMOS}
    assert {nom: c for nom, c in fautifs.items() if c} == {}
    assert graphe["flows.sources.demo"] & {"doublures.sources.serveur", "doublures.sources.s3"}
