"""The lab's SQL Server: a TDS 7.4 server with on-disk state (see services/sql_server.py)."""
