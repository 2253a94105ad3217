"""Learnstream web app: ``create_app`` assembles it from small configure steps."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

import config
from webapp import (
    bad_bytes,
    calendar,
    dbsetup,
    errors,
    headers,
    i18n,
    navigation,
    request_limits,
    security,
    sessions,
    storage,
    textfmt,
    timefmt,
)
from webapp.accounts import bp as accounts_bp
from webapp.admin import bp as admin_bp
from webapp.analytics import bp as analytics_bp
from webapp.api import bp as api_bp
from webapp.api import contract_check
from webapp.api import docs_bp as api_docs_bp
from webapp.audiences.views import bp as audiences_bp
from webapp.audit import bursts as audit_bursts
from webapp.audit.views import bp as audit_bp
from webapp.auth import bp as auth_bp
from webapp.auth import idle, lifetime, loaders, throttle
from webapp.branding import init_app as init_branding
from webapp.captions import bp as captions_bp
from webapp.catalogue.manage_views import bp as catalogue_manage_bp
from webapp.celery_app import celery_init_app
from webapp.certificates import bp as certificates_bp
from webapp.certificates.exams import use_exam_results
from webapp.cli import register as register_cli
from webapp.clips import bp as clips_bp
from webapp.cohorts import bp as cohorts_bp
from webapp.enrolment.manage_views import bp as enrolment_manage_bp
from webapp.enrolment.views import bp as enrolment_bp
from webapp.exams.results import GradedExamResults
from webapp.exams.views import bp as exams_bp
from webapp.extensions import csrf, db, login_manager, mailman, migrate
from webapp.health import bp as health_bp
from webapp.learning import bp as learning_bp
from webapp.learning.manage_views import bp as learning_manage_bp
from webapp.library import bp as library_bp
from webapp.mail import tasks as _mail_tasks  # noqa: F401  (registers mail.deliver)
from webapp.notes import bp as notes_bp
from webapp.notifications import init_app as init_notifications
from webapp.observability import setup as observability
from webapp.organisations.views import bp as organisations_bp
from webapp.people import bp as people_bp
from webapp.playback import bp as playback_bp
from webapp.progress import fastpath
from webapp.projects.views import bp as projects_bp
from webapp.questions import bp as questions_bp
from webapp.quizzes.views import bp as quizzes_bp
from webapp.reports import bp as reports_bp
from webapp.uploads import bp as uploads_bp
from webapp.videos import bp as videos_bp

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, then ``overrides`` (tests).

    Raises ``config.UnsafeSettings`` in production mode with a missing or weak secret.
    """
    settings = config.load_settings()
    if overrides:
        settings.update(overrides)
        if "SQLALCHEMY_DATABASE_URI" in overrides and "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:
            # The options follow the database actually used (PostgreSQL's connect
            # arguments mean nothing to SQLite).
            settings["SQLALCHEMY_ENGINE_OPTIONS"] = config.engine_options(
                dict(os.environ), settings["SQLALCHEMY_DATABASE_URI"]
            )
    config.refuse_unsafe_settings(settings)  # production: no weak or missing secrets
    app = Flask(__name__, instance_path=settings["INSTANCE_DIR"])
    app.config.from_mapping(settings)
    observability.init_app(app)  # logs first: everything after may log
    Path(app.config["UPLOAD_TMP_DIR"]).mkdir(parents=True, exist_ok=True)
    _configure_database(app)
    _configure_extensions(app)
    _configure_blueprints(app)
    contract_check.init_app(app)
    register_cli(app)
    return app


def _configure_database(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    dbsetup.init_app(app)


def _configure_extensions(app: Flask) -> None:
    sessions.init_app(app)
    csrf.init_app(app)
    mailman.init_app(app)
    login_manager.init_app(app)
    loaders.init_app(app)
    idle.init_app(app)
    lifetime.init_app(app)  # runs before idle's check: both ahead of loading the user
    throttle.init_app(app)
    fastpath.init_app(app)  # before security's proxy fix, which must wrap it
    request_limits.init_app(app)  # before any hook that reads the body (CSRF)
    bad_bytes.init_app(app)
    observability.init_middleware(app)  # the request id: wraps the fast path too
    security.init_app(app)  # its proxy fix, then the environment filter: outermost
    headers.init_app(app)
    errors.init_app(app)
    audit_bursts.init_app(app)
    storage.init_app(app)
    timefmt.init_app(app)
    textfmt.init_app(app)
    i18n.init_app(app)
    navigation.init_app(app)
    init_branding(app)
    celery_init_app(app)


def _configure_blueprints(app: Flask) -> None:
    for bp in (
        auth_bp,
        library_bp,
        uploads_bp,
        playback_bp,
        clips_bp,
        health_bp,
        api_bp,
        api_docs_bp,
    ):
        app.register_blueprint(bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(analytics_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(captions_bp)
    app.register_blueprint(notes_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(videos_bp)
    app.register_blueprint(quizzes_bp)
    app.register_blueprint(audiences_bp)
    app.register_blueprint(catalogue_manage_bp)
    app.register_blueprint(learning_manage_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(enrolment_bp)
    app.register_blueprint(enrolment_manage_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(exams_bp)
    use_exam_results(app, GradedExamResults())
    calendar.init_app(app)
    init_notifications(app)
