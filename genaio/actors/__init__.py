"""The actor runtime and the actors: mailboxes, supervisors, the family actors and the tree.

Each name is imported from its module the first time it is used: a client is created with its
limits and runtime, and the actors (and the engine they drive) are imported when its tree opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genaio._lazy import lazy_names

if TYPE_CHECKING:
    from genaio.actors._actor import Actor, ActorStatistics
    from genaio.actors._coalesce import BatchPolicy
    from genaio.actors._envelope import Envelope, new_request_id
    from genaio.actors._errors import single_error
    from genaio.actors._family import FamilyActor
    from genaio.actors._limits import FamilyLimits, Limits
    from genaio.actors._mailbox import fail_fast
    from genaio.actors._reply import Reply
    from genaio.actors._rest import Answer, Batchable, OpenStream, RestWork
    from genaio.actors._runtime import Runtime
    from genaio.actors._supervisor import RestartBudget, supervise
    from genaio.actors._tree import ActorTree, open_actor_tree

__all__ = [
    "Actor",
    "ActorStatistics",
    "ActorTree",
    "Answer",
    "BatchPolicy",
    "Batchable",
    "Envelope",
    "FamilyActor",
    "FamilyLimits",
    "Limits",
    "OpenStream",
    "Reply",
    "RestWork",
    "RestartBudget",
    "Runtime",
    "fail_fast",
    "new_request_id",
    "open_actor_tree",
    "single_error",
    "supervise",
]

#: Where each name is defined, imported the first time it is used.
_WHERE = {
    "Actor": "genaio.actors._actor",
    "ActorStatistics": "genaio.actors._actor",
    "BatchPolicy": "genaio.actors._coalesce",
    "Envelope": "genaio.actors._envelope",
    "new_request_id": "genaio.actors._envelope",
    "single_error": "genaio.actors._errors",
    "FamilyActor": "genaio.actors._family",
    "FamilyLimits": "genaio.actors._limits",
    "Limits": "genaio.actors._limits",
    "fail_fast": "genaio.actors._mailbox",
    "Reply": "genaio.actors._reply",
    "Answer": "genaio.actors._rest",
    "Batchable": "genaio.actors._rest",
    "OpenStream": "genaio.actors._rest",
    "RestWork": "genaio.actors._rest",
    "Runtime": "genaio.actors._runtime",
    "RestartBudget": "genaio.actors._supervisor",
    "supervise": "genaio.actors._supervisor",
    "ActorTree": "genaio.actors._tree",
    "open_actor_tree": "genaio.actors._tree",
}


__getattr__ = lazy_names(__name__, _WHERE)
