"""``GET /metrics``: the Prometheus text format, for a scraper on loopback or holding
``METRICS_TOKEN``; everyone else gets a 404, as if there were no such page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from webapp.access import may_read_metrics
from webapp.observability import metrics
from webapp.observability.collectors import JobCollector
from webapp.progress.writer import EXTENSION as WRITER

bp = Blueprint("observability", __name__)


@bp.get("/metrics")
def scrape() -> Response:
    """Every metric family of this machine's web workers, and the job counts."""
    if not may_read_metrics(
        request.remote_addr,
        request.headers.get("Authorization", ""),
        current_app.config["METRICS_TOKEN"],
        forwarded=bool(request.headers.get("X-Forwarded-For")),
        proxies_trusted=bool(current_app.config.get("TRUSTED_PROXY_HOPS")),
    ):
        abort(404)
    writer = current_app.extensions.get(WRITER)
    if writer is not None:
        metrics.HEARTBEAT_QUEUE.set(writer.backlog())
    scraped = CollectorRegistry()
    scraped.register(JobCollector())
    if metrics.MULTIPROCESS:
        MultiProcessCollector(scraped)  # every worker's files, added up
        body = generate_latest(scraped)
    else:
        body = generate_latest(REGISTRY) + generate_latest(scraped)
    response = Response(body, content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
