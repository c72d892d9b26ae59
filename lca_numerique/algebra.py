"""Array kernel shared by the engine and the results: contraction of Q[service, flow] with per-flow arrays.

Each flow belongs to one group (its tier). Keeping the group axis is done with one matrix product against
a block matrix ``G[flow, group, ...]`` that holds each flow's row in its own group's slot and zeros
elsewhere: a single BLAS call writing the result in its final layout, no loop in Python.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["contract_by_group"]


def contract_by_group(q: np.ndarray, f: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """``out[s, g, ...] = sum over flows j of group g of q[s, j] * f[j, ...]``.

    ``q`` is (services, flows), ``f`` is (flows, ...), ``groups`` gives each flow's group in ``range(n_groups)``.
    Returns a C-contiguous array of shape (services, n_groups, ...).
    """
    n_flows, tail = f.shape[0], f.shape[1:]
    block = np.zeros((n_flows, n_groups, *tail), dtype=np.result_type(q, f))
    block[np.arange(n_flows), groups] = f
    # the width written out: with no flow at all (every amount zero), -1 cannot be inferred from a size-0 array
    width = n_groups * math.prod(tail)
    return (q @ block.reshape(n_flows, width)).reshape(q.shape[0], n_groups, *tail)
