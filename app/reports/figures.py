"""Dashboard counts kept per village, so that a township or county page (and the review
queue's counts) adds up a few hundred stored rows instead of counting every household again
(as DHIS2's analytics tables do, but never stale).

A village's counts (``dashboard_queries.village_counts``) are stored with the village's
``data_version`` at the time they were counted. Every change to the village's households,
members, records or proposals moves that version on, in the same transaction
(``app/reports/models.py``). A page reads the versions first, then the stored rows, and
counts again, one pass per figure for all of them, only the villages whose row is missing or was
counted at another version or layer threshold. The version is read before the data it
describes, so a change committed in between leaves the row marked stale, never wrong.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app.campaigns.models import Campaign
from app.extensions import db
from app.geo.models import Area
from app.reports.dashboard_queries import Place, Tallies, village_counts
from app.reports.models import VillageFigures


def tallies(place: Place, campaign: Campaign, layer_threshold_fen: int) -> Tallies:
    """The place's counts, summed by part."""
    return Tallies.of(place, campaign, village_figures(campaign, place.villages, layer_threshold_fen))


def village_figures(campaign: Campaign, village_ids, layer_threshold_fen: int) -> dict[tuple[int, int | None], dict]:
    """The villages' counts by (village, group), counting again (and storing, committed) the
    villages changed since they were stored."""
    villages = sorted(village_ids)
    versions = dict(db.session.execute(select(Area.id, Area.data_version).where(Area.id.in_(villages))).all())
    stored = {row.village_id: row for row in db.session.scalars(
        select(VillageFigures).where(VillageFigures.campaign_id == campaign.id,
                                     VillageFigures.village_id.in_(villages)))}
    counts: dict[tuple[int, int | None], dict[str, int]] = {}
    stale = []
    for village in villages:
        row = stored.get(village)
        if row is None or row.data_version != versions[village] or row.layer_threshold_fen != layer_threshold_fen:
            stale.append(village)
        else:
            counts.update(((village, int(group) if group else None), named) for group, named in row.figures.items())
    if stale:
        fresh = village_counts(campaign, stale, layer_threshold_fen)
        counts.update(fresh)
        _store(campaign, layer_threshold_fen, {village: versions[village] for village in stale}, fresh)
    return counts


def _store(campaign: Campaign, layer_threshold_fen: int, versions: dict[int, int], counts) -> None:
    by_village: dict[int, dict[str, dict[str, int]]] = {village: {} for village in versions}
    for (village, group), named in counts.items():
        by_village[village]["" if group is None else str(group)] = {name: n for name, n in named.items() if n}
    now = dt.datetime.now(dt.timezone.utc)
    rows = [{"campaign_id": campaign.id, "village_id": village, "data_version": version,
             "layer_threshold_fen": layer_threshold_fen, "figures": by_village[village], "counted_at": now}
            for village, version in versions.items()]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(VillageFigures)
    # Two pages counting the same village at once both store; the later one wins, and a
    # version older than the village's is counted again at the next view.
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[VillageFigures.campaign_id, VillageFigures.village_id],
        set_={name: statement.excluded[name] for name in ("data_version", "layer_threshold_fen", "figures",
                                                           "counted_at")}), rows)
    db.session.commit()
