"""Two apps in one process do not affect each other: registering blueprints changes neither
the models' shared metadata nor a registry another app reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import Flask
from sqlalchemy import ColumnElement, false

from webapp import create_app
from webapp.captions.search import CAPTION_SEARCH
from webapp.catalogue.search import caption_sources, register_caption_source
from webapp.extensions import db
from webapp.models import Module


class NoCaptions:
    """A caption source that matches nothing (only its presence is looked at)."""

    def condition(self, terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
        """No module matches."""
        return false()

    def moments(self, terms: Sequence[str], modules: Sequence[Module]) -> dict[int, float]:
        """No moments."""
        return {}


def _schema() -> dict[str, list[tuple[str, str]]]:
    """Every table's indexes, with the dialect each is limited to (if any)."""
    return {
        table.name: sorted((index.name or "", repr(index._ddl_if)) for index in table.indexes)
        for table in db.metadata.sorted_tables
    }


def test_building_apps_leaves_the_shared_metadata_alone(tmp_path: Path) -> None:
    before = _schema()
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.sqlite'}"})
    # Built only, never connected: a PostgreSQL URL needs no server here.
    create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none"})
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'b.sqlite'}"})
    assert _schema() == before
    # The GIN indexes belong to the models, on PostgreSQL only, whatever app was built.
    limited = {
        index.name: index._ddl_if.dialect
        for table in db.metadata.sorted_tables
        for index in table.indexes
        if index._ddl_if is not None
    }
    assert limited == {
        "ix_modules_search": "postgresql",
        "ix_modules_trigrams": "postgresql",
        "ix_caption_cues_search": "postgresql",
    }


def test_caption_sources_belong_to_one_app(tmp_path: Path) -> None:
    first = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.sqlite'}"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'b.sqlite'}"})
    extra = NoCaptions()
    register_caption_source(first, extra)
    assert _sources(first) == [CAPTION_SEARCH, extra]
    assert _sources(second) == [CAPTION_SEARCH]
    assert _sources(Flask("bare")) == []


def _sources(app: Flask) -> list:
    with app.app_context():
        return caption_sources()
