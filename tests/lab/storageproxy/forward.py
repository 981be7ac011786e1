"""The pass-through: a request goes to Azurite unchanged and its answer comes back unchanged.

Method, target, end-to-end headers (Authorization included) and body are sent as received,
the body streamed as it arrives; the answer is streamed back the same way. Only hop-by-hop
headers are dropped (Host is sent as received). A body without a length is re-chunked.
"""
import http.client

from storageproxy.messages import HOP_BY_HOP, PIECE
from storageproxy.upstream import UpstreamFailed

NO_BODY_STATUSES = (204, 304)


def forward(handler, request, session, count_request_bytes=None, count_response_bytes=None):
    """Relay *request*; the count_* callbacks receive byte counts of a body if Azurite answered 2xx.

    Returns the status sent to the client."""
    bodiless = request.body.empty
    for attempt in (1, 2):
        reused = session.has_connection()
        try:
            response, sent = _send(request, session.connection())
            break
        except (http.client.HTTPException, OSError) as error:
            session.close()
            # A kept-alive connection Azurite closed as we used it: safe to resend only what has no body.
            if attempt == 2 or not (reused and bodiless):
                raise UpstreamFailed(str(error)) from error
    if 200 <= response.status < 300 and count_request_bytes:
        count_request_bytes(sent)
    received = _relay_response(handler, request, response)
    if response.will_close:
        session.close()
    else:
        session.finished()
    if 200 <= response.status < 300 and count_response_bytes:
        count_response_bytes(received)
    return response.status


def _send(request, connection):
    connection.putrequest(request.method, request.target, skip_host=True, skip_accept_encoding=True)
    for name, value in request.headers.items():
        if name.lower() not in HOP_BY_HOP or name.lower() == "host":
            connection.putheader(name, value)
    if request.body.chunked:
        connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    sent = 0
    for piece in request.body.pieces():
        sent += len(piece)
        connection.send(b"%x\r\n%s\r\n" % (len(piece), piece) if request.body.chunked else piece)
    if request.body.chunked:
        connection.send(b"0\r\n\r\n")
    return connection.getresponse(), sent


def _relay_response(handler, request, response):
    handler.send_response_only(response.status, response.reason)
    for name, value in response.getheaders():
        if name.lower() not in HOP_BY_HOP:
            handler.send_header(name, value)
    has_body = request.method != "HEAD" and response.status not in NO_BODY_STATUSES
    rechunk = has_body and response.getheader("Content-Length") is None
    if rechunk:
        handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    handler.status_sent = response.status
    received = 0
    while has_body:
        piece = response.read1(PIECE)
        if not piece:
            break
        received += len(piece)
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if rechunk else piece)
    if rechunk:
        handler.wfile.write(b"0\r\n\r\n")
    # Read to its end and closed, the response frees the connection for the next request.
    response.read()
    response.close()
    return received
