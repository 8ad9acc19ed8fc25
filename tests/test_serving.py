"""`make run` serves with gunicorn.conf.py: it names the address it really listens on,
whatever RUHU_BIND says (port 0 here: a free port only the socket knows)."""
import json
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY = re.compile(r"Ruhu is ready on (http://127\.0\.0\.1:(\d+))")


def test_gunicorn_names_the_address_it_listens_on(tmp_path):
    environment = {**os.environ, "RUHU_BIND": "127.0.0.1:0", "RUHU_WORKERS": "1", "RUHU_INSTANCE_DIR": str(tmp_path),
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'ruhu.sqlite3'}"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket",
                               "wsgi:app"], cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
    try:
        output = []
        try:
            while not READY.search("".join(output)):
                output.append(lines.get(timeout=20))  # gunicorn is up in a second or two
        except queue.Empty:
            pass
        ready = READY.search("".join(output))
        assert ready, "".join(output)
        assert ready.group(2) != "0"
        # The master says ready once it listens; the worker loads the app after that, and the
        # request waits in the backlog meanwhile (long on a machine busy with other work).
        with urllib.request.urlopen(f"{ready.group(1)}/healthz", timeout=90) as response:
            assert json.load(response) == {"status": "ok", "database": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
