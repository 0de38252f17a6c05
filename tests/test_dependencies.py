"""pyproject.toml says what the code needs: every package imported directly is declared,
with a lower bound that has what the code uses."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def declared(extra: str | None = None) -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["optional-dependencies"][extra] if extra else project["dependencies"]
    requirements = [Requirement(line) for line in lines]
    return {normalized(r.name): r for r in requirements}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_level(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"wallboard", "tests", "__future__"}


def test_every_package_the_code_imports_is_a_declared_dependency():
    runtime = declared()
    providers = packages_distributions()
    missing = []
    for module in sorted(imported_top_level(ROOT / "wallboard")):
        dists = {normalized(d) for d in providers.get(module, [module])}
        if not dists & set(runtime):
            missing.append(f"{module} (from {', '.join(sorted(dists))})")
    assert not missing, f"imported but not declared in [project] dependencies: {missing}"


def lower_bound(requirement: Requirement) -> Version:
    bounds = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==")]
    assert bounds, f"{requirement} has no lower bound"
    return max(bounds)


def test_websockets_is_at_least_14_where_the_ari_client_s_api_became_the_default():
    """The ARI client calls ``websockets.connect(..., additional_headers=...)``, catches
    ``InvalidStatus`` (``exc.response.status_code``) and types ``websockets.ClientConnection``:
    the new asyncio implementation, which 13.x had only under ``websockets.asyncio`` and
    which 14.0 made the top-level ``websockets.connect`` (13's took ``extra_headers`` and
    raised ``InvalidStatusCode``)."""
    source = (ROOT / "wallboard/sources/ari/client.py").read_text()
    assert "additional_headers=" in source and "websockets.ClientConnection" in source
    assert lower_bound(declared()["websockets"]) >= Version("14")


def test_direct_web_dependencies_are_declared():
    runtime = declared()
    for name in ("aiohttp", "aiohttp-jinja2", "phonenumberslite"):
        assert name in runtime, f"{name} is imported directly but not declared"
