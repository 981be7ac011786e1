"""User-defined messages of master (sys.messages, message ids over 50000) in several languages,
sp_addmessage as SQL Server checks it, and the two catalog queries the collection reads them with."""
from sqllab import errors
from sqllab.statements import statement
from sqllab.syntax import OPERAND, procedure_arguments

# sys.syslanguages (a subset): name, alias, msglangid. British shares us_english's messages (1033).
LANGUAGES = [("us_english", "English", 1033), ("Deutsch", "German", 1031), ("Français", "French", 1036), ("日本語", "Japanese", 1041),
             ("Español", "Spanish", 3082), ("Italiano", "Italian", 1040), ("Nederlands", "Dutch", 1043), ("British", "British English", 1033)]
ENGLISH = 1033
ARGUMENTS = ("msgnum", "severity", "msgtext", "lang", "with_log", "replace")


def _language_id(name):
    for language, alias, language_id in LANGUAGES:
        if name is None or name.lower() in (language.lower(), alias.lower()):
            return language_id if name is not None else ENGLISH
    raise errors.SqlError(15033, "'%s' is not a valid official language name." % name)


@statement(r"EXEC(?:UTE)?\s+(?:master\.dbo\.|master\.\.)?sp_addmessage\s+(?P<arguments>@msgnum\s*=.+)")
def sp_addmessage(session, _reply, values, arguments):
    given = procedure_arguments(arguments, values, ARGUMENTS, "sp_addmessage")
    number, severity, text = int(given["msgnum"]), int(given["severity"]), given["msgtext"]
    if number <= 50000:
        raise errors.SqlError(15040, "User-defined error messages must have an ID greater than 50000.")
    if not 1 <= severity <= 25:
        raise errors.SqlError(15041, "User-defined error messages must have a severity level between 1 and 25.")
    language_id = _language_id(given.get("lang"))
    state = session.server.state
    with state.lock:
        stored = state.catalog.setdefault("messages", [])
        if language_id != ENGLISH and not any(m["message_id"] == number and m["language_id"] == ENGLISH for m in stored):
            raise errors.SqlError(15279, "You must add the us_english version of this message before you add the '%s' version."
                                  % given.get("lang"))
        existing = [m for m in stored if m["message_id"] == number and m["language_id"] == language_id]
        if existing and str(given.get("replace") or "").lower() != "replace":
            raise errors.SqlError(15043, "You must specify 'REPLACE' to overwrite an existing message.")
        for message in existing:
            stored.remove(message)
        stored.append({"message_id": number, "language_id": language_id, "severity": severity, "text": text,
                       "is_event_logged": str(given.get("with_log") or "FALSE").upper() == "TRUE"})
        state.save()


@statement(r"SELECT\s+message_id,\s*language_id,\s*severity,\s*is_event_logged,\s*text\s+FROM\s+sys\.messages\s+WHERE\s+message_id\s*>"
           r"\s*50000\s+ORDER\s+BY\s+message_id,\s*language_id")
def select_messages(session, reply, _values):
    stored = sorted(session.server.state.catalog.get("messages", []), key=lambda m: (m["message_id"], m["language_id"]))
    reply.result_set([("message_id", "int"), ("language_id", "int"), ("severity", "int"), ("is_event_logged", "bit"), ("text", "nvarchar")],
                     [(m["message_id"], m["language_id"], m["severity"], m["is_event_logged"], m["text"]) for m in stored])


@statement(r"SELECT\s+name,\s*alias,\s*msglangid\s+FROM\s+sys\.syslanguages")
def select_languages(_session, reply, _values):
    reply.result_set([("name", "nvarchar"), ("alias", "nvarchar"), ("msglangid", "int")], LANGUAGES)


@statement(r"EXEC(?:UTE)?\s+(?:master\.dbo\.|master\.\.)?sp_dropmessage\s+@msgnum\s*=\s*(?P<number>%s)(?:\s*,\s*@lang\s*=\s*(?P<lang>%s))?"
           % (OPERAND, OPERAND))
def sp_dropmessage(session, _reply, values, number, lang):
    """Tests drop messages to prove a restore puts them back; 'all' drops every language."""
    number, language = int(values(number)), values(lang) if lang else None
    state = session.server.state
    with state.lock:
        stored = state.catalog.setdefault("messages", [])
        if str(language).lower() == "all":
            doomed = [m for m in stored if m["message_id"] == number]
        else:
            language_id = _language_id(language)
            doomed = [m for m in stored if m["message_id"] == number and m["language_id"] == language_id]
        if not doomed:
            raise errors.SqlError(15190, "There are no messages with the number %d." % number)
        for message in doomed:
            stored.remove(message)
        state.save()
