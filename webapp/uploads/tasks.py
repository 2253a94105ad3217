"""Periodic upload housekeeping (Celery beat runs it; see config.py's beat_schedule)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app

from webapp.extensions import db
from webapp.uploads.multipart import clean_abandoned

log = logging.getLogger(__name__)


@shared_task(name="uploads.clean_abandoned")
def clean_abandoned_uploads() -> dict[str, list]:
    """Abort uploads idle longer than UPLOAD_ABANDON_HOURS and the store's orphan uploads."""
    idle_for = timedelta(hours=current_app.config["UPLOAD_ABANDON_HOURS"])
    report = clean_abandoned(idle_for)
    db.session.commit()
    if report["sessions"] or report["orphans"]:
        log.info("aborted uploads %s and orphans %s", report["sessions"], report["orphans"])
    return report
