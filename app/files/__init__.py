"""Files people download: the fields of a table, the CSV and XLSX writers that stream it, and
the response that sends it; uploads: a table read as text (sheets), a cell read as an ID number
or a date (cells), a table kept for the worker until its import job has run (kept)."""
