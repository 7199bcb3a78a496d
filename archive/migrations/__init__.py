"""One module per schema migration, applied in file-name order (``m0001_…``, ``m0002_…``)."""
