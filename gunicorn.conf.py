"""gunicorn settings for `make run` and production (override with GUNICORN_CMD_ARGS)."""
import os

bind = os.environ.get("RUHU_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("RUHU_WORKERS", 2))
threads = int(os.environ.get("RUHU_THREADS", 4))
worker_class = "gthread"
# Long enough for a big roster import or export; the sync protocol keeps requests small.
timeout = 120
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("RUHU_FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """Name the address really listened on (RUHU_BIND may say port 0, or every address)."""
    for listener in server.LISTENERS:
        where = str(listener)
        if where.startswith(("http://0.0.0.0:", "http://[::]:")):
            where += f" (every address of this machine; here: http://127.0.0.1:{where.rsplit(':', 1)[1]})"
        server.log.info("Ruhu is ready on %s", where)
