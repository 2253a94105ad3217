"""Observability: JSON logs with a request id (``logs``, ``requestid``), Prometheus
metrics at ``/metrics`` (``metrics``, ``collectors``, ``views``; the worker's in
``worker_metrics``), and optional Sentry (``sentry``); ``setup`` wires them in."""
