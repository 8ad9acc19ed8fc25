from flask.cli import AppGroup

cli = AppGroup("demo", help="Demo data.")
