"""Inventories: an organisation's services in a YAML file people can write, validated with precise errors.

``yaml_source`` strict, bounded YAML reading with line and column of every value (the library's one YAML
reader: inventories, scenarios, factor metadata, profiles); ``model`` the Inventory and its validation;
``schema`` the JSON Schema editors use; ``template`` the data-collection workbook.
"""

from ..errors import InventoryError, Problem
from .model import FORMAT_VERSION, Inventory, inventory_from_text, load_inventory
from .yaml_source import Located, read_located, read_yaml

__all__ = ["FORMAT_VERSION", "Inventory", "InventoryError", "Located", "Problem", "inventory_from_text",
           "load_inventory", "read_located", "read_yaml"]
