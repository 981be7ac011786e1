"""Byte ranges: Range header values, and sets of ranges as sorted, merged half-open intervals.

Internally a range is (start, stop) with stop exclusive; Azure's headers and PageList XML use
inclusive ends, converted at the edges.
"""
import re

PAGE = 512
RANGE_HEADER = re.compile(r"^bytes=(\d+)-(\d*)$")


def parse_header(value):
    """(start, end inclusive or None) of "bytes=start-[end]"; ValueError if malformed."""
    match = RANGE_HEADER.match((value or "").strip())
    if not match:
        raise ValueError("not a single byte range: %r" % value)
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else None
    if end is not None and end < start:
        raise ValueError("range ends before it starts: %r" % value)
    return start, end


def aligned(start, end):
    """Whether [start, end] (inclusive) covers whole 512-byte pages."""
    return start % PAGE == 0 and (end + 1) % PAGE == 0


def merge(ranges):
    """The sorted union of *ranges*, adjacent and overlapping ones joined."""
    merged = []
    for start, stop in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        elif start < stop:
            merged.append((start, stop))
    return merged


def clip(ranges, low, high):
    return [(max(start, low), min(stop, high)) for start, stop in ranges if start < high and stop > low]


def intersect(first, second):
    """Where both merged sets are."""
    result, i, j = [], 0, 0
    while i < len(first) and j < len(second):
        start, stop = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if start < stop:
            result.append((start, stop))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract(first, second):
    """Where the merged set *first* is and *second* is not."""
    result = []
    for start, stop in first:
        for other_start, other_stop in second:
            if other_stop <= start or other_start >= stop:
                continue
            if other_start > start:
                result.append((start, other_start))
            start = max(start, other_stop)
            if start >= stop:
                break
        if start < stop:
            result.append((start, stop))
    return result


def chunks(ranges, size):
    """*ranges* cut into pieces of at most *size* bytes."""
    for start, stop in ranges:
        for offset in range(start, stop, size):
            yield offset, min(offset + size, stop)


def differing_pages(first, second, offset):
    """Ranges of the 512-byte pages where two equally long buffers differ; *offset* is where they start."""
    if first == second:
        return []
    view_a, view_b = memoryview(first), memoryview(second)
    return merge((offset + i, offset + i + PAGE) for i in range(0, len(first), PAGE)
                 if view_a[i:i + PAGE] != view_b[i:i + PAGE])
