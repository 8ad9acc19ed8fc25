"""Offline sync (离线同步): the phone's API: session, pull, push and file uploads. The records
themselves, and their rules, are app.records'."""
