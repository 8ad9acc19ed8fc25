import json

from flask import Blueprint, Response, current_app, make_response, render_template, url_for

from app.auth.roles import requires
from app.census import definitions, messages, services
from app.pwa import precache

bp = Blueprint("pwa", __name__)


def _form_version() -> str:
    campaign = services.current_campaign()
    if campaign and definitions.get(campaign.form_version):
        return campaign.form_version
    return definitions.DEFAULT_VERSION


@bp.route("/app")
@requires("collect")
def shell():
    """The offline app's shell: no user data and no CSRF token, so it can be cached for days
    (by the service worker; a shared cache must not keep it, since it follows the user's language)."""
    modules = [url_for("static", filename=name) for name in precache.start_modules()]
    response = make_response(render_template("pwa/shell.html", form_version=_form_version(), modules=modules,
                                             shell_text=messages.SHELL))
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    body = {
        "name": "入户 · 农村居民收入普查",
        "short_name": "入户",
        "lang": "zh-Hans",
        "start_url": "/app",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f8f9",
        "theme_color": "#0b6e4f",
        "icons": [{"src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any maskable"} for size in (192, 512)],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json",
                    headers={"Cache-Control": "no-cache"})


@bp.route("/sw.js")
def service_worker():
    """The worker is served from the root so that its scope is the whole site; its first
    lines name the version and what it precaches."""
    form_version = _form_version()
    urls = ["/app", "/manifest.webmanifest",
            *(url_for("static", filename=name) for name in precache.STATIC_FILES),
            *precache.bundle_urls(form_version)]
    version = precache.version(form_version, current_app.config.get("PWA_VERSION_SALT", ""))
    source = (precache.STATIC / "js" / "service-worker.js").read_text()
    header = f"const VERSION = {json.dumps(version)};\nconst PRECACHE = {json.dumps(urls)};\n"
    response = Response(header + source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # the browser must always ask for a newer worker
    response.headers["Service-Worker-Allowed"] = "/"
    return response
