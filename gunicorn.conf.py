"""Production server settings:  gunicorn -c gunicorn.conf.py 'app:create_app()'

Threaded workers suit Bolt's ack-first listeners: the request thread returns as soon as
ack() is called while the listener finishes on Bolt's own pool. Every worker runs its own
sweeper; the database claims make that safe.
"""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '3000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# Slack needs an ack within 3 s and Vonage an NCCO within ~1-5 s; nothing legitimate takes
# 30 s on a request thread, so a stuck worker is recycled.
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
# Query strings of Vonage GET webhooks carry caller numbers: log the path only.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker) -> None:
    """The app is loaded: take its long-lived objects (libraries, models, the app itself) out
    of the cyclic garbage collector's sight. Its full passes scanned them all and stopped every
    thread of the worker for ~70 ms, the worst webhook latencies measured in bench/."""
    gc.freeze()
