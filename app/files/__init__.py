"""Files people download: the fields of a table, the CSV and XLSX writers that stream it, and
the response that sends it."""
