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
set's id, version and content hash in its ``components``; parameter overrides (the profile's and the
caller's) in its ``overrides``.

A profile file of your own is read with the library's strict YAML reader; the folders in its ``sets`` are
read from the profile file's folder, and it may not take the id of a bundled profile or set.

Open data only: ``load_factors(licences=["MIT", "ODbL-1.0"])`` keeps the factors whose every licence is
listed; a phase whose only factor has another licence becomes a gap, so its results are "not covered".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..axes import PHASE_IDS
from ..errors import FactorDataError
from ..flows import register_folder
from ..inventory.yaml_source import YamlSyntaxError, read_yaml
from .cache import compiled_profile
from .loader import (
    available_factor_sets,
    available_profiles,
    check_overrides,
    freeze_overrides,
    load_folder,
    profiles_root,
    reserved_ids,
    resolve_set,
)
from .model import Factor, FactorSet, build_factor_set

__all__ = ["DEFAULT_PROFILE", "Key", "compose", "load_factors"]

Key = tuple[str, str, str]

DEFAULT_PROFILE = "default"


def load_factors(profile: str | Path | None = None, *, parameters: Mapping[str, Any] | None = None,
                 licences: Iterable[str] | None = None, extra_sets: Sequence[str | Path] = (),
                 base: str | Path | None = None) -> FactorSet:
    """The factors to evaluate with: impacts per unit of each flow, by criterion and life-cycle phase.

    Parameters
    ----------
    profile
        A bundled profile id (default ``"default"``: the best available source for each flow and criterion),
        the path of a profile YAML file, or a single factor set (bundled id or folder).
    parameters
        Named parameters overridden before derived factors are computed, each in its declared unit or as a
        quantity string (for example ``{"smartphone.lifetime": "3.5 year"}``); each value is checked against
        the parameter's declared domain, and the overrides are recorded in the result's ``overrides``.
    licences
        If given, only factors whose every licence is in it are kept (e.g. ``["MIT", "ODbL-1.0"]`` for open
        data only): a phase left without an accepted factor falls to the next set, or becomes a gap (not
        covered).
    extra_sets
        Your own factor-set folders (for example an export of a licensed database), taking precedence over
        the profile's sets; the flow kinds and zones a folder declares in its ``flows.csv`` and ``zones.csv``
        join the catalogue (see :mod:`lca_numerique.flows`).
    base
        The folder relative paths are read from (an inventory passes its own folder; default: the current one).

    Returns
    -------
    FactorSet
        Values in each criterion's unit per flow unit (e.g. kg CO2 eq per device_hour), with sources,
        licences, coverage and a content hash. Compiled sets are cached in the user's cache folder.

    Raises
    ------
    FactorDataError
        A factor file, a profile or an override is invalid (every problem listed with its location).
    """
    name = profile or DEFAULT_PROFILE
    if not extra_sets and isinstance(name, str) and name in available_profiles():
        # a bundled profile reads bundled files only: compiled whole, composition and content hash included
        request = (name, freeze_overrides(check_overrides(parameters)),
                   None if licences is None else tuple(sorted(_licences(licences) or ())))
        return compiled_profile(request, lambda: _load_factors(name, parameters, licences, extra_sets, base),
                                register_folder)
    return _load_factors(name, parameters, licences, extra_sets, base)[0]


def _load_factors(name: str | Path, parameters: Mapping[str, Any] | None, licences: Iterable[str] | None,
                  extra_sets: Sequence[str | Path], base: str | Path | None) -> tuple[FactorSet, list[Path]]:
    """:func:`load_factors` from the files, and the set folders it read."""
    spec = _profile_spec(name, base)
    if spec is None:  # a single factor set
        spec = {"id": resolve_set(name, base).name, "version": "", "title": "", "description": "",
                "sets": [name], "base": base}
    overrides = {**check_overrides(spec.get("parameters")), **check_overrides(parameters)}
    accepted = _licences(licences)
    sets = [*((s, base) for s in extra_sets), *((s, spec["base"]) for s in spec["sets"])]
    folders = [resolve_set(s, b) for s, b in sets]
    loaded = [load_folder(folder, freeze_overrides(overrides)) for folder in folders]
    known = set().union(*(fs.parameters for fs in loaded))
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise FactorDataError([f"parameters: unknown parameter(s) {', '.join(unknown)}; known: "
                               f"{', '.join(sorted(known))}"])
    if len(loaded) == 1 and accepted is None and not spec["version"]:
        return loaded[0], folders
    return compose(loaded, id=str(spec["id"]), version=str(spec["version"]), title=str(spec["title"]),
                   description=str(spec.get("description", "")), accepted_licences=accepted), folders


def _licences(licences: Iterable[str] | None) -> set[str] | None:
    if licences is None:
        return None
    if isinstance(licences, str) or not all(isinstance(lic, str) for lic in licences):
        raise FactorDataError([f"licences: expected a list of licence names such as ['MIT', 'ODbL-1.0'], got "
                               f"{licences!r}"])
    return {lic.strip().lower() for lic in licences}


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
        refused: set[tuple[str, str]] = set()  # pairs where this set's factor has a licence not accepted
        for key, factor in fs.factors.items():
            if key in chosen or key in included:
                continue
            if _accepted(factor, accepted_licences):
                chosen[key] = factor
            else:
                refused.add(key[:2])
                gaps.setdefault(key, f"{fs.id}: licence {factor.provenance.licence!r} not accepted")
        for key, where in fs.included.items():
            if key not in chosen and key[:2] not in refused:  # included in a row that was not refused
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
        overrides={k: v for fs in sets for k, v in fs.overrides.items()},
    )


def _accepted(factor: Factor, accepted: set[str] | None) -> bool:
    if accepted is None:
        return True
    return all(part.strip().lower() in accepted for part in factor.provenance.licence.split(";"))


def _profile_spec(name: str | Path, base: str | Path | None = None) -> dict[str, Any] | None:
    """The profile named ``name`` (bundled id or YAML file), with ``base``: the folder its sets are read from;
    None when ``name`` is not a profile (it may be a factor set)."""
    path = Path(name)
    if base is not None and not path.is_absolute():
        path = Path(base) / path
    bundled = isinstance(name, str) and name in available_profiles()
    if bundled:
        path = profiles_root() / f"{name}.yaml"
    elif path.suffix not in (".yaml", ".yml") or not path.is_file():
        return None
    try:
        spec = read_yaml(path, what="a factor profile").data
    except YamlSyntaxError as exc:
        raise FactorDataError([str(exc.problem)]) from None
    if not isinstance(spec, dict):
        raise FactorDataError([f"{path}: a profile is a mapping with id, version, title and sets"])
    problems = [f"{path}: '{key}' is missing" for key in ("id", "version", "title", "sets") if not spec.get(key)]
    if not problems and (not isinstance(spec["sets"], list) or not all(isinstance(s, str) for s in spec["sets"])):
        problems.append(f"{path}: 'sets' must be a list of factor-set ids or folders")
    if not problems and not bundled and str(spec["id"]) in reserved_ids():
        problems.append(f"{path}: id {spec['id']!r} is the id of bundled data: a profile of yours needs its own id")
    if not problems:
        bundled_sets = set(available_factor_sets())
        problems = [f"{path}: set {s!r} is neither bundled nor a folder (read from {path.parent})"
                    for s in spec["sets"] if s not in bundled_sets and not (path.parent / s).is_dir()]
    if problems:
        raise FactorDataError(problems)
    return {**spec, "base": path.parent}
