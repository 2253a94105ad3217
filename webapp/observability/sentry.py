"""Error reports to Sentry, only when ``SENTRY_DSN`` is set.

Without a DSN nothing of ``sentry_sdk`` is imported (its integrations patch Flask,
Celery and logging on import), which is why the imports are inside ``init_app``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """``sentry_sdk.init`` with the Flask and Celery integrations, no personal data."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration(), CeleryIntegration()],
        send_default_pii=False,
        environment=app.config.get("SENTRY_ENVIRONMENT") or "production",
        traces_sample_rate=app.config.get("SENTRY_TRACES_SAMPLE_RATE") or 0.0,
    )
