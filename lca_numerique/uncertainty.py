"""Uncertainty of a value: the probability distributions factor data and inputs can declare.

A distribution is written as text in data files, for example::

    none
    lognormal gsd=1.5            # geometric standard deviation around the value (the median)
    triangular low=2 high=5      # mode = the value
    uniform low=2 high=5
    normal sd=0.3                # truncated at zero when sampled
    pedigree reliability=2 completeness=3 temporal=2 geographical=1 technological=4   # factor data rows only

A pedigree assessment (see :func:`pedigree_distribution`) widens the default lognormal of the row's
confidence by ecoinvent's pedigree variances.

Bounds and standard deviations are in the same unit as the value they qualify. A distribution whose draws
would not be finite numbers at the 10⁻¹² and 1 - 10⁻¹² quantiles (``gsd=1e300``, ``high=1e308``) is refused
when it is read, with a message, rather than turning a result into infinity or zero later.

Sampling: every uncertain item (a factor row, a factor parameter, a service parameter) gets its own column of
uniform numbers from :class:`Uniforms`, by its name. Three samplers are offered: ``random`` (independent
streams), ``lhs`` (Latin hypercube: each item's column stratified, one draw per stratum, in a random
order, as :class:`scipy.stats.qmc.LatinHypercube` draws each dimension) and ``sobol`` (scrambled Sobol' points
over every item of the run, :class:`scipy.stats.qmc.Sobol`: a linear matrix scramble and a digital shift, whose
variance is that of Owen's nested scrambling; the sample size must be a power of two).
``random`` and ``lhs`` give every item the same numbers whatever else the run contains (common random numbers
between scenarios); ``sobol`` gives the same numbers only when both runs have the same uncertain items.

Quantiles of a total can be estimated by conditional Monte Carlo (:func:`conditional_quantiles`): when one
lognormal input enters the total as ``A + D × Y`` (``A`` and ``D`` independent of ``Y``), each sample's chance
that the total is below ``q`` is computed exactly from ``Y``'s distribution instead of counting 0 or 1. The
estimate is unbiased for the distribution function and smooth in the other inputs, which is what lets Latin
hypercube and Sobol' points help (Nakayama 2014, "Quantile estimation when applying conditional Monte Carlo",
SIMULTECH; Dong & Nakayama 2017, "Quantile estimation with Latin hypercube sampling", Operations Research 65(6);
L'Ecuyer, Puchhammer & Ben Abdellah 2022, "Monte Carlo and quasi-Monte Carlo density estimation via
conditioning", INFORMS Journal on Computing 34(3)).
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .errors import ArgumentError

__all__ = [
    "DEFAULT_GSD_BY_CONFIDENCE",
    "DISTRIBUTION_KINDS",
    "NO_UNCERTAINTY",
    "PEDIGREE_VARIANCES",
    "SAMPLERS",
    "Distribution",
    "Uniforms",
    "bounds",
    "conditional_quantiles",
    "default_distribution",
    "draw",
    "parse_distribution",
    "pedigree_distribution",
    "uniforms",
]

_PARAMETERS: dict[str, tuple[str, ...]] = {
    "none": (),
    "lognormal": ("gsd",),
    "triangular": ("low", "high"),
    "uniform": ("low", "high"),
    "normal": ("sd",),
}

DISTRIBUTION_KINDS: tuple[str, ...] = tuple(_PARAMETERS)


class Distribution(NamedTuple):
    """A distribution around a central value; ``params`` are in the value's unit (``gsd`` has none)."""

    kind: str
    params: tuple[tuple[str, float], ...] = ()

    def __str__(self) -> str:
        return " ".join([self.kind, *(f"{k}={v:g}" for k, v in self.params)])

    def param(self, name: str) -> float:
        """The parameter ``name`` (``"gsd"``, ``"low"``...)."""
        return dict(self.params)[name]

    def scaled(self, factor: float) -> Distribution:
        """The same distribution for the value multiplied by ``factor`` (used when converting units)."""
        if self.kind == "lognormal":
            return self
        return Distribution(self.kind, tuple((k, v * factor) for k, v in self.params))


NO_UNCERTAINTY = Distribution("none")

#: Default spread of a value whose source gives no range, by the confidence its data row declares: a lognormal
#: around the value with this geometric standard deviation, so that 95 % of draws fall within x/÷ gsd²
#: (x/÷1.2 for high, x/÷2.25 for medium, x/÷4 for low confidence). This is the project's convention, in the
#: spirit of the pedigree approach of ecoinvent, not a published figure: "low" is meant for values on which
#: open sources disagree by an order of magnitude (electricity ADPe, IR and PM; storage per GB-year).
DEFAULT_GSD_BY_CONFIDENCE: dict[str, float] = {"high": 1.1, "medium": 1.5, "low": 2.0}


def default_distribution(confidence: str) -> Distribution:
    """The documented default distribution for a value of this confidence (high, medium or low)."""
    return Distribution("lognormal", (("gsd", DEFAULT_GSD_BY_CONFIDENCE[confidence]),))


#: Variances of ln(value) added by each data-quality indicator, scores 1 (best) to 5 (worst): ecoinvent's data
#: quality guideline for version 3 (Weidema et al. 2013, "Overview and methodology. Data quality guideline for
#: the ecoinvent database version 3", after Weidema & Wesnæs 1996), as transcribed in C. Mutel's MIT-licensed
#: pedigree-matrix module (2012) used by Brightway.
PEDIGREE_VARIANCES: dict[str, tuple[float, ...]] = {
    "reliability": (0.0, 0.0006, 0.002, 0.008, 0.04),
    "completeness": (0.0, 0.0001, 0.0006, 0.002, 0.008),
    "temporal": (0.0, 0.0002, 0.002, 0.008, 0.04),
    "geographical": (0.0, 0.000025, 0.0001, 0.0006, 0.002),
    "technological": (0.0, 0.0006, 0.008, 0.04, 0.12),
}


def pedigree_distribution(text: str, confidence: str) -> Distribution:
    """A lognormal from a pedigree assessment ``"pedigree reliability=2 completeness=3 temporal=2
    geographical=1 technological=4"`` (every indicator, scores 1 to 5).

    As in ecoinvent 3, the indicators' variances add to a basic variance; for lack of a basic uncertainty
    per exchange type, the basic one is the documented default of the row's ``confidence``, so a pedigree
    can only widen that default: gsd = exp(sqrt(ln(default gsd)² + Σ variances)). Raises ValueError.
    """
    kind, *assignments = text.split()
    if kind != "pedigree":
        raise ValueError(f"not a pedigree assessment: {text!r}")
    scores: dict[str, int] = {}
    for assignment in assignments:
        name, _, number = assignment.partition("=")
        if name not in PEDIGREE_VARIANCES or number not in ("1", "2", "3", "4", "5"):
            raise ValueError(f"pedigree takes {', '.join(n + '=1..5' for n in PEDIGREE_VARIANCES)}; got {assignment!r}")
        scores[name] = int(number)
    missing = [n for n in PEDIGREE_VARIANCES if n not in scores]
    if missing:
        raise ValueError(f"pedigree needs {', '.join(missing)}")
    variance = math.log(DEFAULT_GSD_BY_CONFIDENCE[confidence]) ** 2 + sum(
        PEDIGREE_VARIANCES[n][s - 1] for n, s in scores.items())
    return Distribution("lognormal", (("gsd", math.exp(math.sqrt(variance))),))


def parse_distribution(text: Any, value: float | None = None) -> Distribution:
    """Parse a distribution written as text; check it is consistent with the central ``value`` if given.

    Raises ValueError with a message saying what is accepted.
    """
    if isinstance(text, str) and (value is None or type(value) in (int, float)):
        return _parse_cached(text, value)  # every service of a kind parses the same defaults: once is enough
    return _parse(text, value)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str, value: float | None) -> Distribution:
    return _parse(text, value)


def _parse(text: Any, value: float | None) -> Distribution:
    if text is None:
        return NO_UNCERTAINTY
    if not isinstance(text, str):
        raise ValueError(f"a distribution is written as text, for example 'lognormal gsd=1.5' or "
                         f"'uniform low=2 high=5'; got {text!r}")
    if not text.strip():
        return NO_UNCERTAINTY
    kind, *assignments = text.split()
    if kind not in _PARAMETERS:
        raise ValueError(f"unknown distribution {kind!r}; accepted: {', '.join(DISTRIBUTION_KINDS)}")
    params: dict[str, float] = {}
    for assignment in assignments:
        name, sep, number = assignment.partition("=")
        if not sep or name not in _PARAMETERS[kind]:
            raise ValueError(f"{kind} takes {', '.join(p + '=...' for p in _PARAMETERS[kind]) or 'no parameter'}; "
                             f"got {assignment!r}")
        try:
            params[name] = float(number)
        except ValueError:
            raise ValueError(f"{name}={number!r} is not a number") from None
    missing = [p for p in _PARAMETERS[kind] if p not in params]
    if missing:
        raise ValueError(f"{kind} needs {', '.join(missing)}")
    if not all(math.isfinite(v) for v in params.values()):
        raise ValueError("distribution parameters must be finite numbers")
    if value is not None and not math.isfinite(value):
        raise ValueError(f"the central value {value!r} is not a finite number")
    if kind == "lognormal" and not params["gsd"] >= 1:
        raise ValueError(f"lognormal gsd must be >= 1 (1 means no spread); got {params['gsd']:g}")
    if kind == "normal" and params["sd"] < 0:
        raise ValueError("normal sd must be >= 0")
    if kind in ("triangular", "uniform"):
        low, high = params["low"], params["high"]
        if low > high:
            raise ValueError(f"low ({low:g}) is above high ({high:g})")
        if value is not None and not low <= value <= high:
            raise ValueError(f"the value {value:g} lies outside [{low:g}, {high:g}]")
    distribution = Distribution(kind, tuple((p, params[p]) for p in _PARAMETERS[kind]))
    centre = value if value is not None else params.get("low", 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        if kind == "lognormal":  # the usual default: checked without importing scipy (a tenth of a second)
            extremes = _lognormal(centre, params["gsd"], np.array(_EXTREME_NORMAL_QUANTILES))
        else:
            extremes = draw(distribution, centre, np.array([_U_MIN, 0.5, 1 - _U_MIN]))
    if not np.isfinite(extremes).all():
        raise ValueError(f"{distribution} around {centre:g} gives draws that are not finite numbers "
                         f"(the spread is too large to compute with)")
    return distribution


# -- sampling -------------------------------------------------------------------------------------------------
# Every uncertain item (a factor, a service parameter) gets its own stream of uniform numbers, seeded by the
# run's seed and a stable hash of the item's name. The same item therefore gets the same draws in every
# scenario evaluated with the same seed (common random numbers), whatever else the scenario contains.


_U_MIN = 1e-12  # uniforms are kept in [_U_MIN, 1 - _U_MIN] so that inverse CDFs stay finite
#: ``scipy.special.ndtri`` at ``[_U_MIN, 0.5, 1 - _U_MIN]`` (tests/test_startup.py checks these are its values)
_EXTREME_NORMAL_QUANTILES = (-7.034483825301131, 0.0, 7.0344869100478356)
SAMPLERS: tuple[str, ...] = ("random", "lhs", "sobol")


def _stream(seed: int, key: str, batch: int) -> np.random.Generator:
    crc = zlib.crc32(key.encode("utf-8"))
    return np.random.default_rng([seed, crc] if batch == 0 else [seed, crc, batch])


def uniforms(seed: int, key: str, n: int) -> np.ndarray:
    """``n`` uniform numbers in (0, 1) for the item ``key`` under ``seed`` (reproducible, scenario-independent)."""
    return np.clip(_stream(seed, key, 0).random(n), _U_MIN, 1 - _U_MIN)


class Uniforms:
    """The uniform numbers of a run: ``batches`` × ``batch_size`` samples for each uncertain item, by its key.

    Batches are independent randomisations (new streams, a new Latin hypercube, a new scramble of the Sobol'
    points), so that the spread of an estimate across batches measures its precision. ``keys`` (every item of
    the run) is needed by ``sobol`` only, whose points are joint over all items.
    """

    def __init__(self, seed: int, batch_size: int, batches: int = 1, sampler: str = "random",
                 keys: Sequence[str] = (), first: int = 0) -> None:
        if sampler not in SAMPLERS:
            raise ArgumentError("sampler", f"unknown sampler {sampler!r}; accepted: {', '.join(SAMPLERS)}")
        if sampler == "sobol" and batch_size & (batch_size - 1):
            raise ArgumentError("samples", f"Sobol' points come in powers of two; got {batch_size} "
                                           f"(use {1 << batch_size.bit_length()})")
        self.seed, self.batch_size, self.batches, self.sampler = seed, batch_size, batches, sampler
        self.first = first  # the index of the first batch (later batches are other randomisations)
        self._column = {k: i for i, k in enumerate(sorted(set(keys)))}
        self._sobol: dict[int, np.ndarray] = {}

    @property
    def n(self) -> int:
        """Samples per item."""
        return self.batch_size * self.batches

    def __call__(self, key: str) -> np.ndarray:
        """The ``n`` uniform numbers of the item ``key``, batch after batch."""
        batches = range(self.first, self.first + self.batches)
        return np.clip(np.concatenate([self._batch(key, b) for b in batches]), _U_MIN, 1 - _U_MIN)

    def _batch(self, key: str, batch: int) -> np.ndarray:
        if self.sampler == "random":
            return _stream(self.seed, key, batch).random(self.batch_size)
        if self.sampler == "lhs":
            # One column of a Latin hypercube: one draw in each of the n equal-probability strata, in random
            # order. This is what scipy.stats.qmc.LatinHypercube does per dimension; drawn here from the item's
            # own stream so that every item keeps its numbers whatever else the run draws (common random
            # numbers), without qmc's per-call set-up cost on hundreds of items.
            rng = _stream(self.seed, key, batch)
            return (rng.permutation(self.batch_size) + rng.random(self.batch_size)) / self.batch_size
        from scipy.stats import qmc  # slow to import: only for the sampler that needs it

        if key not in self._column:
            raise KeyError(f"Sobol' sampling: item {key!r} was not declared to the run")
        if batch not in self._sobol:
            engine = qmc.Sobol(d=max(len(self._column), 1), scramble=True,
                               rng=np.random.default_rng([self.seed, batch, 0x5B01]))
            self._sobol[batch] = engine.random(self.batch_size)
        return self._sobol[batch][:, self._column[key]]


def conditional_quantiles(totals: np.ndarray, parts: np.ndarray, scores: np.ndarray, sigma: float,
                          probabilities: Sequence[float]) -> np.ndarray:
    """Quantiles of a total ``T = A + D × Y`` by conditional Monte Carlo, from its samples ``totals`` (T),
    ``parts`` (D × Y, the part that moves with Y), and ``scores``: Y's standard normal scores, for a lognormal Y
    with ``ln Y = ln(median) + sigma × score``, independent of A and D (D >= 0).

    The distribution function is estimated by F(q) = mean over samples of P(D × Y <= q - A | A, D) =
    Φ(score + ln((q - A) / (D × Y)) / sigma) (0 when q <= A; a sample with D × Y = 0 counts 1 when T <= q), and
    each quantile is its root. Units are those of ``totals``. Raises ValueError on a negative part.
    """
    from scipy.special import ndtr

    totals, parts, scores = (np.asarray(a, dtype=float) for a in (totals, parts, scores))
    if (parts < 0).any():
        raise ValueError("conditional quantiles need parts >= 0 (a lognormal input times a non-negative amount)")
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0; got {sigma!r}")
    rest = totals - parts  # A
    moving = parts > 0
    rest_m, part_m, score_m, fixed = rest[moving, None], parts[moving, None], scores[moving, None], totals[~moving]
    n = len(totals)

    def cdf(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """F at each of the points ``q`` and its derivative (the density)."""
        gap = q[None, :] - rest_m  # [sample, point]
        above = gap > 0  # samples whose rest A is below q: the others count 0
        gap = np.maximum(gap, np.finfo(float).tiny)
        z = score_m + np.log(gap / part_m) / sigma
        below = np.count_nonzero(fixed[:, None] <= q[None, :], axis=0)
        value = ((ndtr(z) * above).sum(axis=0) + below) / n
        return value, (np.exp(-z * z / 2) * above / gap).sum(axis=0) / (n * math.sqrt(2 * math.pi) * sigma)

    # Safeguarded Newton from the sample quantiles, all probabilities at once: F is smooth and increasing, so
    # a handful of steps reach the root; a step leaving the bracket [low, high] halves it instead.
    p = np.asarray(probabilities, dtype=float)
    low = np.full(p.shape, float(rest.min()))
    high = np.full(p.shape, float(totals.max()))
    width = max(float(high[0] - low[0]), abs(float(high[0])), 1e-300)
    while True:  # the lognormal tail can reach beyond the largest sample
        short = cdf(high)[0] < p
        if not short.any():
            break
        high = np.where(short, high + width, high)
        width *= 2
    bottom = low.copy()
    at_bottom = cdf(bottom)[0] >= p  # an atom at the bottom (samples whose total cannot move)
    q = np.clip(np.quantile(totals, p), low, high)
    for _ in range(200):
        value, slope = cdf(q)
        low, high = np.where(value < p, q, low), np.where(value < p, high, q)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = q - (value - p) / slope
        inside = np.isfinite(step) & (step >= low) & (step <= high)
        following = np.where(inside, step, (low + high) / 2)
        done = np.abs(following - q) <= 1e-12 * np.abs(q)
        q = following
        if done.all():
            break
    return np.where(at_bottom, bottom, q)


def draw(distribution: Distribution, value: float, u: np.ndarray) -> np.ndarray:
    """Values of a distribution centred on ``value`` at uniform quantiles ``u`` (inverse transform sampling).

    lognormal: ``value`` is the median, so the mean, ``value × exp(ln(gsd)² / 2)``, lies above it — a Monte
    Carlo mean above the deterministic result is expected, not a bug. triangular: ``value`` is the mode.
    normal: truncated at zero (impacts and quantities are not negative).
    """
    kind = distribution.kind
    if kind == "none":
        return np.full(u.shape, float(value))
    if kind == "lognormal":
        from scipy.special import ndtri

        return _lognormal(value, distribution.param("gsd"), ndtri(u))
    if kind == "uniform":
        low, high = distribution.param("low"), distribution.param("high")
        return low + u * (high - low)
    if kind == "triangular":
        low, high = distribution.param("low"), distribution.param("high")
        if high == low:
            return np.full(u.shape, float(value))
        cut = (value - low) / (high - low)
        left = low + np.sqrt(u * (high - low)) * np.sqrt(value - low)  # two roots: no overflow of the product
        right = high - np.sqrt((1 - u) * (high - low)) * np.sqrt(high - value)
        return np.where(u < cut, left, right)
    from scipy.special import ndtr, ndtri

    sd = distribution.param("sd")  # normal, truncated at zero
    if sd == 0:
        return np.full(u.shape, float(value))
    floor = ndtr(-value / sd)
    return np.maximum(value + sd * ndtri(floor + u * (1 - floor)), 0.0)


def _lognormal(median: float, gsd: float, z: np.ndarray) -> np.ndarray:
    """Values of a lognormal at standard normal quantiles ``z``."""
    return median * np.exp(np.log(gsd) * z)


def bounds(distribution: Distribution, value: float, coverage: float = 0.95) -> tuple[float, float]:
    """The central ``coverage`` interval of a distribution (for one-at-a-time sensitivity)."""
    tail = (1 - coverage) / 2
    low, high = draw(distribution, value, np.array([tail, 1 - tail]))
    return float(low), float(high)
