"""Query parameters read by hand in views (ids, dates): malformed ones answer 400, never 500.

FilterSets use ``core.filters.IdFilter`` / ``YearFilter``; a view that reads ``?village=``
itself goes through :func:`query_id`. Django's ``BadRequest`` becomes a 400 page, and DRF
lets it through to the same 400.
"""

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

# Primary keys are 64-bit signed integers in every database the project runs on.
MAX_ID = 2**63 - 1


def query_id(params, name: str) -> int | None:
    """``params[name]`` as a primary key, None when absent; BadRequest when not one."""
    text = (params.get(name) or "").strip()
    if not text:
        return None
    if not text.isdecimal() or not 1 <= int(text) <= MAX_ID:
        raise BadRequest(_("参数 %(name)s 应为编号") % {"name": name})
    return int(text)


def page_number(params, name: str = "page") -> int:
    """``params[name]`` as a page number (1 and up), as ``Paginator.get_page`` reads it: a
    missing or malformed value is the first page; the caller clamps it to the last page."""
    text = (params.get(name) or "").strip()
    if not text.isdecimal() or len(text) > 9:
        return 1 if not text.isdecimal() else 10**9
    return max(int(text), 1)
