"""The lab's services by name; a new stand-in is one module under services/ and one line here."""
from services.arm import Arm
from services.azurite import Azurite
from services.mabs import Mabs
from services.sql_server import SqlServer
from services.storage_proxy import StorageProxy
from services.windows import Windows

SERVICES = {service.name: service for service in (
    Azurite(),
    StorageProxy(),
    Arm(),
    SqlServer(),
    Mabs(),
    Windows(),
)}
