"""Department warning lists from the command line: `flask warnings import FILE --department CODE`."""
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import COUNTY_ADMIN
from app.clues import services
from app.errors import InvalidInput
from app.extensions import db
from app.files import sheets

cli = AppGroup("warnings", help="Import departments' warning lists.")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--department", "department", required=True, help="The department's code (e.g. medical_insurance).")
@click.option("--dry-run", is_flag=True, help="Check the file and print what would change; write nothing.")
@click.option("--as", "username", help="The county admin importing (default: the first active one).")
@click.option("--lang", type=click.Choice(["zh_Hans", "en"]), default="zh_Hans", show_default=True,
              help="Language of the report.")
def import_command(path, department, dry_run, username, lang):
    """Check and import a warning list FILE (.xlsx or .csv). Exits 1 when the file has problems."""
    with force_locale(lang):
        query = select(User).where(User.role == COUNTY_ADMIN, User.active.is_(True)).order_by(User.id)
        actor = db.session.scalar(query.where(User.username == username) if username else query)
        if actor is None:
            raise click.BadParameter(_("没有在用的县级管理员账号"), param_hint="--as")
        data = Path(path).read_bytes()
        try:
            sheet = sheets.read_path(path)
            report = services.import_list(actor, sheet, department, Path(path).name, services.file_hash(data),
                                          dry_run=dry_run)
        except sheets.SheetError as error:
            click.echo(_(error.message, **error.params), err=True)
            raise SystemExit(1) from None
        except InvalidInput as error:
            raise click.BadParameter(error.message, param_hint="--department") from None
        _report(report, dry_run)
        if not report.ok:
            raise SystemExit(1)


def _report(report: services.Report, dry_run: bool) -> None:
    click.echo(_("共读取 %(rows)s 行", rows=report.rows_read))
    click.echo(_("匹配到 %(households)s 户", households=report.households_matched))
    click.echo(_("查无此人 %(persons)s 人", persons=report.persons_not_found))
    click.echo(_("有错误的行 %(rows)s 行", rows=report.rows_with_errors))
    if report.rows_already_imported:
        click.echo(_("已导入过的行 %(rows)s 行", rows=report.rows_already_imported))
    for problem in report.problems:
        where = _("第 %(row)s 行", row=problem.row) if problem.row is not None else _("整个文件")
        click.echo(f"{where}\t{problem.column or ''}\t{problem.value or ''}\t{problem.reason}")
    if report.problems:
        click.echo(_("发现 %(count)s 个问题，没有导入任何数据。", count=len(report.problems)), err=True)
    elif report.file_already_imported:
        click.echo(_("该文件已导入过，没有任何改动。"))
    elif dry_run:
        click.echo(_("没有发现问题（试运行，未写入数据）。"))
    else:
        click.echo(_("预警名单已导入，推送线索 %(clues)s 条。", clues=report.clues))
