"""One client under test, in its own process: `python bench/_worker.py CLIENT`.

The parent (`bench/run.py`) sends one JSON command a line on stdin, `{"module", "op", "args"}`;
the worker runs `module.op(CLIENT, **args)` on the client's event loop (a fresh `trio.run` or
`asyncio.run` per command) and answers one JSON line on its original stdout. Anything the
libraries print goes to stderr, so it cannot garble an answer.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import sys
import traceback


def main() -> None:
    name = sys.argv[1]
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr
    import _clients

    _clients.prepare(name)
    _clients.ANSWERS = answers
    import anyio

    backend = _clients.BACKENDS.get(name, "trio")
    for line in sys.stdin:
        command = json.loads(line)
        try:
            module = importlib.import_module(command["module"])
            op = getattr(module, command["op"])
            result = anyio.run(functools.partial(op, name, **command["args"]), backend=backend)
        except Exception as exc:
            traceback.print_exc()
            result = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        answers.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
