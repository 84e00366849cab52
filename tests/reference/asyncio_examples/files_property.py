# The `files` property snippet, as written (top-level awaits), run by the test in a loop.
file = await client.aio.files.upload(path='image.jpg')
print(file.name)
