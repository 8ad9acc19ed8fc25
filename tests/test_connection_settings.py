"""Every connection the app opens is set up for it: SQLite with foreign keys enforced,
PostgreSQL without JIT (which costs a county dashboard ~0.5 s a query) and with the cost of
a random read of SSD or memory."""
from sqlalchemy import text

from app.extensions import db


def test_each_new_connection_is_set_up(app_context):
    db.engine.dispose()  # a fresh connection, and one that has been through the pool's reset
    for _ in range(2):
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                assert connection.execute(text("SHOW jit")).scalar() == "off"
                assert connection.execute(text("SHOW random_page_cost")).scalar() == "1.1"
            else:
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            connection.rollback()
