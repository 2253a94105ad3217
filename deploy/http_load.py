"""A small closed-loop HTTP load generator, for sizing the web tier (no wrk needed).

Each of ``--connections`` threads keeps one keep-alive connection and sends requests
back to back for ``--seconds``; one JSON line reports requests per second, latency
percentiles, status codes and the host's load average (a busy host skews everything).

Usage:
  python deploy/http_load.py http://127.0.0.1:8000/healthz --connections 8 --seconds 20
  python deploy/http_load.py URL --header "Authorization: Bearer TOKEN"
  python deploy/http_load.py URL --method PUT --json '{"position": 2}' --header "..."
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    """What every connection sends, over and over."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None


def _worker(req: Request, stop_at: float, out: list, codes: Counter) -> None:
    parts = urlsplit(req.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
    latencies = []
    try:
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                conn.request(req.method, path, body=req.body, headers=req.headers)
                response = conn.getresponse()
                response.read()
                codes[response.status] += 1
            except (OSError, http.client.HTTPException) as exc:
                codes[type(exc).__name__] += 1
                conn.close()
                continue
            latencies.append(time.monotonic() - started)
    finally:
        conn.close()
        out.extend(latencies)


def run(req: Request, connections: int, seconds: float) -> dict:
    """Send ``req`` from ``connections`` connections for ``seconds``; return the summary."""
    latencies: list[float] = []
    codes: Counter = Counter()
    load_before = os.getloadavg()[0]
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_worker, args=(req, stop_at, latencies, codes))
        for _ in range(connections)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ms = sorted(x * 1000 for x in latencies)
    return {
        "request": f"{req.method} {req.url}",
        "connections": connections,
        "seconds": round(elapsed, 1),
        "requests": len(ms),
        "requests_per_second": round(len(ms) / elapsed, 1),
        "latency_ms": {
            "p50": round(statistics.median(ms), 1) if ms else None,
            "p95": round(ms[int(len(ms) * 0.95)], 1) if ms else None,
            "max": round(ms[-1], 1) if ms else None,
        },
        "status": {str(k): v for k, v in sorted(codes.items(), key=str)},
        "load_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--json", help="a JSON request body (sets Content-Type)")
    args = parser.parse_args()
    headers = {k.strip(): v.strip() for k, v in (h.split(":", 1) for h in args.header)}
    body = None
    if args.json is not None:
        body = json.dumps(json.loads(args.json)).encode()
        headers["Content-Type"] = "application/json"
    req = Request(args.method.upper(), args.url, headers, body)
    print(json.dumps(run(req, args.connections, args.seconds)))


if __name__ == "__main__":
    main()
