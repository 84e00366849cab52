import genaio as genai
import trio

async def generate_multiple():
    client = genai.Client(api_key='my-api-key')

    # Make 3 concurrent requests (a nursery is trio's gather)
    results = {}

    async def generate(i, topic):
        results[i] = await client.aio.models.generate_content(
            model='gemini-2.0-flash',
            contents=f'Tell me about {topic}'
        )

    async with trio.open_nursery() as nursery:
        for i, topic in enumerate(['Python', 'JavaScript', 'Go'], 1):
            nursery.start_soon(generate, i, topic)

    for i, response in sorted(results.items()):
        print(f"Response {i}: {response.text[:100]}...")

trio.run(generate_multiple)
