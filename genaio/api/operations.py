"""`client.aio.operations`: long-running operations: get, and wait until done."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from genaio.api._lro import PollPolicy, poll_policy, wait_until_done
from genaio.api._normalize import coerce_config
from genaio.api._resource import Resource
from genaio.engine import RestCall
from genaio.types import GetOperationConfig, Operation

__all__ = ["AsyncOperations"]

OperationT = TypeVar("OperationT", bound=Operation)


class AsyncOperations(Resource):
    """Long-running operations of any family (videos, file search imports and uploads, ...).

    Each is refreshed as its own class: the answer is parsed with `type(operation).from_api`.
    """

    family = "operations"

    async def get(
        self,
        operation: OperationT,
        *,
        config: GetOperationConfig | Mapping[str, Any] | None = None,
    ) -> OperationT:
        """The operation as the server has it now (one request, no waiting).

        Cancellation: cancelling the caller cancels the request; `operation` is unchanged.
        """
        if not operation.name:
            raise ValueError("Operation name is empty.")
        options = self._options(coerce_config(GetOperationConfig, config))
        answer = await self._request(self._refresh_call(operation, options))
        return type(operation).from_api(answer.data, vertex=self._vertex)

    async def wait(
        self,
        operation: OperationT,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - the documented wait signature
        poll: PollPolicy | None = None,
        config: GetOperationConfig | Mapping[str, Any] | None = None,
    ) -> OperationT:
        """Poll until the operation is done and return it (check its `error`).

        `poll` sets the delays between polls (default: 1 s, x1.5, at most 20 s); `timeout`
        (seconds, default the policy's 900) ends the wait with `DeadlineExceededError`.

        Cancellation: cancelling the caller stops the polling at once (between polls or within
        a request); the operation goes on on the server.
        """
        return await wait_until_done(
            operation,
            lambda current: self.get(current, config=config),
            lambda current: bool(current.done),
            poll_policy(poll, timeout),
        )

    def _refresh_call(self, operation: Operation, options: Any) -> RestCall:
        """`GET {name}`, or on Vertex AI the POST the operation's `fetch_call()` names."""
        fetch = operation.fetch_call() if self._vertex else None
        if fetch is not None:
            path, body = fetch
            return self._rest("POST", path, body=body, options=options)
        return self._rest("GET", operation.name or "", options=options)
