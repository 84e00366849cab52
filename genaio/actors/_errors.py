"""What callers get when actor work fails: one error each, never a group, none dropped.

Exception groups never leave the facade, but a group may hold several distinct errors (a
merged request's halves, a worker and its cleanup). The one raised is the group's first genaio
error (else its first `Exception`): the error a caller can act on, of a type it can catch. The
others stay with it: named in a note, and kept as its `__cause__` (a group) unless it has a
cause of its own. Raising the group itself would hand callers a type they cannot catch as
`genaio.errors.APIError`.
"""

from __future__ import annotations

from collections.abc import Iterator

from genaio._log import get_logger
from genaio.errors import ActorCrashedError, GenaioError, InternalError

__all__ = ["call_error", "crash_error", "describe", "single_error"]

log = get_logger("genaio.actor")


def single_error(exc: BaseException) -> BaseException:
    """One error for what may be an exception group: its first genaio error, else its first
    `Exception`, else its first leaf; the others in a note and as its `__cause__`."""
    if not isinstance(exc, BaseExceptionGroup):
        return exc
    leaves = list(_leaves(exc))
    if not leaves:
        return exc
    error = next(
        (e for e in leaves if isinstance(e, GenaioError)),
        next((e for e in leaves if isinstance(e, Exception)), leaves[0]),
    )
    others = [e for e in leaves if e is not error]
    if others:
        error.add_note(
            f"{len(others)} more error(s) raised with it: "
            + "; ".join(describe(other) for other in others)
        )
        if error.__cause__ is None:
            error.__cause__ = BaseExceptionGroup("the errors raised with it", others)
    error.__suppress_context__ = True  # the group it came in adds nothing
    return error


def call_error(exc: BaseException, where: str) -> BaseException:
    """What the caller of work that raised `exc` gets: one genaio error (an API error as it is),
    or `InternalError` with the bug as its cause, logged, for anything else. `where` names the
    work, for the message."""
    error = single_error(exc)
    if isinstance(error, GenaioError) or not isinstance(error, Exception):
        return error
    log.error("a call failed on an unexpected exception", where=where, exc_info=error)
    internal = InternalError(f"genaio failed on this call ({where}): {describe(error)}")
    internal.__cause__ = error
    return internal


def crash_error(name: str, exc: BaseException) -> ActorCrashedError:
    """What the callers of a crashed actor (or Live session) get, the bug as its cause."""
    error = ActorCrashedError(f"the {name} actor crashed: {describe(exc)}")
    error.__cause__ = exc
    return error


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc
