"""The only module that reads environment variables.

Every setting has a development default so that ``make run`` needs nothing set; production
sets ``DATABASE_URL`` and ``SECRET_KEY`` (see README).
"""
import os
import secrets
from pathlib import Path


def instance_dir() -> Path:
    """Where the SQLite database, the secret key and uploads live (RUHU_INSTANCE_DIR)."""
    return Path(os.environ.get("RUHU_INSTANCE_DIR", Path(__file__).resolve().parent.parent / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/.

    Keeping it on disk means sessions survive a restart of the development server without
    anyone having to invent a key.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    instance_dir().mkdir(parents=True, exist_ok=True)
    key_file = instance_dir() / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _database_url(url: str) -> str:
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def load() -> dict:
    database_url = _database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{instance_dir() / 'ruhu.sqlite3'}")
    read_url = os.environ.get("RUHU_READ_DATABASE_URL")
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A read-only copy of the database (a streaming replica) that reports and exports read
        # through (app.extensions.reading, bind READ_BIND); unset, they read the database itself.
        "SQLALCHEMY_BINDS": {"read": _database_url(read_url)} if read_url else {},
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Cookies: never readable by scripts, not sent on cross-site posts, and marked Secure
        # whenever the request came over HTTPS (see app.security.SessionInterface).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("RUHU_FORCE_SECURE_COOKIES"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Behind nginx the original scheme and address arrive in X-Forwarded-* headers.
        "TRUST_PROXY_HEADERS": _flag("RUHU_BEHIND_PROXY"),
        "WTF_CSRF_TIME_LIMIT": None,
        # werkzeug's scrypt (N=2^15): slow on purpose. Tests set a cheaper cost.
        "PASSWORD_HASH_METHOD": "scrypt",
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        # Attachment uploads begun and not finished: at most this many per user, expired after so many hours.
        "MAX_PARTIAL_UPLOADS": int(os.environ.get("RUHU_MAX_PARTIAL_UPLOADS", 10)),
        "PARTIAL_UPLOAD_HOURS": int(os.environ.get("RUHU_PARTIAL_UPLOAD_HOURS", 48)),
        "BABEL_DEFAULT_LOCALE": "zh_Hans",
        # The county's time zone: every time on a page is shown in it (stored in UTC).
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("RUHU_TIMEZONE", "Asia/Shanghai"),
        # Failed logins: this many per username and address within the window lock that pair.
        "LOGIN_FAILURE_LIMIT": int(os.environ.get("RUHU_LOGIN_FAILURE_LIMIT", 5)),
        "LOGIN_FAILURE_ADDRESS_LIMIT": int(os.environ.get("RUHU_LOGIN_FAILURE_ADDRESS_LIMIT", 30)),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(os.environ.get("RUHU_LOGIN_FAILURE_WINDOW", 15 * 60)),
        # Compressed responses (flask-compress): pages, JSON, scripts, styles. Not the exports
        # (CSV, XLSX): they stream as they are written, and a compressor would hold their first
        # rows back until it had a block; XLSX is zipped already. Static files are streamed
        # responses too, hence gzip among the streaming encodings for gzip-only clients.
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript",
                               "application/json", "application/manifest+json", "image/svg+xml"],
        "COMPRESS_ALGORITHM_STREAMING": ["zstd", "br", "gzip", "deflate"],
        # Background jobs (app/jobs): Huey's queue on Redis when REDIS_URL is set, else in a
        # SQLite file of its own under instance/; immediate mode runs each job as it is asked
        # for (the tests). Result files live in JOBS_DIR for EXPORT_KEEP_DAYS days.
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "JOBS_IMMEDIATE": _flag("RUHU_JOBS_IMMEDIATE"),
        "JOBS_QUEUE_FILE": os.environ.get("RUHU_JOBS_QUEUE_FILE", str(instance_dir() / "jobs-queue.sqlite3")),
        "JOBS_DIR": os.environ.get("RUHU_JOBS_DIR", str(instance_dir() / "jobs")),
        "EXPORT_KEEP_DAYS": int(os.environ.get("RUHU_EXPORT_KEEP_DAYS", 7)),
        # A job running longer than this lost its worker: asking for the same thing again fails
        # it and queues a new one (long enough for a whole county's export).
        "JOBS_RUNNING_LIMIT_MINUTES": int(os.environ.get("RUHU_JOBS_RUNNING_LIMIT_MINUTES", 60)),
    }
