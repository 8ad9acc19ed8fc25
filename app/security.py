"""The session cookie is marked Secure whenever the request itself came over HTTPS
(directly, or through a proxy we trust), so the same deployment works on http://localhost
in development and only ever sends its cookie over TLS in the field."""
from flask import request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure
