"""AD RMS's web services as IIS answers them, on the admin port: GET /__lab/rms/<server>/_wmcs/<path> is 401 (Windows
authentication asked for) while AD RMS is provisioned and its application pools run, 503 when a pool is stopped, 404 when
the server has no AD RMS."""


def rms_web_services(store):
    def answer(method, route, _spec):
        parts = (route or "").split("/")
        if method != "GET" or len(parts) < 4 or parts[1] != "rms" or parts[3] != "_wmcs":
            return None
        server = store.snapshot()["servers"].get(parts[2].lower())
        if server is None or not server["rms"]["provisioned"] or not server["features"].get("ADRMS-Server"):
            return 404, {"error": "Not Found"}
        if any(state != "Started" for state in server["rms"]["app_pools"].values()):
            return 503, {"error": "Service Unavailable"}
        return 401, {"error": "Unauthorized: Access is denied due to invalid credentials."}
    return answer
