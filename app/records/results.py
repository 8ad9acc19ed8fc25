"""The phone's result beside the server's: which figures must agree, and whether they do.

The server recomputes income and screening with the same engine as the phone and keeps both
results; when they disagree the record is flagged ``result_mismatch`` for the reviewer, never
refused. Pure module: no Flask, no database.
"""
from __future__ import annotations

# What "the same result" means: these income figures and the flag codes.
COMPARED_INCOME = ("household_size", "family_net_income", "per_capita_net_income", "per_capita_after_rigid_costs",
                   "out_of_pocket", "insurance_payouts")


def results_differ(client_result, server_result: dict) -> bool:
    """True when the phone's income figures or flag codes are not the server's (or unreadable)."""
    try:
        client_income, server_income = client_result["income"], server_result["income"]
        if any(client_income.get(key) != server_income[key] for key in COMPARED_INCOME):
            return True
        return sorted(flag["code"] for flag in client_result["screening"]["flags"]) != \
            sorted(flag["code"] for flag in server_result["screening"]["flags"])
    except (KeyError, TypeError, AttributeError):
        return True
