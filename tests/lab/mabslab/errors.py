"""A script that threw on the Windows side: what the collection's bootstrap reports of the ErrorRecord."""


class ScriptFailure(Exception):
    def __init__(self, message, error_id, category, exception_type="System.Management.Automation.RuntimeException"):
        super().__init__(message)
        self.message, self.error_id, self.category, self.exception_type = message, error_id, category, exception_type

    def envelope(self):
        return {"ok": False, "error": {"message": self.message, "type": self.exception_type, "error_id": self.error_id, "category": self.category}}
