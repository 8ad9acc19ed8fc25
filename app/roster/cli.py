"""Roster import: the county's household roster from XLSX or CSV, all or nothing."""
import click
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import can
from app.extensions import db
from app.files import sheets
from app.roster import services

cli = AppGroup("roster", help="Import the household roster.")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and print what would change; write nothing.")
@click.option("--as", "username", help="Limit villages to this county admin's areas (default: any known village).")
@click.option("--lang", type=click.Choice(["zh_Hans", "en"]), default="zh_Hans", show_default=True,
              help="Language of the report.")
def import_command(path, dry_run, username, lang):
    """Check and import a roster FILE (.xlsx or .csv). Exits 1 when the file has problems."""
    with force_locale(lang):
        user = None
        if username:
            user = db.session.scalar(select(User).where(User.username == username))
            if user is None or not user.active or not can(user, "administer"):
                raise click.BadParameter(_("%(username)s 不是在用的县级管理员账号", username=username),
                                         param_hint="--as")
        try:
            sheet = sheets.read_path(path)
            if dry_run:
                plan, imported = services.check(sheet, user), False
            else:
                plan, imported = services.import_roster(sheet, user)
        except sheets.SheetError as error:
            click.echo(_(error.message, **error.params), err=True)
            raise SystemExit(1) from None
        except services.RosterConflict:
            click.echo(_("检查之后数据库中的数据有了变化，没有导入任何数据。请重新运行。"), err=True)
            raise SystemExit(1) from None
        _report(plan, imported, dry_run)
        if not plan.ok:
            raise SystemExit(1)


def _report(plan, imported: bool, dry_run: bool) -> None:
    counts = plan.counts
    click.echo(_("共读取 %(rows)s 行", rows=counts.rows_read))
    click.echo(_("户：新增 %(new)s，有变化 %(changed)s，无变化 %(unchanged)s，系统中有、文件中没有 %(absent)s",
                 new=counts.households_new, changed=counts.households_changed,
                 unchanged=counts.households_unchanged, absent=counts.households_not_in_file))
    click.echo(_("人：新增 %(new)s，有变化 %(changed)s，无变化 %(unchanged)s，系统中有、文件中没有 %(absent)s",
                 new=counts.members_new, changed=counts.members_changed,
                 unchanged=counts.members_unchanged, absent=counts.members_not_in_file))
    if counts.monitored_entered or counts.monitored_kept:
        click.echo(_("监测对象：全国系统认定、新纳入 %(entered)s 户，本系统已有识别结论、保持不变 %(kept)s 户",
                     entered=counts.monitored_entered, kept=counts.monitored_kept))
    for problem in plan.problems:
        where = (_("第 %(row)s 行", row=problem.row) if problem.row is not None else _("整个文件"))
        click.echo(f"{where}\t{problem.column or ''}\t{problem.value or ''}\t{problem.reason}")
    if plan.problems:
        click.echo(_("发现 %(count)s 个问题，没有导入任何数据。", count=len(plan.problems)), err=True)
    elif imported:
        click.echo(_("花名册已导入。"))
    elif dry_run:
        click.echo(_("没有发现问题（试运行，未写入数据）。"))
