"""The lab's storage proxy: Azure Blob behaviours Azurite lacks, in front of Azurite.

What it models and what it does not is stated in services/storage_proxy.py, the service that
starts it. One module per job:

    __main__     command line: arguments, accounts, serve
    server       the HTTPS server and the dispatch of each request
    messages     a request as received (path, query, headers, body) and the replies we send
    operations   which Blob operation a request is (names used by counters and faults)
    rules        Azure refusals Azurite does not make (snapshot writes, Put Page over 4 MiB)
    authorize    the caller's credential on the operations the proxy implements itself
    sharedkey    the SharedKey signature, to check callers' and to sign our own requests
    upstream     requests to Azurite, forwarded unchanged or signed with an account key
    forward      the pass-through of everything else, streamed both ways
    diff         Get Page Ranges Diff, computed from both versions' pages
    page_from_url  Put Page From URL, read from the copy source and written with Put Page
    ranges, pagelist  byte-range arithmetic and the PageList XML
    errors       Azure's error codes and messages, and its error XML
    counters, faults, admin  what tests see and steer through /__lab
"""
