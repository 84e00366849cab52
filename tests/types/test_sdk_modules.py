"""google-genai's submodules and its errors module, against genaio's, by introspection.

Code written for the SDK imports its modules by name (`from google.genai import pagers`,
`errors.ContinuationInterruptedError`); the same import from genaio must work.
"""

from __future__ import annotations

import importlib
import inspect
import warnings

import pytest

from genaio import errors

sdk = pytest.importorskip("google.genai")
sdk_errors = importlib.import_module("google.genai.errors")

#: The SDK's submodules genaio has; each must hold the SDK's async classes.
MODULES = [
    "batches",
    "caches",
    "chats",
    "client",
    "documents",
    "file_search_stores",
    "files",
    "live",
    "models",
    "operations",
    "pagers",
    "tokens",
    "tunings",
    "version",
]

#: What the SDK's modules hold that genaio's do not, and why.
ABSENT = {
    # One generic blocking surface (api/_sync.py) instead of a sync twin of every class.
    "sync": "Batches Caches Chat Chats Documents FileSearchStores Files Models Operations Pager "
    "Tokens Tunings",
}


def sdk_classes(module: object) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and inspect.isclass(value)
        and value.__module__ == getattr(module, "__name__", None)
    }


@pytest.mark.parametrize("name", MODULES)
def test_the_sdks_submodule_imports_from_genaio(name: str) -> None:
    ours = importlib.import_module(f"genaio.{name}")
    theirs = importlib.import_module(f"google.genai.{name}")
    absent = set(" ".join(ABSENT.values()).split())
    missing = sdk_classes(theirs) - absent - set(vars(ours))
    assert not missing, f"genaio.{name} lacks {sorted(missing)}"
    assert set(ours.__all__) <= set(vars(ours))


def test_from_genaio_import_a_submodule() -> None:
    from genaio import chats, pagers, version

    assert pagers.AsyncPager.__name__ == "AsyncPager"
    assert chats.AsyncChat.__name__ == "AsyncChat"
    assert version.__version__


def test_the_errors_module_has_every_sdk_error() -> None:
    theirs = {
        name
        for name, value in vars(sdk_errors).items()
        if inspect.isclass(value) and issubclass(value, BaseException) and not name.startswith("_")
    }
    assert not theirs - set(errors.__all__)


def test_a_continuation_interrupted_error_carries_what_resuming_takes() -> None:
    error = errors.ContinuationInterruptedError(
        "stopped", continuation_token="tok", interaction_id="i1", continuation_ids=["a"]
    )
    assert isinstance(error, errors.StreamInterruptedError)
    assert (error.continuation_token, error.interaction_id, error.continuation_ids) == (
        "tok",
        "i1",
        ["a"],
    )
    assert error.partial_interaction is None
    assert str(error) == "stopped"


def test_an_experimental_warning_is_a_warning_that_filters_select() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", errors.ExperimentalWarning)
        warnings.warn("may change", errors.ExperimentalWarning, stacklevel=1)
    assert [w.category for w in caught] == [errors.ExperimentalWarning]


#: What google.genai.types imports for its own use (typing names, clients, its logger).
SDK_TYPES_IMPORTS = set(
    "Any Callable ClientSession Dict Field HttpxAsyncClient HttpxClient List Literal Optional "
    "PIL_Image PrivateAttr Self Sequence T TYPE_CHECKING TypedDict Union VersionedUnionType "
    "abstractmethod logger model_validator".split()
)


def test_every_public_name_of_the_sdks_types_is_in_genaio_types() -> None:
    """Type aliases (`ToolUnion`, `SchemaUnion`...) and constants (`JOB_STATES_ENDED`) too;
    the `*Dict` names are checked with the TypedDicts, and classes by test_sdk_surface."""
    from genaio import types

    theirs = importlib.import_module("google.genai.types")
    missing = [
        name
        for name, value in vars(theirs).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and not name.endswith("Dict")
        and name not in SDK_TYPES_IMPORTS
        and not (inspect.isclass(value) and value.__module__ != theirs.__name__)
        and not hasattr(types, name)
    ]
    assert not missing


def test_the_job_state_lists_hold_both_backends_states() -> None:
    from genaio import types

    assert types.JobState.JOB_STATE_CANCELLED in types.JOB_STATES_ENDED
    assert "ACTIVE" in types.JOB_STATES_SUCCEEDED
    finished = {"SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED"}
    assert set(types.JOB_STATES_ENDED_VERTEX) == {f"JOB_STATE_{state}" for state in finished}
