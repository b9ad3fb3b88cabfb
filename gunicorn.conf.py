"""Production server settings:  gunicorn -c gunicorn.conf.py 'app:create_app()'

Threaded workers suit Bolt's ack-first listeners: the request thread returns as soon as
ack() is called while the listener finishes on Bolt's own pool. Every worker runs its own
sweeper; the database claims make that safe.

gunicorn reads this file before the app exists, so `.env` is loaded here too (PORT,
WEB_CONCURRENCY, ... set there would otherwise be ignored). Run it behind the buffering proxy in
deploy/ (README › Production behind nginx): gthread workers read request bodies on their
own threads, and 64 slow clients are enough to occupy them all.
"""

import gc
import os
import re
from pathlib import Path

from dotenv import load_dotenv
from gunicorn.glogging import Logger

# The working directory's .env, like app.py (this file is read before the project is
# importable, so it cannot use meetbridge.environment; the app drops empty SLACK_* itself).
load_dotenv(Path.cwd() / ".env")


def setting(name: str, default: str) -> str:
    """An empty value counts as unset, as everywhere in meetbridge's settings."""
    return os.environ.get(name, "").strip() or default


bind = f"0.0.0.0:{setting('PORT', '3000')}"
worker_class = "gthread"
workers = int(setting("WEB_CONCURRENCY", "2"))
threads = int(setting("GUNICORN_THREADS", "16"))
# Slack needs an ack within 3 s and Vonage an NCCO within ~1-5 s; nothing legitimate takes
# 30 s on a request thread, so a stuck worker is recycled.
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
# Query strings of Vonage GET webhooks carry caller numbers, and paths under /rooms/ carry
# meeting ids (join credentials): log the route pattern (web/request_log.py), never the path.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
ROUTE_KEY = "meetbridge.route"  # set by web/request_log.py for every request Flask routed
UNROUTED = re.compile(r"^(/[^/]{0,40})(/.*)?$")


class RouteAccessLog(Logger):
    """gunicorn's access log with the route pattern (`/rooms/<meeting_id>`) in place of the path."""

    def atoms(self, resp, req, environ, request_time):
        """gunicorn's log fields, with the route pattern in place of the path and the referer left out."""
        atoms = super().atoms(resp, req, environ, request_time)
        route = environ.get(ROUTE_KEY, "(unmatched)")
        if route == "(unmatched)":  # a 404, or never reached Flask: the first path segment only
            route = UNROUTED.sub(lambda m: m[1] + ("/…" if m[2] else ""), atoms["U"])
        atoms.update(U=route, r=f"{atoms['m']} {route} {atoms['H']}", f="-")
        return atoms


logger_class = RouteAccessLog
# gunicorn's control socket ($HOME/.gunicorn/gunicorn.ctl) is unused here: two servers of one
# user would share that path, and the image's HOME (/app) is not writable by its user.
control_socket_disable = True


def post_worker_init(worker) -> None:
    """The app is loaded: take its long-lived objects (libraries, models, the app itself) out
    of the cyclic garbage collector's sight. Its full passes scanned them all and stopped every
    thread of the worker for ~70 ms, the worst webhook latencies measured in bench/."""
    gc.freeze()
