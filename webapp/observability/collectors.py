"""Job counts by kind and state, read from the database when Prometheus scrapes.

The job rows are the truth, shared by every process, so nothing is counted in memory:
one grouped query per kind, at scrape time (the table's ``state`` column is indexed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.jobs.registry import KINDS
from webapp.models.job import JobState
from webapp.observability.metrics import PREFIX

log = logging.getLogger(__name__)


class JobCollector(Collector):
    """``learnstream_jobs{kind,state}``: the number of job rows; call inside an app
    context."""

    def collect(self) -> Iterator[Metric]:
        """One gauge family, every kind × state (zeros included); none at all when the
        database does not answer (the scrape still gets every other metric)."""
        family = GaugeMetricFamily(
            f"{PREFIX}_jobs", "Background jobs by kind and state.", labels=["kind", "state"]
        )
        try:
            for name, kind in sorted(KINDS.items()):
                model = kind.model
                query = select(model.state, func.count()).group_by(model.state)
                counts = dict(db.session.execute(query).all())
                for state in JobState:
                    family.add_metric([name, state.value], counts.get(state, 0))
        except SQLAlchemyError as exc:
            db.session.rollback()
            log.warning("job counts not scraped: %s", exc)
            return
        yield family
