"""`gridwork backup` and `gridwork restore`: the database (SQLite through its online backup API,
PostgreSQL through pg_dump/pg_restore), the media folder, and a manifest to verify both against."""
