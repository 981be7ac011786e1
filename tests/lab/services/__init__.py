"""The lab's services by name; a new stand-in is one module under services/ and one line here."""
from services.azurite import Azurite

SERVICES = {service.name: service for service in (
    Azurite(),
)}
