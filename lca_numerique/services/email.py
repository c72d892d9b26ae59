"""E-mail and newsletters: writing, sending to recipients, reading, and storage with backups.

The structure is ADEME Impact CO2's e-mail model: devices for writing and reading time; network for the
sender, each recipient and the backup copies; mail servers sized by users per server and e-mails a day;
storage of every copy for years, with its electricity.
"""

from __future__ import annotations

from .base import BillBuilder, Service
from .common import DATACENTRE_ZONE, IMPACT_CO2, NETWORK_MIX, ZONE, add_devices, add_network, device_mix
from .hosting import Hosting
from .parameters import Spec

_EMAIL_MIX_SOURCE = (f"{IMPACT_CO2}: 'email . appareil . moyenne utilisation' (computer and monitor 24 %, laptop 24 %, "
                     "tablet 8 %, smartphone 45 %: they sum to 101 %, rescaled here to 100 %)")
_EMAIL_MIX = {"desktop": 24 / 101, "laptop": 24 / 101, "tablet": 8 / 101, "smartphone": 45 / 101}
_COMMON = (
    Spec("writing_time", "Time spent writing (or assembling) each message.", unit="minute", default=3.0,
         source=f"{IMPACT_CO2}: 'email . terminaux . temps écriture' 3 min"),
    device_mix(_EMAIL_MIX, _EMAIL_MIX_SOURCE, "writing and reading"),
    NETWORK_MIX,
    ZONE,
    Spec("backup_zone", "Zone of the fixed network (without box) carrying backup copies between servers.",
         kind="choice", choices=("FR", "EU"), default="FR",
         source=f"{IMPACT_CO2}: backups over 'fixe FR hors box'"),
    Spec("storage_duration", "How long each copy is kept.", unit="year", default=10.0,
         source=f"{IMPACT_CO2}: 'email . durée stockage mail' 10 years"),
    Spec("sender_copies", "Copies kept by the sender's provider.", unit="dimensionless", default=3.0,
         source=f"{IMPACT_CO2}: 'redondances sauvegarde émetteur' 3"),
    Spec("recipient_copies", "Copies kept by each recipient's provider.", unit="dimensionless", default=3.0,
         source=f"{IMPACT_CO2}: 'redondances sauvegarde récepteur' 3"),
    Spec("emails_per_day", "E-mails sent and received per person and day (sizes the mail servers).",
         unit="1 / day", default=117.7,
         source=f"{IMPACT_CO2}: 'nombre de mails envoyés et reçus par jour et par personne' 117.7"),
    Spec("server_power_per_user", "Mail-server power per user.", unit="W", default=0.22,
         source=f"{IMPACT_CO2}: 'serveur . puissance par utilisateur' 0.22 W"),
    Spec("server_power", "Power of one mail server.", unit="W / server", default=367.0,
         source=f"{IMPACT_CO2}: 'serveur . puissance' 367 W"),
    Spec("pue", "Power usage effectiveness of mail data centres.", unit="dimensionless", default=1.16, minimum=1.0,
         source=f"{IMPACT_CO2}: 'serveur . PUE mails' 1.16 (Google)"),
    Hosting.specs()["storage_power"],
    DATACENTRE_ZONE,
)


class Email(Service):
    """E-mails sent to recipients. Audience: recipients (× messages)."""

    kind = "email"
    audience_unit = "recipient"
    count_parameter = "messages"
    parameters = (
        Spec("size", "Size of one message, images and attachments included.", unit="MB", default=1.0,
             source=f"{IMPACT_CO2}: 'email . taille' 1 Mo (the model counts 1024 Mo per Go: to reproduce its "
                    "figures exactly, give the size in GB as Mo / 1024)"),
        Spec("recipients", "Recipients of each message.", unit="recipient", default=1.0,
             source=f"{IMPACT_CO2}: 'email . destinataires' 1"),
        Spec("messages", "Messages sent over the period.", unit="dimensionless", default=1.0,
             source="convention: one message"),
        Spec("read_share", "Share of recipients who open the message.", kind="share", default=1.0,
             source=f"{IMPACT_CO2}: 'email . pourcentage lecture' 100 %"),
        Spec("reading_time", "Reading time of a recipient who opens it.", unit="second", default=10.0,
             source=f"{IMPACT_CO2}: 'temps lecture récepteur' 10 s"),
        *_COMMON,
    )

    @property
    def count(self) -> float:
        """How many messages (or issues) are sent."""
        return getattr(self, self.count_parameter)

    def audience_amount(self) -> float:
        return self.recipients * self.count

    def build(self, bill: BillBuilder) -> None:
        n, m = self.recipients, self.count
        c = self.count_parameter
        size_gb = self.size / 1000
        device_hours = m * (self.writing_time / 60 + n * self.read_share * self.reading_time / 3600)
        add_devices(bill, device_hours, self.device_mix, self.zone,
                    f"{c} × (writing_time + recipients × read_share × reading_time)")
        add_network(bill, m * size_gb * (1 + n), self.network_mix, self.zone, f"{c} × size × (1 + recipients)")
        bill.add(f"network.fixed_without_box@{self.backup_zone}",
                 m * size_gb * n * (1 + self.sender_copies + self.recipient_copies),
                 f"{c} × size × recipients × (1 + sender_copies + recipient_copies)")
        z = self.datacentre_zone
        # One mail server per (server_power / server_power_per_user) users, each sending emails_per_day.
        server_hours_per_message = 24 * self.server_power_per_user / (self.server_power * self.emails_per_day)
        bill.add(f"dc.server@{z}", 2 * m * server_hours_per_message,
                 f"2 sides × {c} × 24 h × server_power_per_user / (server_power × emails_per_day)")
        stored = size_gb * (self.sender_copies + self.recipient_copies * n)
        bill.add(f"dc.storage@{z}", m * stored * self.storage_duration,
                 f"{c} × size × (sender_copies + recipient_copies × recipients) × storage_duration")
        sender_wh = (24 * self.server_power_per_user / self.emails_per_day
                     + size_gb * self.sender_copies * self.storage_power / 1000 * 8760 * self.storage_duration)
        bill.add(f"electricity.data_centres@{z}", m * (1 + n) * sender_wh * self.pue / 1000,
                 f"{c} × (1 + recipients) × (24 h × server_power_per_user / emails_per_day + size × sender_copies "
                 "× storage_power × storage_duration) × pue")


class Newsletter(Email):
    """A newsletter: issues sent to a list. Audience: recipients × issues."""

    kind = "newsletter"
    count_parameter = "issues"
    parameters = (
        Spec("recipients", "Subscribers each issue is sent to.", unit="recipient"),
        Spec("issues", "Issues sent over the period.", unit="dimensionless", default=12.0,
             source="convention: monthly"),
        Spec("size", "Size of one issue as sent (HTML, images embedded or loaded, attachments).", unit="MB",
             default=0.075, source=f"{IMPACT_CO2}: simulator default e-mail size 0.075 Mo"),
        Spec("read_share", "Open rate.", kind="share", default=0.2652,
             source="Mailchimp e-mail marketing benchmarks (2018): government open rate 26.52 %"),
        Spec("reading_time", "Reading time of an opened issue.", unit="second", default=10.0,
             source="Litmus State of Email Engagement 2021: average 10 s"),
        *_COMMON,
    )
