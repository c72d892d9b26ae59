"""Bridges to other tools' data structures (each imports its library lazily, as an optional extra).

``brightway``  bills and factors exported to a Brightway 2.5 project; scores computed there
``dask``       ``evaluate``, Monte Carlo and tables of pages on a Dask cluster
``xarray``     ``Results`` as a labelled ``xarray.Dataset`` (``Results.to_xarray()``)
"""

__all__: list[str] = []
