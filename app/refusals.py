"""How a view answers a service's refusal (an ``app.errors.DomainError``): its ``status``
says the HTTP code, these say it to the user, as a page or as JSON."""
from collections.abc import Callable

from flask import jsonify, render_template
from flask_babel import gettext as _

from app.errors import DomainError, InvalidInput


def describe(error: DomainError) -> str:
    """The refusal in the user's language (InvalidInput carries its sentence translated)."""
    return error.message if isinstance(error, InvalidInput) else _(error.message, **error.params)


def refused_page(error: DomainError, page: Callable, links: tuple[tuple[str, str], ...] = ()):
    """A page's answer to a refusal: the page again with the message for input it did not
    take (422), else a page saying why, with the ways back (``links``: URL and link text),
    such as to the record as it now is."""
    if error.status == 422:
        return page(status=422, error=error)
    return render_template("refused.html", status=error.status, message=describe(error), links=links), error.status


def refused_json(error: DomainError, **extra):
    """An API's answer to a refusal: the status, the message, the field it is about, and
    whatever the caller adds (a record's current state and version)."""
    field = {"field": error.field} if isinstance(error, InvalidInput) else {}
    return jsonify(error=error.status, message=describe(error), **field, **extra), error.status
