# The `caches` property snippet, as written (top-level awaits), run by the test in a loop.
cache = await client.aio.caches.create(
    model='gemini-2.0-flash',
    contents='Long document...'
)
