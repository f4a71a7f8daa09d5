"""The public's part: signboards (公示牌), residents' reports, Open311, publicity articles.

The package name shadows the top-level ``public`` module of the ``atpublic`` distribution, which
aiosmtpd (a dev dependency, the local SMTP server of the outbox fault tests) imports as
``from public import public``. With the project root first on ``sys.path`` aiosmtpd gets this
package, so it offers the same two decorators (``public`` adds a name to the calling module's
``__all__``, ``private`` keeps it out).
"""

import sys
from typing import Any


def public(thing: Any = None, **kws: Any) -> Any:
    mdict = sys._getframe(1).f_globals
    names = mdict.setdefault("__all__", [])
    if thing is None:
        for key, value in kws.items():
            mdict[key] = value
            if key not in names:
                names.append(key)
        values = tuple(kws.values())
        return values[0] if len(values) == 1 else values
    name = thing if isinstance(thing, str) else thing.__name__
    if name not in names:
        names.append(name)
    return thing


def private(thing: Any) -> Any:
    names = sys._getframe(1).f_globals.get("__all__", [])
    name = thing if isinstance(thing, str) else thing.__name__
    if name in names:
        names.remove(name)
    return thing
