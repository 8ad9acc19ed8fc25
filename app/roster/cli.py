from flask.cli import AppGroup

cli = AppGroup("roster", help="Import the household roster.")
