"""One agent round trip through the edge with the official Python SDK named by argv[1] (openai or anthropic).

The model is offered one file-writing tool; the script applies the call it makes to a file under the working
directory (as an agent would), sends the tool result back, and prints {"answer", "path"} as JSON. The base URL,
the token and the correlation-id prefix come from AIRLOCK_BASE_URL, AIRLOCK_TOKEN and AIRLOCK_CORRELATION_ID.
"""
import json
import os
import pathlib
import sys

BASE_URL = os.environ["AIRLOCK_BASE_URL"]
TOKEN = os.environ["AIRLOCK_TOKEN"]
CORRELATION = os.environ["AIRLOCK_CORRELATION_ID"]
PROMPT = "please write the file"
MODEL = "airlock-agent"


def headers(step):
    return {"x-correlation-id": f"{CORRELATION}-{step}"}


def write(path, content):
    target = pathlib.Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    return f"wrote {len(content)} characters to {path}"


def with_openai():
    from openai import OpenAI

    client = OpenAI(base_url=f"{BASE_URL}/v1", api_key=TOKEN, max_retries=0, timeout=60)
    # The MCP filesystem server's tool shape, which the gateway's change tracking knows.
    tools = [{"type": "function", "function": {"name": "write_file", "description": "writes a file",
                                                "parameters": {"type": "object", "properties": {"path": {"type": "string"}, "content": {"type": "string"}}}}}]
    messages = [{"role": "user", "content": PROMPT}]
    calls = {}
    stream = client.chat.completions.create(model=MODEL, messages=messages, tools=tools, stream=True, extra_headers=headers("1"))
    for chunk in stream:
        for delta in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            call["id"] = delta.id or call["id"]
            call["name"] = (delta.function.name or call["name"]) if delta.function else call["name"]
            call["arguments"] += (delta.function.arguments or "") if delta.function else ""
    call = calls[0]
    args = json.loads(call["arguments"])
    result = write(args["path"], args["content"])
    messages += [
        {"role": "assistant", "content": None, "tool_calls": [{"id": call["id"], "type": "function", "function": {"name": call["name"], "arguments": call["arguments"]}}]},
        {"role": "tool", "tool_call_id": call["id"], "content": result},
    ]
    answer = client.chat.completions.create(model=MODEL, messages=messages, tools=tools, extra_headers=headers("2"))
    return {"answer": answer.choices[0].message.content, "path": args["path"]}


def with_anthropic():
    from anthropic import Anthropic

    client = Anthropic(base_url=BASE_URL, api_key=TOKEN, max_retries=0, timeout=60)
    # Claude Code's Write tool.
    tools = [{"name": "Write", "description": "writes a file",
              "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}, "content": {"type": "string"}}}}]
    messages = [{"role": "user", "content": PROMPT}]
    first = client.messages.create(model=MODEL, max_tokens=200, tools=tools, messages=messages, extra_headers=headers("1"))
    use = next(block for block in first.content if block.type == "tool_use")
    result = write(use.input["file_path"], use.input["content"])
    messages += [
        {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": result}]},
    ]
    answer = client.messages.create(model=MODEL, max_tokens=200, tools=tools, messages=messages, extra_headers=headers("2"))
    return {"answer": "".join(block.text for block in answer.content if block.type == "text"), "path": use.input["file_path"]}


if __name__ == "__main__":
    print(json.dumps({"openai": with_openai, "anthropic": with_anthropic}[sys.argv[1]]()))
