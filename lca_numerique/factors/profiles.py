"""Profiles: one factor set drawn from several, by a declared priority.

A profile is a YAML file under ``data/impact_factors/profiles/``::

    id: default
    version: "1"
    title: Best open source per flow and criterion
    sets: [impactco2, base_empreinte, electricity_base_impacts]   # highest priority first
    parameters: {}                                                  # parameter overrides, e.g. allocation rules

For each (flow, criterion, phase), the factor comes from the first set in ``sets`` that gives it (and
whose licence the user accepts), so a device's embodied ADPe may come from one source and its use-phase
ADPe (power x electricity) from another. The choice is recorded in the result's ``selection``, and each
set's id, version and content hash in its ``components``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..axes import PHASE_IDS
from ..errors import FactorDataError
from .loader import _freeze, _load, available_factor_sets, data_root, resolve_set
from .model import Factor, FactorSet, build_factor_set

Key = tuple[str, str, str]

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
    """Merge factor sets by priority, phase by phase.

    Each (flow, criterion, phase) comes from the first set that has a factor for it, or that declares it
    *included* in another phase's row (then no later set may add it: it would be counted twice). A phase a
    set declares *missing* stays a gap unless a later set fills it.
    """
    chosen: dict[Key, Factor] = {}
    included: dict[Key, str] = {}
    gaps: dict[Key, str] = {}
    for fs in sets:
        for key, factor in fs.factors.items():
            if key not in chosen and key not in included and _accepted(factor, accepted_licences):
                chosen[key] = factor
        for key, where in fs.included.items():
            if key not in chosen:
                included.setdefault(key, f"{fs.id}: {where}")
        for key, why in fs.gaps.items():
            gaps.setdefault(key, f"{fs.id}: {why}")
    selection: dict[tuple[str, str], str] = {}
    for (flow, criterion, _), factor in sorted(chosen.items(), key=lambda kv: PHASE_IDS.index(kv[0][2])):
        ids = selection.get((flow, criterion), "").split("+")
        if factor.provenance.set_id not in ids:
            selection[(flow, criterion)] = "+".join(i for i in (*ids, factor.provenance.set_id) if i)
    used = {part for ids in selection.values() for part in ids.split("+")}
    licences = sorted({part.strip() for f in chosen.values() for part in f.provenance.licence.split(";")})
    return build_factor_set(
        chosen, id=id, version=version, title=title or id, licence="; ".join(licences),
        sources={f"{fs.id}:{sid}": src for fs in sets for sid, src in fs.sources.items()},
        parameters={k: v for fs in sets for k, v in fs.parameters.items()}, description=description,
        components=tuple(c for fs in sets if fs.id in used for c in fs.components), selection=selection,
        gaps={k: v for k, v in gaps.items() if k not in chosen and k not in included}, included=included,
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
