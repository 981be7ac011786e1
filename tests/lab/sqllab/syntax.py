"""Pieces of T-SQL syntax the lab's statements share: bracketed names, operands, WITH options."""
import re

from sqllab import errors

NAME = r"\[(?:[^\]]|\]\])+\]|[A-Za-z_][\w@$#]*"
OPERAND = r"@\w+|N?'(?:[^']|'')*'|-?\d+"


def unquote_name(name):
    """``[a]]b]`` -> ``a]b``; a bare name as it is."""
    return name[1:-1].replace("]]", "]") if name.startswith("[") else name


def split_options(text):
    """The comma-separated items of a WITH clause; commas inside quotes do not split."""
    items, current, quoted = [], "", False
    for character in text or "":
        if character == "'":
            quoted = not quoted
        if character == "," and not quoted:
            items.append(current.strip())
            current = ""
        else:
            current += character
    if current.strip():
        items.append(current.strip())
    return items


def options(text, values, allowed):
    """{OPTION: value or True} of a WITH clause; MOVE items become a list of (logical, physical)."""
    found = {"MOVE": []}
    for item in split_options(text):
        move = re.fullmatch(r"MOVE\s+(%s)\s+TO\s+(%s)" % (OPERAND, OPERAND), item, re.IGNORECASE | re.DOTALL)
        if move:
            found["MOVE"].append((values(move.group(1)), values(move.group(2))))
            continue
        pair = re.fullmatch(r"([A-Z_]+)\s*(?:=\s*(%s))?" % OPERAND, item, re.IGNORECASE | re.DOTALL)
        if not pair or pair.group(1).upper() not in allowed:
            raise errors.not_implemented("the option %s" % item)
        found[pair.group(1).upper()] = values(pair.group(2)) if pair.group(2) else True
    return found


def procedure_arguments(text, values, allowed, procedure):
    """{name: value} of a procedure call's ``@name = operand`` list; an argument not in *allowed* is not implemented."""
    given = {}
    for item in split_options(text):
        name, operand = (item.split("=", 1) + [""])[:2]
        name = name.strip().lstrip("@").lower()
        if name not in allowed or not operand.strip():
            raise errors.not_implemented("%s argument %s" % (procedure, item.strip()))
        given[name] = values(operand.strip())
    return given
