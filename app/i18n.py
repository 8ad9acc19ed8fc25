"""Which language a request is shown in: the user's saved choice, else the choice made
on the sign-in page, else Simplified Chinese."""
from flask import has_request_context, session
from flask_login import current_user

from app.auth.models import LOCALES

HTML_LANG = {"zh_Hans": "zh-Hans", "en": "en"}


def select_locale() -> str:
    if not has_request_context():  # the CLI and background work speak the default language
        return "zh_Hans"
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    choice = session.get("locale_choice")
    return choice if choice in LOCALES else "zh_Hans"
