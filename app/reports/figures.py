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

So that a page rarely has to count, a request whose writes changed villages counts them
again once its response has gone (``init_app``): the writer does not wait, and the next
dashboard or queue finds their rows stored. If that fails, or a write came from elsewhere,
the page counts them itself.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import Counter

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app.campaigns.models import Campaign
from app.census.services import current_campaign
from app.extensions import db
from app.geo.models import Area
from app.reports.dashboard_queries import WHOLE_VILLAGE, Place, Tallies, village_counts
from app.reports.models import ALL_VILLAGES, CHANGED_VILLAGES, VillageFigures
from app.sql import id_in


def tallies(place: Place, campaign: Campaign, layer_threshold_fen: int) -> Tallies:
    """The place's counts, summed by part."""
    return Tallies.of(place, campaign, village_figures(campaign, place.villages, layer_threshold_fen,
                                                       whole=place.whole_villages))


def village_figures(campaign: Campaign, village_ids, layer_threshold_fen: int, *,
                    whole=frozenset()) -> dict[tuple[int, int | str | None], dict]:
    """The villages' counts by (village, group), or by (village, WHOLE_VILLAGE) for the
    villages in ``whole`` (a county adds up 300 villages instead of 2,000 groups), counting
    again (and storing, committed) the villages changed since they were stored."""
    villages = sorted(village_ids)
    versions = dict(db.session.execute(select(Area.id, Area.data_version).where(id_in(Area.id, villages))).all())
    stored = {}
    for kept, column in ((sorted(set(villages) & set(whole)), VillageFigures.totals),
                         (sorted(set(villages) - set(whole)), VillageFigures.figures)):
        if kept:
            stored.update((row[0], row) for row in db.session.execute(
                select(VillageFigures.village_id, VillageFigures.data_version, VillageFigures.layer_threshold_fen,
                       column.label("counts")).where(VillageFigures.campaign_id == campaign.id,
                                     id_in(VillageFigures.village_id, kept))))
    found: dict[int, dict] = {}  # each village's totals (whole) or its counts by group
    stale = []
    for village in villages:
        row = stored.get(village)
        if row is None or row.data_version != versions[village] or row.layer_threshold_fen != layer_threshold_fen:
            stale.append(village)
        else:
            found[village] = row.counts
    if stale:
        by_group, totals = _by_village(village_counts(campaign, stale, layer_threshold_fen), stale)
        _store(campaign, layer_threshold_fen, {village: versions[village] for village in stale}, by_group, totals)
        found.update((village, totals[village] if village in whole else by_group[village]) for village in stale)
    counts: dict[tuple[int, int | str | None], dict[str, int]] = {}
    for village, named in found.items():
        if village in whole:
            counts[(village, WHOLE_VILLAGE)] = named
        else:
            counts.update(((village, int(group) if group else None), in_group) for group, in_group in named.items())
    return counts


def _by_village(counts, villages) -> tuple[dict[int, dict[str, dict[str, int]]], dict[int, dict[str, int]]]:
    """Counts by (village, group) as each village's {group: counts} and its totals, zeros left out."""
    by_group: dict[int, dict[str, dict[str, int]]] = {village: {} for village in villages}
    totals: dict[int, Counter] = {village: Counter() for village in villages}
    for (village, group), named in counts.items():
        by_group[village]["" if group is None else str(group)] = {name: n for name, n in named.items() if n}
        totals[village].update(named)
    return by_group, {village: {name: n for name, n in total.items() if n} for village, total in totals.items()}


def _store(campaign: Campaign, layer_threshold_fen: int, versions: dict[int, int], by_group, totals) -> None:
    now = dt.datetime.now(dt.UTC)
    rows = [{"campaign_id": campaign.id, "village_id": village, "data_version": version,
             "layer_threshold_fen": layer_threshold_fen, "figures": by_group[village], "totals": totals[village],
             "counted_at": now}
            for village, version in versions.items()]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(VillageFigures)
    # Two pages counting the same village at once both store; the later one wins, and a
    # version older than the village's is counted again at the next view.
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[VillageFigures.campaign_id, VillageFigures.village_id],
        set_={name: statement.excluded[name] for name in ("data_version", "layer_threshold_fen", "figures", "totals",
                                                           "counted_at")}), rows)
    db.session.commit()


def init_app(app: Flask) -> None:
    @app.after_request
    def _count_after_the_response(response):
        changed = db.session.info.pop(CHANGED_VILLAGES, None)
        if changed:
            response.call_on_close(functools.partial(_count_changed, app, changed))
        return response


def _count_changed(app: Flask, changed) -> None:
    with app.app_context():
        try:
            count_changed(changed)
        except Exception:  # the writer's response has gone; the next page counts these villages itself
            db.session.rollback()
            app.logger.exception("Counting the figures of changed villages failed")


def count_changed(changed) -> None:
    """Count again (and store) the current campaign's figures of ``changed`` villages (a set
    of ids, or ALL_VILLAGES) that are stale."""
    campaign = current_campaign()
    if campaign is None:
        return
    villages = (db.session.scalars(select(Area.id).where(Area.level == "village")).all()
                if changed == ALL_VILLAGES else changed)
    village_figures(campaign, villages, current_app.config["CIRCLE_LAYER_THRESHOLD_FEN"])
