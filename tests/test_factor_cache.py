"""The compiled-factor cache gives the same sets as parsing the CSV files, and never trusts a bad file.

Oracle: the same loads with the cache turned off (``LCA_NUMERIQUE_NO_CACHE=1``), in a fresh process, compared
through ``repr`` of every field, every factor's ``explain()`` and the coverage arrays' bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lca_numerique.factors import cache
from lca_numerique.factors.loader import available_profiles, load_folder, resolve_set, set_folders

PROBE = r"""
import hashlib, json, sys
import lca_numerique as lca

def digest(fs):
    h = hashlib.sha256()
    for name in ("values", "covered", "has", "lacks", "complete"):
        a = getattr(fs, name)
        h.update(f"{name} {a.dtype} {a.shape}".encode() + a.tobytes())
    for key in sorted(fs.factors):
        f = fs.factors[key]
        h.update((f.explain() + "\n" + repr(f) + "\n").encode())
    for name in ("id", "version", "title", "licence", "flows", "criteria", "path", "description", "components"):
        h.update(repr(getattr(fs, name)).encode())
    for name in ("sources", "parameters", "selection", "gaps", "included", "overrides"):
        h.update(repr(sorted(getattr(fs, name).items(), key=repr)).encode())
    return [fs.content_hash, h.hexdigest(), len(fs.factors)]

out = {}
for name in json.loads(sys.argv[1]):
    out[name] = digest(lca.load_factors(name))
out["override"] = digest(lca.load_factors(parameters={"smartphone.lifetime": "3.5 year"}))
out["open data"] = digest(lca.load_factors(licences=["MIT", "ODbL-1.0"]))
out["pint imported"] = "pint" in sys.modules
json.dump(out, sys.stdout)
"""


def _probe(env: dict[str, str]) -> dict[str, object]:
    names = [*available_profiles(), "impactco2", "base_empreinte"]
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(names)], capture_output=True, text=True,
                          env={**os.environ, **env}, check=True, timeout=300)
    return json.loads(done.stdout)


def test_cached_sets_equal_parsed_ones_and_skip_pint(tmp_path: Path) -> None:
    folder = str(tmp_path / "cache")
    parsed = _probe({cache.NO_CACHE_ENV: "1"})
    cold = _probe({cache.CACHE_DIR_ENV: folder, cache.NO_CACHE_ENV: ""})
    warm = _probe({cache.CACHE_DIR_ENV: folder, cache.NO_CACHE_ENV: ""})
    assert list(Path(folder).glob("*.npz")), "nothing was compiled"
    assert parsed.pop("pint imported") and cold.pop("pint imported")
    assert warm.pop("pint imported") is False, "a warm start should not import pint"
    assert parsed["default"][2] > 1000  # the probe compares real sets
    assert cold == parsed
    assert warm == parsed


def test_a_set_depends_on_the_sets_it_uses() -> None:
    # base_empreinte's metadata says "uses: [impactco2]": a change in impactco2's files must recompile it
    folders = set_folders(resolve_set("base_empreinte"))
    assert [f.name for f in folders] == ["base_empreinte", "impactco2"]
    assert set_folders(Path(__file__).parent) == []  # no metadata.yaml: not a set, nothing compiled


def _tiny(write_set) -> Path:
    return write_set([{"flow": "network.fixed@FR", "criterion": "climate_change", "phase": "use", "value": "10",
                       "unit": "g CO2e/GB"}])


class Counter:
    """A build function that counts its calls and loads the folder without the cache."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder, self.monkeypatch, self.calls = folder, monkeypatch, 0

    def __call__(self):
        self.calls += 1
        with self.monkeypatch.context() as m:
            m.setenv(cache.NO_CACHE_ENV, "1")
            return load_folder(self.folder, ())

    def load(self):
        return cache.compiled(lambda: set_folders(self.folder), (), self)


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_set) -> Counter:
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    return Counter(_tiny(write_set), monkeypatch)


def test_second_load_reads_the_file(cached: Counter) -> None:
    first = cached.load()
    second = cached.load()
    assert cached.calls == 1
    assert cache.same(first, second)
    # 10 g/GB is 0.01 kg/GB: the canonical unit is kg CO2 eq per GB (hand conversion)
    assert second.factor("network.fixed@FR", "climate_change", "use").value == pytest.approx(0.01)


def test_a_changed_byte_recompiles(cached: Counter) -> None:
    cached.load()
    files = list((cached.folder.parent / "cache").glob("*.npz"))
    csv_file = cached.folder / "factors.csv"
    csv_file.write_text(csv_file.read_text(encoding="utf-8").replace(",10,", ",30,"), encoding="utf-8")
    changed = cached.load()
    assert cached.calls == 2
    assert changed.factor("network.fixed@FR", "climate_change", "use").value == pytest.approx(0.03)
    after = list((cached.folder.parent / "cache").glob("*.npz"))
    assert len(files) == len(after) == 1 and files != after  # the old key's file is removed


def test_an_added_file_recompiles(cached: Counter) -> None:
    cached.load()
    (cached.folder / "factors_more.csv").write_text(
        (cached.folder / "factors.csv").read_text(encoding="utf-8").replace("fixed", "mobile"),
        encoding="utf-8")
    assert cached.load().factor("network.mobile@FR", "climate_change", "use") is not None
    assert cached.calls == 2


@pytest.mark.parametrize("damage", [b"", b"not a zip file", b"PK\x03\x04" + b"\x00" * 64, "truncate", "flip"])
def test_a_corrupt_file_is_rebuilt(cached: Counter, damage: object) -> None:
    good = cached.load()
    (file,) = (cached.folder.parent / "cache").glob("*.npz")
    data = file.read_bytes()
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":  # one byte of the stored numbers or JSON changed: the zip checksum refuses it
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
    else:
        data = damage
    file.write_bytes(data)
    again = cached.load()
    assert cached.calls == 2
    assert cache.same(good, again)
    assert cached.load() is not None and cached.calls == 2  # and the rebuilt file is good again


def test_a_file_with_pickled_objects_is_not_loaded(cached: Counter) -> None:
    import numpy as np

    cached.load()
    (file,) = (cached.folder.parent / "cache").glob("*.npz")
    np.savez(file, doc=np.array([object()], dtype=object), values=np.zeros(1), covered=np.zeros(1, bool),
             factor_values=np.zeros(1))
    cached.load()
    assert cached.calls == 2


def test_no_cache_and_unwritable_folder(cached: Counter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    cached.load()
    cached.load()
    assert cached.calls == 2 and not (tmp_path / "cache").exists()
    monkeypatch.delenv(cache.NO_CACHE_ENV)
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(blocker / "cache"))
    assert cached.load().factor("network.fixed@FR", "climate_change", "use") is not None
    assert cached.calls == 3


def _profile_file(folder: Path) -> Path:
    (file,) = [f for f in folder.glob("*.npz") if json.loads(_doc(f)).get("registered") is not None]
    return file


def _doc(file: Path) -> bytes:
    import numpy as np

    with np.load(file, allow_pickle=False) as archive:
        return archive["doc"].tobytes()


@pytest.mark.parametrize("damage", ["flip", "no hash", "bad hash"])
def test_a_bundled_profile_is_compiled_whole_and_a_bad_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      damage: str) -> None:
    import shutil

    import numpy as np

    import lca_numerique as lca
    from lca_numerique.factors import profiles
    from lca_numerique.factors.model import FactorSet

    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    parsed = lca.load_factors(licences=["MIT", "ODbL-1.0"])
    monkeypatch.delenv(cache.NO_CACHE_ENV)
    composed: list[str] = []
    real_compose = profiles.compose
    monkeypatch.setattr(profiles, "compose", lambda *a, **k: composed.append("x") or real_compose(*a, **k))
    first, second = tmp_path / "first", tmp_path / "second"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(first))
    built = lca.load_factors(licences=["MIT", "ODbL-1.0"])
    assert composed == ["x"] and cache.same(built, parsed)
    # another folder (so that this process's memory does not answer) holding the same files: read, not composed
    shutil.copytree(first, second)
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(second))
    warm = lca.load_factors(licences=["MIT", "ODbL-1.0"])
    assert composed == ["x"] and cache.same(warm, parsed)
    assert warm.content_hash == FactorSet.content_hash.func(warm) == parsed.content_hash  # the recorded hash
    file = _profile_file(first)
    if damage == "flip":
        data = file.read_bytes()
        middle = len(data) // 2
        file.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    else:
        with np.load(file, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in ("values", "covered", "factor_values")}
        doc = json.loads(_doc(file))
        if damage == "no hash":
            del doc["content_hash"]
        else:
            doc["content_hash"] = "not a hash"
        np.savez(file, doc=np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8), **arrays)
    third = tmp_path / "third"
    shutil.copytree(first, third)
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(third))
    again = lca.load_factors(licences=["MIT", "ODbL-1.0"])
    assert composed == ["x", "x"] and cache.same(again, parsed)
    assert lca.load_factors(licences=["MIT", "ODbL-1.0"]) is again  # then answered from memory
