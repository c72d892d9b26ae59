"""Pedigree assessments of factor rows: ecoinvent's pedigree variances widen the confidence default."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique.errors import FactorDataError
from lca_numerique.uncertainty import DEFAULT_GSD_BY_CONFIDENCE, pedigree_distribution

INDICATORS = ("reliability", "completeness", "temporal", "geographical", "technological")


def _text(scores):
    return "pedigree " + " ".join(f"{n}={s}" for n, s in zip(INDICATORS, scores, strict=True))


def test_pedigree_gsd_by_hand():
    # medium confidence (gsd 1.5) + reliability 2 (0.0006) + completeness 2 (0.0001) + temporal 2 (0.0002)
    # + geographical 1 (0) + technological 4 (0.04), ecoinvent v3 data quality guideline variances:
    # exp(sqrt(ln(1.5)^2 + 0.0409)) = exp(sqrt(0.164402 + 0.0409)) = exp(0.453103) = 1.57319
    gsd = pedigree_distribution(_text((2, 2, 2, 1, 4)), "medium").param("gsd")
    assert gsd == pytest.approx(1.57319, rel=1e-5)
    # the worst scores: 0.04 + 0.008 + 0.04 + 0.002 + 0.12 = 0.21 added to ln(2)^2 = 0.480453
    assert pedigree_distribution(_text((5,) * 5), "low").param("gsd") == pytest.approx(math.exp(math.sqrt(0.690453)))


def test_the_bundled_network_rows_carry_their_pedigree():
    fs = lca.load_factors()
    assert fs.factor("network.fixed@FR", "CTUe", "use").distribution.param("gsd") == pytest.approx(1.57319, rel=1e-5)


@settings(max_examples=40, deadline=None)
@given(st.tuples(*[st.integers(1, 5)] * 5), st.sampled_from(tuple(DEFAULT_GSD_BY_CONFIDENCE)),
       st.integers(0, 4), st.integers(1, 4))
def test_pedigree_only_widens_and_grows_with_worse_scores(scores, confidence, which, step):
    gsd = pedigree_distribution(_text(scores), confidence).param("gsd")
    assert gsd >= DEFAULT_GSD_BY_CONFIDENCE[confidence]
    worse = list(scores)
    worse[which] = min(5, worse[which] + step)
    assert pedigree_distribution(_text(worse), confidence).param("gsd") >= gsd


@pytest.mark.parametrize("text", ["pedigree reliability=2", "pedigree reliability=6 completeness=1 temporal=1 "
                                  "geographical=1 technological=1", "pedigree quality=1"])
def test_a_bad_pedigree_is_refused_with_its_line(text, write_set):
    folder = write_set([{"flow": "network.fixed@FR", "criterion": "GWP", "phase": "use", "value": "12",
                         "unit": "g CO2e/GB", "uncertainty": text}])
    with pytest.raises(FactorDataError, match=r"factors\.csv:2: uncertainty: pedigree"):
        lca.load_factor_set(folder)
