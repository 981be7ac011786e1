# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Page ranges of page blobs: the units an incremental copy moves.

Azure addresses page blobs in 512-byte pages and takes at most 4 MiB in one Put Page
(or Put Page From URL); ranges are inclusive ``[start, end]`` byte offsets as the
service lists them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError

PAGE_SIZE = 512
MAX_PUT_PAGE = 4 * 1024 * 1024


def merge(ranges):
    """Sorted, non-overlapping ``(start, end)`` ranges with adjacent ones joined."""
    merged = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def chunks(ranges, limit=MAX_PUT_PAGE):
    """Split ranges into ``(offset, length)`` writes of at most *limit* bytes, page aligned."""
    pieces = []
    for start, end in merge(ranges):
        if start % PAGE_SIZE or (end + 1) % PAGE_SIZE:
            raise DrkitError("range %d-%d is not aligned to 512-byte pages" % (start, end), step="plan_copy")
        offset = start
        while offset <= end:
            length = min(limit, end + 1 - offset)
            pieces.append((offset, length))
            offset += length
    return pieces


def total_bytes(ranges):
    return sum(end + 1 - start for start, end in merge(ranges))
