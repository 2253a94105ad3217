"""``flask storage migrate --to s3 [--dry-run]``: move local media to S3."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.storage import LocalStorage, StorageError, build_s3_storage
from webapp.storage.migrate import MigrationReport, migrate

storage_cli = AppGroup("storage", help="Move media between stores.")

_SWITCH_VARS = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_PATH_STYLE", "S3_ACCESS_KEY_ID")


@storage_cli.command("migrate")
@click.option("--to", "target", type=click.Choice(["s3"]), required=True, help="Target store.")
@click.option("--dry-run", is_flag=True, help="Only report what would be copied.")
@click.option("-v", "--verbose", is_flag=True, help="Print every object's outcome.")
def migrate_command(target: str, dry_run: bool, verbose: bool) -> None:
    """Copy MEDIA_ROOT to the bucket the S3_* variables name; safe to run again."""
    config = current_app.config
    if not config["S3_BUCKET"]:
        raise click.ClickException("set S3_BUCKET (and S3_ENDPOINT_URL, keys…) to the target")
    media_root = Path(config["MEDIA_ROOT"])
    if not media_root.is_dir():
        raise click.ClickException(f"MEDIA_ROOT {media_root} is not a directory")
    destination = f"s3://{config['S3_BUCKET']} at {config['S3_ENDPOINT_URL'] or 'AWS'}"
    click.echo(f"{'dry run: ' if dry_run else ''}{media_root} -> {destination}")
    on_object = (lambda key, outcome: click.echo(f"{outcome} {key}")) if verbose else None
    try:
        report = migrate(
            LocalStorage(media_root), build_s3_storage(config), dry_run=dry_run, on_object=on_object
        )
    except StorageError as exc:
        raise click.ClickException(f"the target store is unreachable: {exc}") from exc
    _summarise(report, dry_run)
    if not report.ok:
        raise click.ClickException("not every object was copied; run the command again")
    if not dry_run:
        _print_switch_over(config)


def _summarise(report: MigrationReport, dry_run: bool) -> None:
    for key, reason in report.failed.items():
        click.echo(f"FAILED {key}: {reason}", err=True)
    if report.stopped:
        click.echo(f"stopped: {report.stopped}", err=True)
    counts = f"skipped {len(report.skipped)} (already there), failed {len(report.failed)}"
    if dry_run:
        click.echo(f"would copy {len(report.planned)}, {counts}")
    else:
        click.echo(f"copied {len(report.copied)}, {counts}")


def _print_switch_over(config: dict) -> None:
    click.echo("\nEvery object is on S3. To switch over, set for web and worker, then restart:")
    for name in _SWITCH_VARS:
        value = config[name]
        if value is not None:
            click.echo(f"  {name}={str(value).lower() if isinstance(value, bool) else value}")
    if config["S3_SECRET_ACCESS_KEY"]:
        click.echo("  S3_SECRET_ACCESS_KEY=<the secret used for this run>")
    click.echo(f"Keep {config['MEDIA_ROOT']} until playback from S3 is checked.")
