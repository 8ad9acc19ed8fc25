"""``flask attachments expire``: remove partial uploads older than PARTIAL_UPLOAD_HOURS (cron, docs/deploy.md)."""
import click
from flask.cli import AppGroup

from app.records import attachments

cli = AppGroup("attachments", help="Attachment uploads.")


@cli.command("expire")
def expire():
    """Remove every partial upload begun more than PARTIAL_UPLOAD_HOURS ago."""
    removed = attachments.expire_partials()
    click.echo(f"{removed} partial uploads removed.")
