"""Roster import: the county's household roster from XLSX or CSV, all or nothing."""
