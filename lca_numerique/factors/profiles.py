"""Profiles: one factor set drawn from several, by a declared priority.

A profile is a YAML file under ``data/impact_factors/profiles/``::

    id: default
    version: "1"
    title: Best open source per flow and criterion
    sets: [impactco2, base_empreinte, electricity_base_impacts]   # highest priority first
    parameters: {}                                                  # parameter overrides, e.g. allocation rules

For each (flow, criterion), every phase comes from the first set in ``sets`` that covers it (and whose
licences the user accepts). The choice is recorded in the result's ``selection``, and each set's id,
version and content hash in its ``components``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import FactorDataError
from .loader import _freeze, _load, available_factor_sets, data_root, resolve_set
from .model import Factor, FactorSet, build_factor_set

DEFAULT_PROFILE = "default"


def profiles_root() -> Path:
    """The folder of the bundled profiles."""
    return data_root() / "profiles"


def available_profiles() -> tuple[str, ...]:
    """Ids of the bundled profiles."""
    return tuple(sorted(p.stem for p in profiles_root().glob("*.yaml")))


def load_factors(profile: str | Path | None = None, *, parameters: Mapping[str, Any] | None = None,
                 licences: Iterable[str] | None = None, extra_sets: Sequence[str | Path] = ()) -> FactorSet:
    """The factors to evaluate with.

    ``profile`` is a bundled profile id (default ``"default"``: the best available source for each flow and
    criterion), the path of a profile YAML file, or a single factor set (bundled id or folder).
    ``parameters`` overrides named parameters before derived factors are computed (for example a device
    lifetime). ``licences``, if given, keeps only factors whose every licence is in it: a pair left without
    an accepted factor falls to the next set, or becomes *missing*. ``extra_sets`` are your own factor-set
    folders (for example an export of a licensed database), taking precedence over the profile's sets.
    """
    name = profile or DEFAULT_PROFILE
    spec = _profile_spec(name)
    if spec is None:  # a single factor set
        spec = {"id": resolve_set(name).name, "version": "", "title": "", "description": "", "sets": [str(name)]}
    overrides = {**(spec.get("parameters") or {}), **(parameters or {})}
    sets = [*extra_sets, *spec["sets"]]
    loaded = [_load(resolve_set(s), _freeze(overrides)) for s in sets]
    known = set().union(*(fs.parameters for fs in loaded))
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise FactorDataError([f"parameters: unknown parameter(s) {', '.join(unknown)}; known: "
                               f"{', '.join(sorted(known))}"])
    accepted = None if licences is None else {lic.strip().lower() for lic in licences}
    if len(loaded) == 1 and accepted is None and not spec["version"]:
        return loaded[0]
    return compose(loaded, id=str(spec["id"]), version=str(spec["version"]), title=str(spec["title"]),
                   description=str(spec.get("description", "")), accepted_licences=accepted)


def compose(sets: Sequence[FactorSet], *, id: str, version: str = "", title: str = "", description: str = "",
            accepted_licences: set[str] | None = None) -> FactorSet:
    """Merge factor sets by priority: each (flow, criterion) comes whole from the first set covering it."""
    chosen: dict[tuple[str, str, str], Factor] = {}
    gaps: dict[tuple[str, str, str], str] = {}
    selection: dict[tuple[str, str], str] = {}
    for fs in sets:
        pairs: dict[tuple[str, str], list[Factor]] = {}
        for (flow, criterion, _), f in fs.factors.items():
            pairs.setdefault((flow, criterion), []).append(f)
        for pair, factors in pairs.items():
            if pair in selection or not all(_accepted(f, accepted_licences) for f in factors):
                continue
            selection[pair] = fs.id
            chosen.update({(f.flow, f.criterion, f.phase): f for f in factors})
            gaps.update({k: why for k, why in fs.gaps.items() if k[:2] == pair})
    used = {fs.id for fs in sets if fs.id in selection.values()}
    licences = sorted({part.strip() for f in chosen.values() for part in f.provenance.licence.split(";")})
    return build_factor_set(
        chosen, id=id, version=version, title=title or id, licence="; ".join(licences),
        sources={f"{fs.id}:{sid}": src for fs in sets for sid, src in fs.sources.items()},
        parameters={k: v for fs in sets for k, v in fs.parameters.items()}, description=description,
        components=tuple(c for fs in sets if fs.id in used for c in fs.components), selection=selection, gaps=gaps,
    )


def _accepted(factor: Factor, accepted: set[str] | None) -> bool:
    if accepted is None:
        return True
    return all(part.strip().lower() in accepted for part in factor.provenance.licence.split(";"))


def _profile_spec(name: str | Path) -> dict[str, Any] | None:
    import yaml

    path = Path(name)
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        path = profiles_root() / f"{name}.yaml"
        if not path.is_file():
            return None
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FactorDataError([f"{path}: not valid YAML: {exc}"]) from None
    problems = [f"{path}: '{key}' is missing" for key in ("id", "version", "title", "sets")
                if not isinstance(spec, dict) or not spec.get(key)]
    if not problems:
        bundled = set(available_factor_sets())
        problems = [f"{path}: set {s!r} is neither bundled nor a folder" for s in spec["sets"]
                    if s not in bundled and not Path(s).is_dir()]
    if problems:
        raise FactorDataError(problems)
    return spec
