"""Publication of the verified archive: open data files, Data Package, DCAT catalogue, PDFs."""
