"""lca_numerique: multi-criteria life-cycle assessment of digital communication services.

Describe each service as a bill of materials (device-hours, GB transferred, GB stored per year...),
multiply it by a sourced, multi-criteria factor set, and read the results by tier (terminals, networks,
data centres), life-cycle phase and criterion, per unit of audience::

    import lca_numerique as lca

    inventory = lca.load_inventory("inventory.yaml")      # services of an organisation, in YAML
    results = inventory.evaluate()                         # with the default factor profile
    results.per_audience()                                 # per visit, per view, per reader...

or service by service (``lca_numerique.services``), or from hand-built bills (``lca.BillOfMaterials``).

Importing the package loads neither pint nor matplotlib: units are parsed on first use.
"""

from ._version import __version__
from .bill import Audience, BillMatrix, BillOfMaterials, Line
from .criteria import CRITERIA, MISSION_CRITERIA, get_criterion
from .engine import evaluate
from .errors import BillError, FactorDataError, IncompleteFactorsError, LcaError, UnitError
from .factors import FactorSet, available_factor_sets, load_factor_set, load_factors
from .flows import FLOWS, get_flow
from .inventory import Inventory, InventoryError, load_inventory
from .results import Results
from .table import Table

__all__ = [
    "CRITERIA",
    "FLOWS",
    "MISSION_CRITERIA",
    "Audience",
    "BillError",
    "BillMatrix",
    "BillOfMaterials",
    "FactorDataError",
    "FactorSet",
    "IncompleteFactorsError",
    "Inventory",
    "InventoryError",
    "LcaError",
    "Line",
    "Results",
    "Table",
    "UnitError",
    "__version__",
    "available_factor_sets",
    "evaluate",
    "get_criterion",
    "get_flow",
    "load_factor_set",
    "load_factors",
    "load_inventory",
]
