"""The authorization matrix's table, one module per app: each holds `ENTRIES`, the entries of the
routes that app serves (its pages, its API operations, its back-office models). A new app adds its
module here and to `APPS` in `gridwork/web/tests/matrix/table.py`."""
