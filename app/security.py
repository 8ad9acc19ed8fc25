"""The session cookie is marked Secure whenever the request itself came over HTTPS
(directly, or through a proxy we trust), so the same deployment works on http://localhost
in development and only ever sends its cookie over TLS in the field."""
from flask import abort, request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def refuse_cross_site_api_writes():
    """A write under /api/ whose Origin names another site is refused (403) before any view
    runs; the CSRF token and the SameSite cookie are the other two locks (docs/sync.md)."""
    origin = request.headers.get("Origin")
    if (origin is not None and request.method in WRITE_METHODS and request.path.startswith("/api/")
            and origin != f"{request.scheme}://{request.host}"):
        abort(403)
