"""The PageList XML of Get Page Ranges (Diff): parsed from Azurite, rendered for the client."""
from xml.etree import ElementTree


def parse(body):
    """([(start, stop)] valid ranges, [(start, stop)] cleared ranges) of a PageList document."""
    root = ElementTree.fromstring(body)
    found = {"PageRange": [], "ClearRange": []}
    for element in root:
        if element.tag in found:
            found[element.tag].append((int(element.findtext("Start")), int(element.findtext("End")) + 1))
    return found["PageRange"], found["ClearRange"]


def render(items, next_marker=None):
    """*items* [(start, stop, "PageRange" or "ClearRange")] in offset order, as Azure writes them."""
    parts = ['<?xml version="1.0" encoding="utf-8"?><PageList>']
    for start, stop, kind in items:
        parts.append("<%s><Start>%d</Start><End>%d</End></%s>" % (kind, start, stop - 1, kind))
    if next_marker:
        parts.append("<NextMarker>%s</NextMarker>" % next_marker)
    parts.append("</PageList>")
    return "".join(parts).encode()
