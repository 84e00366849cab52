# The `chats` property snippet, as written (top-level awaits), run by the test in a loop.
chat = await client.aio.chats.create(model='gemini-2.0-flash')
response = await chat.send_message('Hello!')
