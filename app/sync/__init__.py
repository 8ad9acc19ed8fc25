"""Offline sync (离线同步): records pushed from phones, their revisions, conflicts and attachments."""
