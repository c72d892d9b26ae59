"""The factor choice behind a result: profile, parameter overrides, accepted licences and extra factor sets.

A results file records it so that ``check`` re-runs with the same factors (a ``--profile`` given on the
command line included), and every report discloses what departs from the bundled data: parameter overrides,
a licence filter, the user's own factor sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..factors import FactorSet
    from ..inventory import Inventory

__all__ = ["CODE_SET", "IN_CODE", "OVERRIDE_COLUMNS", "OVERRIDE_WORDS", "FactorChoice", "localise_overrides"]

#: Columns of the overrides table ("Overrides / Surcharges" in reports).
OVERRIDE_COLUMNS = ("what", "name", "value", "bundled value", "unit")
#: Set id of factors a user gives in code (:func:`lca_numerique.factors.model.user_provenance`).
CODE_SET = "user"
#: The ``what`` of an overrides row for a factor given in code.
IN_CODE = "factor given in code"


@dataclass(frozen=True)
class FactorChoice:
    """Arguments of :func:`lca_numerique.load_factors` as recorded data (``None`` profile: the default)."""

    profile: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    licences: tuple[str, ...] | None = None
    extra_sets: tuple[str, ...] = ()

    @classmethod
    def of(cls, inventory: Inventory, *, profile: str | Path | None = None,
           parameters: Mapping[str, Any] | None = None, licences: Iterable[str] | None = None,
           extra_sets: Sequence[str | Path] = ()) -> FactorChoice:
        """The inventory's own choice (its ``factors:`` block), with any argument given here replacing its part."""
        own = inventory.factors
        chosen_licences = licences if licences is not None else own.get("licences")
        return cls(profile=str(profile) if profile is not None else own.get("profile"),
                   parameters={**(own.get("parameters") or {}), **(parameters or {})},
                   licences=None if chosen_licences is None else tuple(str(x) for x in chosen_licences),
                   extra_sets=tuple(str(s) for s in (extra_sets or own.get("extra_sets") or ())))

    def load(self, base: str | Path | None = None) -> FactorSet:
        """The factor set this choice gives, relative paths read from ``base`` (default: the current folder)."""
        from ..factors import load_factors

        return load_factors(self.profile, parameters=dict(self.parameters) or None, licences=self.licences,
                            extra_sets=list(self.extra_sets), base=base)

    def to_data(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"profile": self.profile, "parameters": dict(self.parameters),
                "licences": None if self.licences is None else list(self.licences),
                "extra_sets": list(self.extra_sets)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> FactorChoice:
        """The choice recorded by :meth:`to_data`; raises ``TypeError`` or ``ValueError`` on malformed data."""
        if not isinstance(data, Mapping) or not set(data) <= {"profile", "parameters", "licences", "extra_sets"}:
            raise ValueError("factor_choice holds profile, parameters, licences and extra_sets")
        profile, parameters = data.get("profile"), data.get("parameters") or {}
        licences, extra = data.get("licences"), data.get("extra_sets") or []
        if profile is not None and not isinstance(profile, str):
            raise TypeError("factor_choice.profile is a text or null")
        if not isinstance(parameters, Mapping) or not isinstance(extra, list):
            raise TypeError("factor_choice.parameters is a mapping and extra_sets a list")
        if licences is not None and not isinstance(licences, list):
            raise TypeError("factor_choice.licences is a list or null")
        return cls(profile=profile, parameters=dict(parameters),
                   licences=None if licences is None else tuple(map(str, licences)),
                   extra_sets=tuple(map(str, extra)))

    def overrides_table(self, selection: Mapping[tuple[str, str], str] | None = None,
                        lang: str = "en") -> pd.DataFrame:
        """What departs from the bundled data, one row each: parameter overrides (with the bundled value),
        a licence filter, extra factor sets, and factors given in code (``FactorSet.override``), found in a
        result's ``selection``; its words in ``lang`` (English: the ids results files record). Empty when the
        bundled factors are used as published."""
        import pandas as pd

        from ..factors import load_factors
        from ..i18n import parameter_value

        rows: list[dict[str, Any]] = []
        if self.parameters:
            bundled = load_factors(self.profile).parameters
            for name, value in sorted(self.parameters.items()):
                known = bundled.get(name)
                rows.append({"what": "parameter", "name": name, "value": parameter_value(value, lang),
                             "bundled value": None if known is None else parameter_value(known.value, lang),
                             "unit": "" if known is None else known.unit})
        if self.licences is not None:
            rows.append({"what": "licence filter", "name": "licences accepted", "value": ", ".join(self.licences),
                         "bundled value": "every licence", "unit": ""})
        for path in self.extra_sets:
            rows.append({"what": "extra factor set", "name": path, "value": "takes precedence over the profile",
                         "bundled value": None, "unit": ""})
        for flow, criterion in sorted(k for k, set_id in (selection or {}).items() if set_id == CODE_SET):
            rows.append({"what": IN_CODE, "name": f"{flow} / {criterion}",
                         "value": "FactorSet.override", "bundled value": None, "unit": ""})
        table = pd.DataFrame(rows, columns=list(OVERRIDE_COLUMNS))
        return table if lang == "en" else localise_overrides(table, lang)


#: The words of the overrides table (its other cells are names, numbers and units).
OVERRIDE_WORDS = ("parameter", "licence filter", "licences accepted", "every licence", "extra factor set",
                  "takes precedence over the profile", IN_CODE)


def localise_overrides(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The overrides table (ids, as results files record it) with its words and units written for ``lang``."""
    from ..i18n import display_unit, translator

    pgettext = translator(lang).pgettext

    def word(value: Any) -> Any:
        if isinstance(value, str) and value in OVERRIDE_WORDS:
            return pgettext("override", value)
        return value

    table = table.copy()
    for column in ("what", "name", "value", "bundled value"):
        table[column] = table[column].map(word)
    table["unit"] = table["unit"].map(lambda u: display_unit(u, lang) if u else u)
    return table
