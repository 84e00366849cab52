# The `models` property snippet, as written (a top-level await), run by the test in a loop.
response = await client.aio.models.generate_content(
    model='gemini-2.0-flash',
    contents='Tell me a story'
)
