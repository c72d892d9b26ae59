"""``evaluate``, ``monte_carlo`` and tables of pages on a Dask cluster (optional extra ``dask``:
``pip install "lca_numerique[dask]"``).

The work is split by services, in chunks of consecutive services (:data:`lca_numerique.montecarlo.CHUNK`,
4,096 by default), so that a worker holds one chunk's arrays at a time, whatever the size of the inventory:

- :func:`bills`: every chunk's bills built on a worker (the service models are Python: that is the part that
  grows with the number of services), stacked into one matrix laid out as ``BillMatrix.stack`` lays it out;
  :func:`evaluate` evaluates it (the products of 10⁶ services take a fraction of a second in one process),
  so its :class:`~lca_numerique.results.Results` are those of :func:`lca_numerique.evaluate`, bit for bit;
- :func:`monte_carlo`: the factor samples are drawn once and sent to every worker; each chunk is evaluated by
  :func:`lca_numerique.montecarlo.run_chunk` over every sample on a worker, which returns its services'
  statistics (computed from all of their samples: exact quantiles, no sketch) and, for the views summing
  services (portfolio, kinds, campaigns), its sums per sample; the client places the statistics and adds the
  sums chunk after chunk. Draws are keyed by each item's name, never by the chunk or the worker, and the
  combination is the one the single process does: the result is that of
  :func:`lca_numerique.montecarlo.monte_carlo` with the same seed and ``chunk``, bit for bit, for any number
  of workers (with the single-threaded BLAS Dask workers use: see :mod:`lca_numerique.montecarlo`);
- :func:`pages_parquet`: a Parquet table of pages (one row per page, Website parameters as columns) through
  ``dask.dataframe``, partition by partition with :func:`lca_numerique.web_methods.table.pages_table`, to a
  Parquet table of per-page results.

Every function takes a ``distributed.Client`` (default: the current one). To use a real cluster, start a
scheduler and workers (``dask scheduler`` then ``dask worker tcp://scheduler:8786 --nthreads 1
--memory-limit 4GB`` on each machine, or a ``dask_jobqueue`` or Kubernetes cluster) with lca_numerique
installed in the same version on every worker, and pass ``Client("tcp://scheduler:8786")``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..bill import STAGES, BillMatrix, BillOfMaterials
from ..engine import evaluate as evaluate_in_process
from ..flows import FLOWS
from ..montecarlo import CHUNK, Chunk, ChunkMap, ChunkResult, MonteCarloResults, RunShared, run_chunk
from ..montecarlo import monte_carlo as monte_carlo_in_process
from ..services.base import Service

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from distributed import Client

    from ..factors import FactorSet
    from ..results import Results


def _client(client: Client | None) -> Client:
    try:
        from distributed import get_client
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('the Dask bridge needs dask and distributed: pip install "lca_numerique[dask]"') from exc
    return client if client is not None else get_client()


def _stack(items: Sequence[Service | BillOfMaterials]) -> BillMatrix:
    """The bill matrix of one chunk (on a worker)."""
    return BillMatrix.stack([s.bill_of_materials() if isinstance(s, Service) else s for s in items])


def _concat(parts: Sequence[BillMatrix]) -> BillMatrix:
    """Chunks' bill matrices as one, with the columns ``BillMatrix.stack`` would give the whole: every (flow,
    stage) pair used, in catalogue order of flows, then in the order of the stages."""
    flow_order, stage_order = {f: i for i, f in enumerate(FLOWS)}, {s: i for i, s in enumerate(STAGES)}
    used = {c for part in parts for c in zip(part.flows, part.stages, strict=True)}
    columns = sorted(used, key=lambda c: (flow_order[c[0]], stage_order[c[1]]))
    position = {c: j for j, c in enumerate(columns)}
    quantities = np.zeros((sum(len(p.services) for p in parts), len(columns)))
    row = 0
    for part in parts:
        where = [position[c] for c in zip(part.flows, part.stages, strict=True)]
        quantities[row:row + len(part.services), where] = part.quantities
        row += len(part.services)

    def joined(name: str) -> tuple[str, ...]:
        return tuple(x for part in parts for x in getattr(part, name))

    return BillMatrix(joined("services"), tuple(c[0] for c in columns), quantities,
                      np.concatenate([p.audience for p in parts]), joined("audience_units"), joined("kinds"),
                      joined("campaigns"), tuple(c[1] for c in columns))


def bills(items: Sequence[Service | BillOfMaterials], *, client: Client | None = None, chunk: int = CHUNK
          ) -> BillMatrix:
    """The bill matrix of ``items`` (services or bills), each chunk of ``chunk`` services built on a worker;
    the same matrix as ``BillMatrix.stack`` of every bill."""
    client = _client(client)
    items = list(items)
    parts = client.scatter([items[i:i + chunk] for i in range(0, len(items), chunk)], hash=False)
    futures = client.map(_stack, parts, pure=False)
    return _concat(client.gather(futures))


def evaluate(items: Sequence[Service | BillOfMaterials], factors: FactorSet, *, client: Client | None = None,
             chunk: int = CHUNK, require_complete: bool = False) -> Results:
    """:func:`lca_numerique.evaluate` of ``items`` whose bills are built on the cluster (see :func:`bills`): the
    same results, bit for bit."""
    return evaluate_in_process(bills(items, client=client, chunk=chunk), factors, require_complete=require_complete)


def monte_carlo(items: Sequence[Service] | Sequence[BillOfMaterials] | BillMatrix | Any, factors: FactorSet, *,
                client: Client | None = None, chunk: int = CHUNK, **options: Any) -> MonteCarloResults:
    """:func:`lca_numerique.montecarlo.monte_carlo` with each chunk of services evaluated on a worker (and, for a
    sequence of services or bills, their bills built there too). ``options`` are those of ``monte_carlo``
    (``samples``, ``seed``, ``by``, ``sampler``, ``precision``, ``memory_budget`` per chunk...). The same
    results as in one process with the same seed and ``chunk``, bit for bit."""
    client = _client(client)
    if isinstance(items, Sequence) and not isinstance(items, BillMatrix) and "bills" not in options:
        options["bills"] = bills(items, client=client, chunk=chunk)
    return monte_carlo_in_process(items, factors, chunk=chunk, map_chunks=_chunk_map(client), **options)


def _chunk_map(client: Client) -> ChunkMap:
    def map_chunks(shared: RunShared, chunks: Sequence[Chunk]) -> Iterator[ChunkResult]:
        [on_workers] = client.scatter([shared], broadcast=True, hash=False)
        parts = client.scatter(list(chunks), hash=False)  # spread over the workers, not embedded in the graph
        futures = client.map(run_chunk, [on_workers] * len(chunks), parts, pure=False)
        for future in futures:  # in chunk order, each released once read
            yield future.result()
            future.release()

    return map_chunks


def pages_parquet(source: str, destination: str, *, factors: FactorSet | None = None,
                  criteria: Iterable[str] | None = None, client: Client | None = None, **read_options: Any) -> None:
    """Per-page results of a Parquet table of pages (see :mod:`lca_numerique.web_methods.table` for its
    columns) written as a Parquet table at ``destination``, partition by partition on the cluster: each
    partition's rows equal :func:`~lca_numerique.web_methods.table.pages_table` of the same rows.
    ``read_options`` go to ``dask.dataframe.read_parquet`` (e.g. ``blocksize``, ``columns``)."""
    import dask.dataframe as dd

    from .. import load_factors

    _client(client)  # the work runs on the cluster of this client
    evaluate_pages = _PagesTable(factors if factors is not None else load_factors(),
                                 None if criteria is None else list(criteria))
    pages = dd.read_parquet(source, **read_options)
    sample = pages.partitions[0].compute().head(1)  # the output's columns and types, from one partition's row
    if sample.empty:  # an empty first file: look further
        sample = pages.head(1, npartitions=-1)
    meta = evaluate_pages(sample).iloc[:0]
    pages.map_partitions(evaluate_pages, meta=meta).to_parquet(destination, write_index=True)


class _PagesTable:
    """``pages_table`` with its factors, as one task argument. Dask names tasks by hashing their arguments, and
    hashing a factor set's content takes seconds each time: a run's own random token stands for it."""

    def __init__(self, factors: FactorSet, criteria: list[str] | None) -> None:
        self.factors, self.criteria = factors, criteria
        self.token = uuid.uuid4().hex

    def __dask_tokenize__(self) -> str:
        return self.token

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        from ..web_methods.table import pages_table

        return pages_table(frame, self.factors, self.criteria)


__all__ = ["bills", "evaluate", "monte_carlo", "pages_parquet"]
