"""pysock: the socket module on thin C shims, with the stdlib as fallback.

``import pysock as socket`` and existing socket code runs unchanged.  The
active backend is ``pysock.backend`` ("cffi" or "stdlib"); if the compiled one
could not be loaded, ``pysock.backend_error`` says why.  Both backends stay
importable as ``pysock.backends.cffi`` and ``pysock.backends.stdlib``.
"""

from pysock import backends
from pysock._backend import select as _select
from pysock._version import __version__

backend, _module, backend_error = _select()
globals().update({name: getattr(_module, name) for name in _module.__all__})
__all__ = list(_module.__all__) + ["backend", "backend_error", "backends",
                                   "__version__"]
del _select, _module
