"""Monitoring (防止返贫监测): village assessment of flagged households, identification and
risk-elimination proposals through appraisal, public notice and approval, the monitored
register and its assistance measures."""
