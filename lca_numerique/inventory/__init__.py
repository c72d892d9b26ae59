"""Inventories: an organisation's services in a YAML file people can write, validated with precise errors.

``yaml_source`` strict YAML reading with line and column of every value; ``model`` the Inventory and its
validation; ``schema`` the JSON Schema editors use; ``template`` the data-collection workbook.
"""

from .model import FORMAT_VERSION, Inventory, InventoryError, inventory_from_text, load_inventory
from .yaml_source import Problem

__all__ = ["FORMAT_VERSION", "Inventory", "InventoryError", "Problem", "inventory_from_text", "load_inventory"]
