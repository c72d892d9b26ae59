"""Bridges from results to other libraries' data structures, each behind an optional extra, imported lazily."""
