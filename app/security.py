"""What every response carries and what every request must pass before a view runs.

- The session cookie is marked Secure whenever the request itself came over HTTPS (directly,
  or through a proxy we trust), so the same deployment works on http://localhost in
  development and only ever sends its cookie over TLS in the field.
- Security headers on every response (flask-talisman): a Content-Security-Policy with no
  inline script or style, no framing, no MIME sniffing, same-origin referrers, the camera
  for this site only (photos), and HSTS over HTTPS only. Redirecting to HTTPS is nginx's
  job (docs/deploy.md), so the app serves http://localhost in development.
- ``Cache-Control: no-store`` on every answer whose view did not say how it may be cached:
  pages, API answers and exports hold people's data and must stay in no browser or proxy
  cache. What carries none (static files, the service worker, the offline app's shell and
  what it precaches) says so itself.
- Cross-site writes to the API are refused.
- A path, query parameter or form field holding a character no database can store (NUL,
  a lone surrogate) is refused with 400 and a message before any view runs; JSON bodies
  are checked where they are read (app.jsonbody).
"""
from flask import abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import DENY

from app.jsonbody import BAD_CHARACTER, RefusedInput, bad_character_message

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' blob:",  # the phone shows photos it has taken as object URLs
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = {"camera": "(self)", "microphone": "()", "geolocation": "()", "payment": "()", "usb": "()",
                      "browsing-topics": "()"}
HSTS_MAX_AGE = 365 * 24 * 3600  # as docs/deploy.md's nginx sends it


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


def refuse_unstorable_characters():
    fields = request.args.items(multi=True)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields = [*fields, *request.form.items(multi=True)]
    if BAD_CHARACTER.search(request.path) or any(BAD_CHARACTER.search(key) or BAD_CHARACTER.search(value)
                                                 for key, value in fields):
        raise RefusedInput(400, bad_character_message())


def init_app(app) -> None:
    from app.extensions import talisman

    talisman.init_app(
        app, force_https=False, content_security_policy=CONTENT_SECURITY_POLICY, frame_options=DENY,
        referrer_policy="same-origin", permissions_policy=PERMISSIONS_POLICY,
        strict_transport_security=True, strict_transport_security_max_age=HSTS_MAX_AGE,
        # Cookies stay as app.config says (SessionInterface marks them Secure over HTTPS).
        session_cookie_secure=False, session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
    app.session_interface = SessionInterface()
    app.before_request(refuse_cross_site_api_writes)
    app.before_request(refuse_unstorable_characters)
    app.after_request(no_store_unless_said)


def no_store_unless_said(response):
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response
