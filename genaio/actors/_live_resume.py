"""The Live session's decisions, without I/O: which frames to resend after a reconnection,
when to leave a connection the server said goAway on, and which closes are worth resuming.

Frames are kept from the moment they are written until a resumption handle includes them:
by the server's `lastConsumedClientMessageIndex` when it sends one (`transparent` resumption),
else the frames written before the last completed turn that the handle follows.
"""

from __future__ import annotations

from collections import deque

import anyio
import attrs

from genaio.engine._errors import parse_duration
from genaio.errors import APIError
from genaio.types import LiveServerMessage

__all__ = ["MAX_REPLAY", "Frame", "ResumeState"]

#: Sent frames kept for resending after a reconnection; past this the oldest are dropped.
MAX_REPLAY = 4096
#: Reconnect this long before a goAway's deadline at the latest (or halfway, if sooner).
_DEADLINE_MARGIN = 1.0
#: Close codes after which a session with a handle is resumed even without a goAway.
_RESUMABLE_CLOSES = frozenset({1001, 1006, 1011, 1012, 1013, 1014})


@attrs.define(eq=False)
class Frame:
    """One client frame: its text, and an event set once it is on a socket (or never will be)."""

    text: str
    seq: int
    written: anyio.Event = attrs.field(factory=anyio.Event)
    index: int = 0  # its place among the frames written on the current connection (from 1)
    on_socket: bool = False


@attrs.define
class ResumeState:
    """Which frames to resend, when to switch connections, whether a close is resumable."""

    handle: str | None = None
    #: A handle arrived after the last completed turn: it includes that turn.
    handle_fresh: bool = False
    go_away_at: float | None = None
    replay: deque[Frame] = attrs.field(factory=deque)
    seq: int = 0  # frames queued over the session's life
    written_seq: int = 0  # seq of the last frame written
    acked: int = 0  # seq of the last frame written before the last completed turn
    written_here: int = 0  # frames written on the current connection
    pending_reply: bool = False
    dropped: int = 0  # frames forgotten past MAX_REPLAY
    resent: int = 0

    def frame(self, text: str) -> Frame:
        self.seq += 1
        return Frame(text, self.seq)

    def writing(self, frame: Frame) -> None:
        """Keep `frame` for resending (from before its write: a cancelled write is resent)."""
        self.replay.append(frame)
        while len(self.replay) > MAX_REPLAY:
            self.replay.popleft()
            self.dropped += 1

    def wrote(self, frame: Frame) -> None:
        self.written_here += 1
        frame.index = self.written_here
        self.written_seq = frame.seq
        self.pending_reply = True
        frame.on_socket = True
        frame.written.set()

    def received(self, message: LiveServerMessage, now: float) -> bool:
        """Note one server message (before the consumer sees it: a frame the consumer sends
        in answer is never counted in the turn that prompted it); True when it is time to
        switch connections."""
        if message.ends_turn:
            self.acked = self.written_seq
            self.pending_reply = False
            self.handle_fresh = False
        update = message.session_resumption_update
        if update is not None and update.resumable and update.new_handle:
            self.handle = update.new_handle
            self.handle_fresh = True
            self._trim(update.last_consumed_client_message_index)
        if message.go_away is not None:
            left = parse_duration(message.go_away.time_left) or 0.0
            self.go_away_at = now + left - min(_DEADLINE_MARGIN, left / 2)
        return self.should_switch(now)

    def _trim(self, consumed: int | None) -> None:
        """Forget the frames the new handle includes."""
        replay = self.replay
        if consumed is not None:  # the server says which (`transparent` resumption)
            while replay and 0 < replay[0].index <= consumed:
                replay.popleft()
        else:  # else: the frames answered by the completed turns
            while replay and replay[0].seq <= self.acked:
                replay.popleft()

    def should_switch(self, now: float) -> bool:
        """After a goAway: once the turn is answered and a handle includes it, or when the
        deadline is near, whichever comes first."""
        if self.go_away_at is None:
            return False
        idle = not self.pending_reply and (self.handle_fresh or self.seq == 0)
        return idle or now >= self.go_away_at

    def holding(self) -> bool:
        """After a goAway with no answer pending, a new frame waits for the next connection:
        a turn begun on this one would hold the switch back until the deadline."""
        return self.go_away_at is not None and not self.pending_reply

    def resumable(self, error: APIError) -> bool:
        """Whether a connection that ended with `error` is worth resuming."""
        if self.handle is None:
            return False
        return self.go_away_at is not None or error.code in _RESUMABLE_CLOSES

    def reconnected(self) -> list[Frame]:
        """A new connection is up: the frames to resend on it, in order (they stay kept until
        a handle of the new connection includes them)."""
        self.go_away_at = None
        self.handle_fresh = False
        self.written_here = 0
        for frame in self.replay:
            frame.index = 0
        self.resent += len(self.replay)
        return list(self.replay)
