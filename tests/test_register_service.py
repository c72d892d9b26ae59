"""A kind of service added by another package (``register_service`` or an entry point) is read from inventories,
described in the JSON schema and the template, explained and assessed by the command line and shown in reports.

Oracle: the sign's bill written out by hand below (screens × hours per day × days device-hours of a television
screen) times the factor set's own climate factors for that flow, read from the factor table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import lca_numerique as lca
from lca_numerique.cli import main
from lca_numerique.inventory.schema import inventory_schema
from lca_numerique.services import SERVICE_KINDS, Service, Spec, register_service, unregister_service
from lca_numerique.services.base import BillBuilder
from lca_numerique.services.registry import BUNDLED

SIGN_MODULE = '''
from lca_numerique.services import Service, Spec


class DigitalSign(Service):
    """Information screens in the street. Audience: views."""

    kind = "digital_sign"
    audience_unit = "view"
    parameters = (
        Spec("screens", "Screens showing the message.", unit="dimensionless"),
        Spec("hours_per_day", "Hours a day the screens are on.", unit="hour", default=12.0,
             source="convention for a test"),
        Spec("days", "Days the message is shown.", unit="day"),
        Spec("views", "Passers-by who see it.", unit="view"),
    )

    def audience_amount(self) -> float:
        return self.views

    def build(self, bill) -> None:
        bill.add("device.tv@FR", "screens * hours_per_day * days", "viewing_device")
'''


def _sign_class() -> type[Service]:
    namespace: dict[str, object] = {}
    exec(compile(SIGN_MODULE, "digital_sign", "exec"), namespace)
    cls = namespace["DigitalSign"]
    assert isinstance(cls, type) and issubclass(cls, Service)
    return cls


@pytest.fixture
def sign() -> object:
    cls = register_service(_sign_class())
    try:
        yield cls
    finally:
        unregister_service("digital_sign")
    assert "digital_sign" not in SERVICE_KINDS


INVENTORY = """\
inventory: 1
organisation: test
period: "2025"
services:
  - kind: website
    name: site
    visits: 1000
  - kind: digital_sign
    name: station screens
    screens: 4
    hours_per_day: 10 h
    days: 2 weeks
    views: 50000
"""


def _climate_by_hand() -> float:
    """4 screens × 10 h × 14 days = 560 device-hours of device.tv@FR, times each phase's climate factor."""
    factors = lca.load_factors()
    per_hour = sum(f.value for (flow, criterion, _), f in factors.factors.items()
                   if flow == "device.tv@FR" and criterion == "climate_change")
    assert per_hour > 0
    return 4 * 10 * 14 * per_hour


def test_a_registered_kind_is_read_from_inventories_and_assessed(sign: type[Service], tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY, encoding="utf-8")
    inventory = lca.load_inventory(path)
    service = inventory.service("station screens")
    assert isinstance(service, sign) and service.kind == "digital_sign"
    table = inventory.evaluate().total(("service",))
    row = table[(table["service"] == "station screens") & (table["criterion"] == "climate_change")]
    assert row["value"].item() == pytest.approx(_climate_by_hand(), rel=1e-12)
    assert row["coverage"].item() == "complete"


def test_a_registered_kind_is_in_the_schema_and_the_template(sign: type[Service], tmp_path: Path) -> None:
    entries = inventory_schema()["properties"]["services"]["items"]["oneOf"]
    entry = next(e for e in entries if e["properties"]["kind"] == {"const": "digital_sign"})
    assert entry["required"] == ["kind", "name", "screens", "days", "views"]
    from openpyxl import load_workbook

    from lca_numerique.inventory.template import write_template

    workbook = load_workbook(write_template(tmp_path / "template.xlsx"))
    assert "digital_sign" in workbook.sheetnames


def test_the_command_line_explains_and_assesses_a_registered_kind(sign: type[Service], tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY, encoding="utf-8")
    assert main(["explain", str(path), "station screens"]) == 0
    shown = capsys.readouterr().out
    assert "digital_sign 'station screens'" in shown
    assert "device.tv@FR" in shown and "560" in shown  # device-hours
    out = tmp_path / "report"
    assert main(["assess", str(path), "--out", str(out), "--lang", "fr"]) == 0  # every format
    written = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    assert "station screens" in json.dumps(written, ensure_ascii=False)
    assert "station screens" in next(out.glob("*.html")).read_text(encoding="utf-8")
    assert any("station screens" in f.read_text(encoding="utf-8") for f in out.glob("*.csv"))


def test_registration_refuses_what_cannot_be_a_service() -> None:
    with pytest.raises(TypeError, match="not a subclass"):
        register_service(dict)  # type: ignore[arg-type]
    cls = _sign_class()
    with pytest.raises(TypeError, match="audience_unit"):
        register_service(type("Odd", (cls,), {"audience_unit": "passer_by"}))
    with pytest.raises(TypeError, match="already"):
        register_service(type("Clash", (cls,), {"kind": "website"}))
    with pytest.raises(TypeError, match="implement build"):
        register_service(type("Lazy", (Service,), {"kind": "lazy", "audience_unit": "view",
                                                     "audience_amount": lambda self: 1.0}))
    with pytest.raises(TypeError, match="hide"):
        register_service(type("Hiding", (cls,), {"kind": "hiding", "parameters": (
            Spec("audience", "A parameter named like a method.", unit="view"),)}))
    with pytest.raises(ValueError, match="bundled"):
        unregister_service("website")
    assert "lazy" not in SERVICE_KINDS and "hiding" not in SERVICE_KINDS


def test_registering_twice_is_harmless(sign: type[Service]) -> None:
    assert register_service(sign) is sign
    for cls in BUNDLED:  # the bundled kinds pass the checks a plug-in must pass
        assert register_service(cls) is cls
    assert list(SERVICE_KINDS).count("digital_sign") == 1
    bill = BillBuilder({"screens": 1.0, "hours_per_day": 2.0, "days": 3.0})
    sign("s", screens=1, days=3, views=1).build(bill)
    assert [(line.flow, line.amount) for line in bill.lines] == [("device.tv@FR", 6.0)]


def test_an_entry_point_adds_a_kind(tmp_path: Path) -> None:
    # an installed distribution, as pip leaves it: the package and its dist-info with entry_points.txt
    (tmp_path / "signs").mkdir()
    (tmp_path / "signs" / "__init__.py").write_text(SIGN_MODULE, encoding="utf-8")
    info = tmp_path / "signs-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: signs\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[lca_numerique.services]\ndigital_sign = signs:DigitalSign\n",
                                           encoding="utf-8")
    probe = textwrap.dedent("""
        import sys
        import lca_numerique.services as services
        assert "signs" not in sys.modules  # nothing is loaded before a kind is looked up
        cls = services.SERVICE_KINDS["digital_sign"]
        print(cls.__module__, cls("s", screens=2, days=1, views=10).bill_of_materials().lines[0].amount)
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(tmp_path), "PATH": ""}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["signs", "24.0"]  # 2 screens × 12 h (the default) × 1 day
