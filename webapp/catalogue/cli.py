"""``flask catalogue sync | topic add NAME | topic list | module set ID ...``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.catalogue import services
from webapp.catalogue.services import CatalogueError
from webapp.extensions import db
from webapp.models import Level, Module, Topic

catalogue = AppGroup("catalogue", help="Manage the micro-learning catalogue.")
topic = AppGroup("topic", help="Manage topics.")
module = AppGroup("module", help="Curate modules.")
catalogue.add_command(topic)
catalogue.add_command(module)


@catalogue.command("sync")
def sync() -> None:
    """Create the missing modules of READY videos and of clips."""
    report = services.sync_all()
    db.session.commit()
    click.echo(f"created {report.videos} video module(s) and {report.clips} clip module(s)")


@topic.command("add")
@click.argument("name")
def topic_add(name: str) -> None:
    """Add a topic called NAME."""
    try:
        created = services.add_topic(name)
        db.session.commit()
    except CatalogueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"added topic {created.name} (slug {created.slug}, id {created.id})")


@topic.command("list")
def topic_list() -> None:
    """List topics."""
    for row in db.session.scalars(db.select(Topic).order_by(Topic.name)):
        click.echo(f"{row.id}\t{row.slug}\t{row.name}")


@module.command("set")
@click.argument("module_id", type=int)
@click.option("--topic", "topic_name", help="Topic name or slug; '' clears it.")
@click.option("--level", help=f"One of: {', '.join(lv.value for lv in Level)}.")
@click.option("--tags", help="Comma-separated tags; '' clears them.")
@click.option("--description", help="New description.")
def module_set(
    module_id: int,
    topic_name: str | None,
    level: str | None,
    tags: str | None,
    description: str | None,
) -> None:
    """Set the topic, level, tags or description of module MODULE_ID."""
    row = db.session.get(Module, module_id)
    if row is None:
        raise click.ClickException(f"no module with id {module_id}")
    changes: services.ModuleChanges = {}
    if topic_name is not None:
        changes["topic"] = topic_name
    if level is not None:
        changes["level"] = level
    if tags is not None:
        changes["tags"] = tags
    if description is not None:
        changes["description"] = description
    if not changes:
        raise click.UsageError("nothing to change: give --topic, --level, --tags or --description")
    try:
        services.update_module(row, changes)
        db.session.commit()
    except CatalogueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    topic_label = row.topic.name if row.topic else "none"
    click.echo(
        f"module {row.id} “{row.title}”: topic {topic_label}, level {row.level}, "
        f"tags {', '.join(row.tags) or 'none'}"
    )
