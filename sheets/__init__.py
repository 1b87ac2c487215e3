"""The spreadsheet edge: column layout, header matching and the backends."""
