"""What makes the HTTP/2 connection cheaper per request changes nothing it says or decides: the
HPACK that remembers repeated blocks (`HeaderEncoder`, `HeaderDecoder`) against hpack's own
encoder and decoder, on header lists that repeat, change, grow the table past its size and resize
it."""

import random

import hpack
import pytest

from genaio.engine._http2_wire import HeaderDecoder, HeaderEncoder

_REQUEST = [
    (b":method", b"POST"),
    (b":scheme", b"https"),
    (b":authority", b"generativelanguage.googleapis.com"),
    (b":path", b"/v1beta/models/gemini-2.0-flash:generateContent"),
    (b"content-type", b"application/json"),
    (b"x-goog-api-key", b"AIzaSyA-not-a-real-key-0123456789abcdef"),
]


def _requests(seed: int, count: int) -> list[list[tuple[bytes, bytes]]]:
    """Header lists as a client sends them: mostly the same, now and then another path or an
    extra header, and a content-length that changes (last, as `request_headers` puts it)."""
    rng = random.Random(seed)
    lists = []
    for _ in range(count):
        headers = list(_REQUEST)
        if rng.random() < 0.2:
            headers[3] = (b":path", b"/v1beta/models/m-%d:embedContent" % rng.randrange(50))
        if rng.random() < 0.1:
            headers.append((b"x-extra-%d" % rng.randrange(5), b"v" * rng.randrange(300)))
        if rng.random() < 0.9:
            headers.append((b"content-length", b"%d" % rng.randrange(10**6)))
        lists.append(headers)
    return lists


@pytest.mark.parametrize("seed", range(5))
def test_encoder_blocks_decode_to_what_was_sent(seed: int) -> None:
    encoder, decoder = HeaderEncoder(), hpack.Decoder()
    for i, headers in enumerate(_requests(seed, 400)):
        if i == 200:
            encoder.header_table_size = 256  # the server shrinks its table
        block = encoder.encode(headers)
        assert decoder.decode(block, raw=True) == headers


def test_encoder_repeats_cost_one_byte_a_header_and_do_not_index_the_length() -> None:
    encoder, decoder = HeaderEncoder(), hpack.Decoder()
    first = encoder.encode([*_REQUEST, (b"content-length", b"12")])
    decoder.decode(first, raw=True)
    entries = len(decoder.header_table.dynamic_entries)
    again = encoder.encode([*_REQUEST, (b"content-length", b"345")])
    assert len(again) == len(_REQUEST) + 3 + 3  # indexed fields, then the length's literal
    assert decoder.decode(again, raw=True)[-1] == (b"content-length", b"345")
    assert len(decoder.header_table.dynamic_entries) == entries  # no length in the table


def _responses(seed: int, count: int) -> list[bytes]:
    """Response blocks from a server that now empties its table and sends literals (nginx's
    way), now indexes what it sends and refers to it, switching by resizing its table."""
    rng = random.Random(seed)
    encoder = hpack.Encoder()
    encoder.header_table_size = 0
    blocks = []
    for _ in range(count):
        headers = [
            (b":status", rng.choice([b"200", b"200", b"429"])),
            (b"server", b"nginx"),
            (b"date", b"Thu, 03 Dec 2026 05:0%d:00 GMT" % rng.randrange(3)),
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % rng.choice([12, 345])),
        ]
        blocks.append(encoder.encode(headers))
        if rng.random() < 0.05:
            encoder.header_table_size = rng.choice([0, 0, 100, 4096])
    return blocks


@pytest.mark.parametrize("seed", range(5))
def test_decoder_reads_what_hpack_reads(seed: int) -> None:
    ours, theirs = HeaderDecoder(65536), hpack.Decoder(65536)
    for block in _responses(seed, 400):
        assert ours.decode(block, raw=True) == theirs.decode(block, raw=True)
        assert ours.header_table.dynamic_entries == theirs.header_table.dynamic_entries


def _indexed_literal(name: bytes, value: bytes) -> bytes:
    """A literal with incremental indexing and a new name (RFC 7541 §6.2.1), not Huffman-coded
    (lengths under 127)."""
    return b"\x40" + bytes((len(name),)) + name + bytes((len(value),)) + value


@pytest.mark.parametrize("seed", range(5))
def test_decoder_adds_again_what_a_remembered_block_added(seed: int) -> None:
    """nginx indexes its headers anew in every response and never reads them back: the same
    block each time, which adds to the table (evicting the oldest) each time it comes. Blocks
    of entries of all sizes, some larger than a small table (which empties it)."""
    rng = random.Random(seed)
    blocks = [
        b"\x88"
        + b"".join(
            _indexed_literal(b"x-%d" % rng.randrange(9), b"v" * rng.choice([1, 40, 100, 120]))
            for _ in range(rng.randrange(1, 5))
        )
        for _ in range(6)
    ]
    ours, theirs = HeaderDecoder(65536), hpack.Decoder(65536)
    resize = hpack.Encoder()
    resize.header_table_size = 150  # a small table: one block can fill it
    shrink = resize.encode([(b":status", b"200")])
    for i in range(300):
        block = shrink if i == 100 else rng.choice(blocks)
        assert ours.decode(block, raw=True) == theirs.decode(block, raw=True)
        assert ours.header_table.dynamic_entries == theirs.header_table.dynamic_entries
        assert ours.header_table._current_size == theirs.header_table._current_size


def test_decoder_checks_the_list_size_again_under_a_new_limit() -> None:
    decoder = HeaderDecoder(65536)
    block = hpack.Encoder().encode([(b":status", b"200"), (b"x-big", b"v" * 1000)])
    decoder.decode(block, raw=True)
    decoder.max_header_list_size = 100
    with pytest.raises(hpack.OversizedHeaderListError):
        decoder.decode(block, raw=True)


def test_encoder_encodes_a_never_indexed_header_as_hpack_does() -> None:
    """A flagged header compares equal to a plain one: the flag must not be lost to a block
    remembered for the plain list."""
    ours, theirs = HeaderEncoder(), hpack.Encoder()
    secret = [(b":method", b"GET"), (b"authorization", b"Bearer t")]
    for flagged in (True, False, False, True, True):
        headers = list(secret)
        if flagged:
            headers[1] = hpack.NeverIndexedHeaderTuple(*secret[1])
        assert ours.encode(headers) == theirs.encode(headers)
