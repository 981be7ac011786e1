"""The sql_server options of a module task against the lab's SQL Server."""


def sql_params(lab, **overrides):
    """The lab's connection options with the argument spec's defaults, as a module would have them."""
    params = dict(lab["drkit_lab_sql"], instance=None, integrated_auth=False, encrypt="mandatory", trust_server_certificate=False,
                  login_timeout=10, application_name="drkit.microsoft tests")
    params.update(overrides)
    return params
