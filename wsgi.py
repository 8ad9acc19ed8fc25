"""WSGI entry point: gunicorn serves ``wsgi:app``."""
from app import create_app

app = create_app()
