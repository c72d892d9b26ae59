"""A single-file HTML report: key figures, a plain-language reading, embedded figures, and the method section
an LCA practitioner expects (ISO 14044 style: functional units, boundaries, allocation, data quality, limits)."""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

import numpy as np

from ..axes import PHASES, TIERS
from ..criteria import MISSION_CRITERIA, get_criterion
from .tables import incomplete, summary_table

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..inventory import Inventory
    from ..results import Results

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Environmental footprint of digital communication services",
        "illustrative": "Illustrative data: these numbers are examples, not measurements of any organisation.",
        "key": "Key figures", "reading": "Reading", "figures": "Figures", "summary": "Per service",
        "method": "Method", "provenance": "Provenance", "per_audience": "Climate change per unit of audience",
        "incomplete": "Incomplete totals", "hosting": "Hosting not attributed to any service",
        "weighs": "{service} weighs most on {criterion}: {share:.0%} of the total, mostly in the {tier} tier "
                  "({tier_share:.0%}) and the {phase} phase.",
        "none_incomplete": "Every total is complete for the criteria shown.",
        "audience_note": "A service whose impact per visit, view or reader is high may still be justified by its "
                         "purpose; a heavy service that reaches few people is the first to question.",
    },
    "fr": {
        "title": "Empreinte environnementale des services de communication numérique",
        "illustrative": "Données illustratives : ces chiffres sont des exemples, pas des mesures d'une organisation.",
        "key": "Chiffres clés", "reading": "Lecture", "figures": "Figures", "summary": "Par service",
        "method": "Méthode", "provenance": "Provenance", "per_audience": "Changement climatique par unité d'audience",
        "incomplete": "Totaux incomplets", "hosting": "Hébergement non attribué à un service",
        "weighs": "{service} pèse le plus sur « {criterion} » : {share:.0%} du total, surtout dans le tiers "
                  "{tier} ({tier_share:.0%}) et la phase {phase}.",
        "none_incomplete": "Tous les totaux sont complets pour les critères présentés.",
        "audience_note": "Un service dont l'impact par visite, vue ou lecteur est élevé peut rester justifié par "
                         "son objet ; un service lourd qui touche peu de monde est le premier à interroger.",
    },
}

METHOD_EN = """
<h3>Goal and scope</h3>
<p>Attributional life-cycle assessment of the digital communication services listed in the inventory (and of
print, for comparison) over the period stated, following the principles of ISO 14040/14044 and of ADEME's
methodological framework for digital services (three tiers, every life-cycle phase).</p>
<h3>Functional units</h3>
<p>Each service is assessed for its whole audience over the period and per unit of that audience: per visit
(websites), per view (videos), per impression (social posts), per recipient (e-mails, newsletters), per listen
(podcasts), per participant (video calls), per reader (print), per download.</p>
<h3>System boundaries</h3>
<ul>
<li><b>User terminals</b>: manufacturing, distribution and end of life of smartphones, tablets, computers,
monitors, televisions and boxes, allocated to the service by the time they are used for it; their electricity
during that time.</li>
<li><b>Networks</b>: data transferred over fixed (box included) and mobile networks, per GB.</li>
<li><b>Data centres</b>: servers (with their share of network gear and building), storage per GB-year and copy,
and the electricity they draw with the data centre's PUE; large platforms per hour watched and per GB served.</li>
<li><b>Other</b>: paper, printing and road freight for print.</li>
</ul>
<h3>Allocation</h3>
<p>Devices by usage time (embodied impact / (lifetime × hours of use per day)), or by possession time with the
<code>possession</code> profile; networks by data volume; data centres by server-hours, GB-years stored and
electricity; hostings shared between services by declared shares.</p>
<h3>Data and data quality</h3>
<p>Factors come from the factor sets listed below, each with its licence; every factor row carries its source,
year, geography and a confidence level, and the coverage table in each set's documentation lists every gap.
Service defaults come from cited sources (ADEME Impact CO2, Web Almanac, Médiamétrie, platform help pages...),
shown parameter by parameter in the "assumptions" sheet.</p>
<h3>Limitations</h3>
<ul>
<li>Open multi-criteria data for digital services is scarce: totals marked <i>partial</i> or <i>not
covered</i> lack factors for some lines (never counted as zero).</li>
<li>Sources disagree by large factors on some values (storage per GB-year, electricity ADPe, IR and PM):
see the factor documentation. Uncertainty analysis is the next step to read differences robustly.</li>
<li>Social networks' and streaming platforms' data centres are represented by figures ADEME derived from
Netflix's 2019 report: a proxy.</li>
<li>Indirect effects (rebound, substitution of travel or print) are outside the boundary.</li>
</ul>
"""

METHOD_FR = """
<h3>Objectif et champ</h3>
<p>Analyse de cycle de vie attributionnelle des services de communication numérique de l'inventaire (et de
l'imprimé, pour comparaison) sur la période indiquée, selon les principes des normes ISO 14040/14044 et du
référentiel méthodologique de l'ADEME pour les services numériques (trois tiers, toutes les phases du cycle
de vie).</p>
<h3>Unités fonctionnelles</h3>
<p>Chaque service est évalué pour toute son audience sur la période et par unité de cette audience : par
visite (sites), par vue (vidéos), par impression (publications), par destinataire (courriels, lettres), par
écoute (podcasts), par participant (visioconférences), par lecteur (imprimé), par téléchargement.</p>
<h3>Frontières du système</h3>
<ul>
<li><b>Terminaux</b> : fabrication, distribution et fin de vie des smartphones, tablettes, ordinateurs, écrans,
télévisions et box, attribuées au service selon le temps d'usage ; leur électricité pendant ce temps.</li>
<li><b>Réseaux</b> : données transférées sur les réseaux fixes (box comprise) et mobiles, par Go.</li>
<li><b>Centres de données</b> : serveurs (avec leur part d'équipements réseau et de bâtiment), stockage par
Go·an et par copie, électricité avec le PUE ; grandes plateformes par heure regardée et par Go servi.</li>
<li><b>Autre</b> : papier, impression et transport routier de l'imprimé.</li>
</ul>
<h3>Allocation</h3>
<p>Terminaux au temps d'usage (impact de fabrication / (durée de vie × heures d'usage par jour)), ou au temps
de possession avec le profil <code>possession</code> ; réseaux au volume de données ; centres de données aux
heures-serveur, aux Go·an stockés et à l'électricité ; hébergements partagés entre services selon les parts
déclarées.</p>
<h3>Données et qualité des données</h3>
<p>Les facteurs viennent des jeux de facteurs listés ci-dessous, chacun avec sa licence ; chaque ligne porte
sa source, son année, sa géographie et un niveau de confiance, et la documentation de chaque jeu liste ses
lacunes. Les valeurs par défaut des services viennent de sources citées (ADEME Impact CO2, Web Almanac,
Médiamétrie, aides des plateformes...), détaillées paramètre par paramètre dans l'onglet « assumptions ».</p>
<h3>Limites</h3>
<ul>
<li>Les données ouvertes multicritères sur le numérique sont rares : les totaux marqués <i>partial</i> ou
<i>not covered</i> manquent de facteurs pour certaines lignes (jamais comptées comme zéro).</li>
<li>Les sources divergent fortement sur certaines valeurs (stockage par Go·an, ADPe, IR et PM de
l'électricité) : voir la documentation des facteurs ; l'analyse d'incertitude permet de lire les écarts
de façon robuste.</li>
<li>Les centres de données des réseaux sociaux et des plateformes de streaming sont représentés par les
chiffres que l'ADEME tire du rapport 2019 de Netflix : une approximation.</li>
<li>Les effets indirects (rebond, substitution de déplacements ou d'imprimés) sont hors du champ.</li>
</ul>
"""
METHOD = {"en": METHOD_EN, "fr": METHOD_FR}


def figure_png(fig: Figure) -> str:
    """A figure as an inline base64 PNG ``<img>``."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}"/>'


def reading(results: Results, lang: str = "en") -> list[str]:
    """Plain-language sentences: for each mission criterion, the service that weighs most and where."""
    text = TEXT[lang]
    sentences = []
    cube, scores = np.nan_to_num(results.values), results.scores().values  # the cube's NaN parts are 0 products
    for criterion in MISSION_CRITERIA:
        if criterion not in results.criteria:
            continue
        c = results.criteria.index(criterion)
        per_service = scores[:, c]  # NaN where not covered: no sentence then, the share is not known
        total = per_service.sum()
        if not total > 0:
            continue
        s = int(np.argmax(per_service))
        tiers = cube[s, :, c, :].sum(axis=1)
        phases = cube[s, :, c, :].sum(axis=0)
        label = "name_fr" if lang == "fr" else "name_en"
        sentences.append(text["weighs"].format(
            service=results.services[s], criterion=getattr(get_criterion(criterion), label),
            share=per_service[s] / total, tier=getattr(TIERS[int(np.argmax(tiers))], label),
            tier_share=tiers.max() / tiers.sum(), phase=getattr(PHASES[int(np.argmax(phases))], label)))
    return sentences


def html_report(results: Results, inventory: Inventory | None = None, *, lang: str = "en",
                figures: dict[str, Figure] | None = None) -> str:
    """The whole report as one HTML document (figures embedded)."""
    text = TEXT[lang]
    esc = html.escape
    title = inventory.organisation if inventory is not None else "Assessment"
    parts = [f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{esc(title)}</title>",
             "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em;color:#222}"
             "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px}"
             ".warn{background:#fff3cd;padding:8px;border-left:4px solid #E69F00}img{max-width:100%}</style>",
             "</head><body>", f"<h1>{esc(text['title'])}</h1>", f"<h2>{esc(title)}</h2>"]
    if inventory is not None and inventory.period:
        parts.append(f"<p>{esc(str(inventory.period))}</p>")
    if inventory is not None and inventory.illustrative:
        parts.append(f"<p class='warn'><b>{esc(text['illustrative'])}</b></p>")
    parts.append(f"<h2>{esc(text['key'])}</h2>{_key_figures(results)}")
    parts.append(f"<h2>{esc(text['reading'])}</h2><ul>")
    parts += [f"<li>{esc(sentence)}</li>" for sentence in reading(results, lang)]
    parts.append(f"</ul><p>{esc(text['audience_note'])}</p>")
    parts.append(f"<h3>{esc(text['per_audience'])}</h3>{_per_audience_ranking(results)}")
    parts.append(f"<h3>{esc(text['incomplete'])}</h3>{_incomplete(results, text)}")
    if inventory is not None and inventory.unattributed_hosting():
        unattributed = inventory.unattributed_hosting().items()
        items = "".join(f"<li>{esc(name)}: {share:.0%}</li>" for name, share in unattributed)
        parts.append(f"<h3>{esc(text['hosting'])}</h3><ul class='warn'>{items}</ul>")
    if figures:
        parts.append(f"<h2>{esc(text['figures'])}</h2>")
        parts += [f"<figure>{figure_png(fig)}<figcaption>{esc(name)}</figcaption></figure>"
                  for name, fig in figures.items()]
    summary = summary_table(results)
    parts.append(f"<h2>{esc(text['summary'])}</h2>{summary.to_html(index=False, float_format=_fmt)}")
    parts.append(f"<h2>{esc(text['method'])}</h2>{METHOD[lang]}")
    provenance = "".join(f"<tr><td>{esc(k)}</td><td>{esc(str(v))}</td></tr>" for k, v in results.provenance.items())
    parts.append(f"<h2>{esc(text['provenance'])}</h2><table>{provenance}</table></body></html>")
    return "\n".join(parts)


def _fmt(value: Any) -> str:
    return f"{value:.3g}"


def _key_figures(results: Results) -> str:
    totals = results.total(("criterion",)).set_index("criterion")
    rows = []
    for criterion in MISSION_CRITERIA:
        c = get_criterion(criterion)
        row = totals.loc[criterion]
        rows.append(f"<tr><td>{html.escape(c.name_en)} / {html.escape(c.name_fr)}</td>"
                    f"<td>{_fmt(row['value'])} {html.escape(c.unit)}</td>"
                    f"<td>{html.escape(str(row['coverage']))}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def _per_audience_ranking(results: Results) -> str:
    table = results.per_audience().query("criterion == 'climate_change'")
    table = table.sort_values("value", ascending=False)[["service", "value", "per", "audience", "coverage"]]
    table = table.assign(value=table["value"] * 1000).rename(columns={"value": "g CO2 eq"})
    return table.to_html(index=False, float_format=_fmt)


def _incomplete(results: Results, text: dict[str, str]) -> str:
    table = incomplete(results)
    table = table[table["criterion"].isin(MISSION_CRITERIA)]
    if table.empty:
        return f"<p>{html.escape(text['none_incomplete'])}</p>"
    return table[["service", "criterion", "coverage"]].to_html(index=False)
