"""gunicorn settings for `make run` and production (override with GUNICORN_CMD_ARGS)."""
import gc
import os
import signal
import subprocess
import sys

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


def post_worker_init(_worker):
    """Freeze what loading the app made (modules, the app, its mappers and tables: a few
    hundred thousand objects that live as long as the worker) out of the garbage collector,
    so that a full collection walks only what requests made since (about 0.1 s each
    otherwise, in the middle of a request: docs/benchmarks.md, "Ingest near its limit")."""
    gc.collect()
    gc.freeze()


def when_ready(server):
    """Name the address really listened on (RUHU_BIND may say port 0, or every address)."""
    for listener in server.LISTENERS:
        where = str(listener)
        if where.startswith(("http://0.0.0.0:", "http://[::]:")):
            where += f" (every address of this machine; here: http://127.0.0.1:{where.rsplit(':', 1)[1]})"
        server.log.info("Ruhu is ready on %s", where)
    if os.environ.get("RUHU_RUN_JOBS_WORKER") == "1":
        _start_jobs_worker(server)


# `make run` serves and runs the jobs worker (app/jobs) in one command: the worker is a child of
# the gunicorn master, started once it is ready and stopped when it exits (Ctrl-C reaches both).
# In production it is a service of its own (docs/deploy.md).
_jobs_worker = None


def _start_jobs_worker(server):
    global _jobs_worker
    _jobs_worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"])
    server.log.info("Jobs worker started (pid %s)", _jobs_worker.pid)


def on_exit(server):
    """Stop the jobs worker gracefully: it finishes the job it is running, if any."""
    if _jobs_worker is not None and _jobs_worker.poll() is None:
        _jobs_worker.send_signal(signal.SIGINT)
        try:
            _jobs_worker.wait(timeout=graceful_timeout)
        except subprocess.TimeoutExpired:
            _jobs_worker.kill()
