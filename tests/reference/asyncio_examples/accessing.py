import genaio as genai

client = genai.Client(api_key='my-api-key')
async_client = client.aio
