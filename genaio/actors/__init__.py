"""The actor runtime and the actors: mailboxes, supervisors, the family actors and the tree."""

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
