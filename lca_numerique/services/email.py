"""E-mail and newsletters: writing, sending to recipients, reading, and storage with backups.

The structure is ADEME Impact CO2's e-mail model: devices for writing and reading time; network for the
sender, each recipient and the backup copies; mail servers sized by users per server and e-mails a day;
storage of every copy for years, with its electricity.

Served by the organisation's own infrastructure (``hosting``: a :class:`~.hosting.Hosting` with its servers,
virtual machines and storage), the processing and storage stages are instead the message's allocated share
of that hosting (``allocation``: share, time, data or users), its storage lines in the storage stage and
the rest in processing; the hosting's storage then holds every copy, so no backup transfer is added.
"""

from __future__ import annotations

from .base import BillBuilder, Service
from .common import DATACENTRE_ZONE, IMPACT_CO2, NETWORK_MIX, NETWORK_ZONE, ZONE, add_devices, add_network, device_mix
from .hosting import HOSTED, Hosting, add_hosting_share, refuse_allocation_without_hosting
from .parameters import Spec

__all__ = ["Email", "Newsletter"]

_EMAIL_MIX_SOURCE = (f"{IMPACT_CO2}: 'email . appareil . moyenne utilisation' (computer and monitor 24 %, laptop 24 %, "
                     "tablet 8 %, smartphone 45 %: they sum to 101 %, rescaled here to 100 %)")
_EMAIL_MIX = {"desktop": 24 / 101, "laptop": 24 / 101, "tablet": 8 / 101, "smartphone": 45 / 101}
_COMMON = (
    Spec("writing_time", "Time spent writing (or assembling) each message.", unit="minute", default=3.0,
         source=f"{IMPACT_CO2}: 'email . terminaux . temps écriture' 3 min"),
    device_mix(_EMAIL_MIX, _EMAIL_MIX_SOURCE, "writing and reading"),
    NETWORK_MIX,
    ZONE,
    NETWORK_ZONE,
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
         unit="1 / day", default=117.7, positive=True,
         source=f"{IMPACT_CO2}: 'nombre de mails envoyés et reçus par jour et par personne' 117.7"),
    Spec("server_power_per_user", "Mail-server power per user.", unit="W", default=0.22,
         source=f"{IMPACT_CO2}: 'serveur . puissance par utilisateur' 0.22 W"),
    Spec("server_power", "Power of one mail server.", unit="W / server", default=367.0, positive=True,
         source=f"{IMPACT_CO2}: 'serveur . puissance' 367 W"),
    Spec("pue", "Power usage effectiveness of mail data centres.", unit="dimensionless", default=1.16, minimum=1.0,
         source=f"{IMPACT_CO2}: 'serveur . PUE mails' 1.16 (Google)"),
    Hosting.specs()["storage_power"],
    DATACENTRE_ZONE,
    *HOSTED,
)


class Email(Service):
    """E-mails sent to recipients. Audience: recipients, the people the messages are sent to (each message goes
    to the same recipients; ``messages`` says how often)."""

    kind = "email"
    audience_unit = "recipient"
    vectorised = True
    count_parameter = "messages"
    parameters = (
        Spec("size", "Size of one message, images and attachments included.", unit="MB", default=1.0,
             source=f"{IMPACT_CO2}: 'email . taille' 1 Mo (the model counts 1024 Mo per Go: to reproduce its "
                    "figures exactly, give the size in GB as Mo / 1024)"),
        Spec("recipients", "Recipients of each message (the same people receive every message).", unit="recipient",
             default=1.0,
             source=f"{IMPACT_CO2}: 'email . destinataires' 1"),
        Spec("messages", "Messages sent over the period, each to every recipient.", unit="dimensionless",
             default=1.0,
             source="convention: one message"),
        Spec("read_share", "Share of recipients who open the message.", kind="share", default=1.0,
             source=f"{IMPACT_CO2}: 'email . pourcentage lecture' 100 %"),
        Spec("reading_time", "Reading time of a recipient who opens it.", unit="second", default=10.0,
             source=f"{IMPACT_CO2}: 'temps lecture récepteur' 10 s"),
        *_COMMON,
    )

    def check(self) -> None:
        refuse_allocation_without_hosting(self)

    def audience_amount(self) -> float:
        return self.recipients

    def build(self, bill: BillBuilder) -> None:
        c = self.count_parameter  # messages, or a newsletter's issues
        bill.let("message_gb", "size / 1000", "GB")
        add_devices(bill, f"{c} * writing_time / 60", self.zone, "sender_device")
        add_network(bill, f"{c} * message_gb", self.network_zone, "network_send")
        if self.hosting is not None:
            add_hosting_share(bill, self.hosting, "processing", storage_stage="storage")
        else:
            self._provider_servers(bill)
        add_network(bill, f"{c} * message_gb * recipients", self.network_zone, "network_receive")
        add_devices(bill, f"{c} * recipients * read_share * reading_time / 3600", self.zone, "receiver_device")

    def _provider_servers(self, bill: BillBuilder) -> None:
        """Mail servers and storage of a mail provider, sized per user (Impact CO2's model)."""
        c = self.count_parameter
        # One mail server per (server_power / server_power_per_user) users, each sending emails_per_day; each
        # message is handled on the sender's side and on the recipient's side.
        bill.let("server_hours_per_message", "24 * server_power_per_user / (server_power * emails_per_day)",
                 "server_hour")
        z = self.datacentre_zone
        bill.add(f"dc.server@{z}", f"2 * {c} * server_hours_per_message", "processing")
        bill.add(f"electricity.data_centres@{z}",
                 f"{c} * (1 + recipients) * 24 * server_power_per_user / emails_per_day * pue / 1000", "processing")
        bill.add(f"dc.storage@{z}",
                 f"{c} * message_gb * (sender_copies + recipient_copies * recipients) * storage_duration", "storage")
        bill.add(f"electricity.data_centres@{z}", f"{c} * (1 + recipients) * message_gb * sender_copies "
                 "* storage_power / 1000 * 8760 * storage_duration * pue / 1000", "storage")
        bill.add(f"network.fixed_without_box@{self.backup_zone}",
                 f"{c} * message_gb * recipients * (1 + sender_copies + recipient_copies)", "storage")


class Newsletter(Email):
    """A newsletter: issues sent to a list. Audience: its recipients (the subscribers each issue is sent to);
    ``issues`` is how often they receive it. Results per recipient are per subscriber over the period, all
    issues included: a monthly newsletter to 40,000 people has an audience of 40,000 recipients, and its
    total is 12 issues' worth."""

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
