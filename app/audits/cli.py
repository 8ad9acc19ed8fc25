"""`flask audits draw`: a sample audit round drawn on the command line, its seed recorded."""
import datetime as dt
from decimal import Decimal, InvalidOperation

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.audits import services
from app.codes import AUDIT_POPULATION
from app.errors import InvalidInput
from app.extensions import db
from app.geo.models import Area

cli = AppGroup("audits", help="Sample audits.")


@cli.command("draw")
@click.option("--population", required=True, type=click.Choice(AUDIT_POPULATION.values),
              help="Households proposed for identification, proposed for elimination, or approved.")
@click.option("--share", help="Share of each township's households to draw, such as 0.2 or 20%.")
@click.option("--count", type=int, help="Households to draw in all (instead of a share).")
@click.option("--seed", required=True, type=int, help="Seed of the draw: the same seed draws the same households.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day of the period (default 1 January).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the period (default today).")
@click.option("--county", "county_code", help="The county's code (needed when there are several).")
@click.option("--tolerance", default="5", show_default=True, help="Per-capita income gap allowed, in %.")
@click.option("--lang", type=click.Choice(["zh_Hans", "en"]), default="zh_Hans", show_default=True)
def draw_command(population, share, count, seed, start, end, county_code, tolerance, lang):
    """Draw and record a round; prints households, persons and share."""
    with force_locale(lang):
        counties = db.session.scalars(select(Area).where(Area.level == "county", *(
            [Area.code == county_code] if county_code else []))).all()
        if len(counties) != 1:
            raise click.BadParameter(_("请用 --county 指定县的区划代码。"), param_hint="--county")
        try:
            tolerance = Decimal(tolerance)
        except InvalidOperation:
            raise click.BadParameter(_("允许误差应为百分数，如 5。"), param_hint="--tolerance") from None
        today = clock.today()
        try:
            audit_round = services.draw_round(
                None, counties[0], population, start.date() if start else dt.date(today.year, 1, 1),
                end.date() if end else today, share=services.parse_share(share), count=count, seed=seed,
                tolerance=tolerance)
        except InvalidInput as error:
            click.echo(error.message, err=True)
            raise SystemExit(1) from None
        report = services.round_report(audit_round)
        click.echo(_("第 %(round)s 批抽样（种子 %(seed)s）：%(households)s 户 / %(persons)s 人（%(share)s%%）",
                     round=audit_round.id, seed=seed, households=report.households, persons=report.persons,
                     share=report.share_percent))
