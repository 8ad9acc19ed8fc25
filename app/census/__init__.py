"""The census form: its versioned definition, the income engine, screening and validation.

The engine, screening and validation are pure (plain data in, plain data out) and mirrored
in static/js/core/ for the phone; tests/vectors/ holds the cases both must agree on.
"""
