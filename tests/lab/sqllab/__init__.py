"""The lab's SQL Server: a TDS 7.4 server with on-disk state (what it models: services/sql_server.py), and an in-memory
request log of every SQL batch and RPC call it received, values and secrets as sent (requestlog.py), which tests read
with EXEC drkit_lab.requests and empty with EXEC drkit_lab.clear_requests (labprocs.py)."""
