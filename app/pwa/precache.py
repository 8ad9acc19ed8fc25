"""What the service worker precaches, and the version hash that names it.

The version is a hash of every precached file's content (and the form definitions and
translations the bundles are made of), so any deployment that changes what the phone runs
produces a new service worker, and nothing else does.
"""
from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from app.auth.models import LOCALES

ROOT = Path(__file__).resolve().parent.parent.parent
STATIC = ROOT / "static"
# The app shell's static files: everything the offline app imports, and nothing it doesn't.
STATIC_FILES = (
    "css/app.css", "css/field.css",
    "icons/icon-192.png", "icons/icon-512.png", "icons/favicon-32.png", "icons/mark.svg",
    "vendor/idb-8.0.4/idb.js",
    *(str(path.relative_to(STATIC)) for folder in ("js/core", "js/ui", "js/store", "js/sync")
      for path in sorted((STATIC / folder).glob("*.js"))),
    "js/app.js",
)
# A static import or re-export (`import { x } from "./y.js";`); `import("./y.js")`, which
# loads a module only when it is needed, is not one.
_STATIC_IMPORT = re.compile(r"^\s*(?:import|export)\b[^;\"']*?\bfrom\s*[\"']([^\"']+)[\"']", re.M)


@cache
def start_modules(entry: str = "js/app.js") -> tuple[str, ...]:
    """The modules the app needs to start and draw its list: ``entry`` and everything it
    imports statically, entry first (the shell preloads them). What it imports only when
    needed (the census form, the search) is precached but not preloaded."""
    found, waiting = [], [entry]
    while waiting:
        name = waiting.pop(0)
        if name in found:
            continue
        found.append(name)
        folder = (STATIC / name).parent
        for target in _STATIC_IMPORT.findall((STATIC / name).read_text()):
            waiting.append(str((folder / target).resolve().relative_to(STATIC.resolve())))
    return tuple(found)


# What the bundles are made of, beyond the static files.
BUNDLE_SOURCES = (ROOT / "app" / "census" / "definitions", ROOT / "app" / "translations",
                  ROOT / "app" / "census" / "messages.py")


def bundle_urls(form_version: str) -> list[str]:
    return [f"/census/forms/{form_version}.json?locale={locale}" for locale in LOCALES]


@cache
def _content_hash(salt: str) -> str:
    digest = hashlib.sha256(salt.encode())
    paths = [STATIC / name for name in STATIC_FILES]
    for source in BUNDLE_SOURCES:
        paths += sorted(source.rglob("*")) if source.is_dir() else [source]
    paths += [ROOT / "templates" / "pwa" / "shell.html", ROOT / "templates" / "_icons.html"]  # and what it includes
    paths.append(ROOT / "static" / "js" / "service-worker.js")
    for path in paths:
        if path.is_file() and path.suffix != ".po":  # the compiled .mo is what ships
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def version(form_version: str, salt: str = "") -> str:
    return _content_hash(f"{salt}|{form_version}")
