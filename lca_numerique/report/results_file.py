"""A results file that can be checked: inputs, outputs and environment in one JSON document.

``write_results_file`` stores the inventory as data, the factor choice and the content hash of the factor
set used, the versions of the library and its dependencies, and every result. ``check_results_file`` reads
it back, re-runs the assessment and lists every difference beyond tolerance: a tampered or stale file, or a
library or factor change that moved a number, is caught.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from ..inventory import Inventory
    from ..results import Results

FORMAT = "lca_numerique-results"
FORMAT_VERSION = 1
RTOL = 1e-9


def environment() -> dict[str, str]:
    """Versions of Python, the library and its dependencies, and the platform."""
    versions = {"python": platform.python_version(), "platform": platform.platform(), "lca_numerique": __version__}
    for package in ("numpy", "pandas", "pint", "PyYAML", "matplotlib"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:  # pragma: no cover
            versions[package] = "absent"
    return versions


def results_document(results: Results, inventory: Inventory) -> dict[str, Any]:
    """The results file's content as plain data."""
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "inputs": inventory.to_data(),
            "environment": environment(), "outputs": results.to_dict()}


def write_results_file(path: str | Path, results: Results, inventory: Inventory) -> Path:
    """Write the JSON results file; return its path."""
    path = Path(path)
    path.write_text(json.dumps(results_document(results, inventory), ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path


@dataclass
class CheckReport:
    """What re-running a results file found."""

    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every number matched within tolerance."""
        return not self.differences


def is_results_file(path: str | Path) -> bool:
    """True if ``path`` looks like a results file (JSON with our format marker)."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        return False
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def check_results_file(path: str | Path, rtol: float = RTOL) -> CheckReport:
    """Re-run the assessment a results file records and compare every number (relative tolerance ``rtol``)."""
    from ..inventory.model import inventory_from_data
    from ..inventory.yaml_source import Located

    document = json.loads(Path(path).read_text(encoding="utf-8"))
    report = CheckReport()
    if document.get("format") != FORMAT or document.get("format_version") != FORMAT_VERSION:
        report.differences.append("not a results file of this format version")
        return report
    stored = document["outputs"]
    inventory = inventory_from_data(Located(document["inputs"], {}, str(path)))
    fresh = inventory.evaluate().to_dict()
    then, now = stored["provenance"], fresh["provenance"]
    if then.get("library_version") != now["library_version"]:
        report.notes.append(f"library version {then.get('library_version')} then, {now['library_version']} now")
    if then.get("factor_set_hash") != now["factor_set_hash"]:
        report.notes.append("the factor data changed since the file was written (content hash differs)")
    for key in ("services", "tiers", "criteria", "phases", "audience_units"):
        if stored.get(key) != fresh[key]:
            report.differences.append(f"{key}: file has {stored.get(key)}, re-run gives {fresh[key]}")
    if report.differences:
        return report
    for key in ("values", "audience"):
        old, new = np.asarray(stored[key], dtype=float), np.asarray(fresh[key], dtype=float)
        if old.shape != new.shape:
            report.differences.append(f"{key}: shape {old.shape} in the file, {new.shape} re-run")
            continue
        bad = ~np.isclose(old, new, rtol=rtol, atol=0.0, equal_nan=True)
        for index in np.argwhere(bad)[:20]:
            labels = _labels(fresh, key, tuple(index))
            report.differences.append(f"{key}[{labels}]: file {float(old[tuple(index)])!r}, "
                                      f"re-run {float(new[tuple(index)])!r}")
        if bad.sum() > 20:
            report.differences.append(f"... and {int(bad.sum()) - 20} more differences in {key}")
    if stored.get("coverage") != fresh["coverage"]:
        report.differences.append("coverage flags differ from the re-run")
    return report


def _labels(document: dict[str, Any], key: str, index: tuple[int, ...]) -> str:
    if key == "audience":
        return document["services"][index[0]]
    axes = ("services", "tiers", "criteria", "phases")
    return ", ".join(document[a][i] for a, i in zip(axes, index, strict=True))
