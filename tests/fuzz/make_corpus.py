#!/usr/bin/env python3
"""make_corpus.py decode|control WIRE-VECTORS.json OUTDIR: seed files for
the fuzz targets. decode: every vector's bytes (good and bad-*). control:
control lines (docs/CLI.md) using every decoded vector as a value or a config,
plus malformed lines."""
import json
import os
import sys


def main():
    kind, vectors_path, out = sys.argv[1:4]
    with open(vectors_path, encoding="utf-8") as f:
        vectors = json.load(f)
    seeds = {}
    if kind == "decode":
        for v in vectors:
            seeds[v["name"]] = bytes.fromhex(v["hex"])
    else:
        lines = [
            '{"cmd":"ready"}', '{"cmd":"ready","ready":false}', '{"cmd":"disable"}',
            '{"cmd":"enable","nodes":7}', '{"cmd":"leave"}', '{"cmd":"value","value":null}',
            '{"cmd":"config","cycle":"250ms","gap":0.05}', '{"cmd":"config","version":9,"nodes":-1}',
            '{"cmd":"value"}', '{"cmd":"nope"}', '{"cmd":1}', '[]', 'not json', '{"cmd":"config","cycle":1e300}',
            '{"cmd":"config","gap":"2m","cycle":"10"}', '{"cmd":"value","value":{"$bin":"00ff"}}',
        ]
        for i, v in enumerate(vectors):
            d = v.get("decoded")
            if d is None:
                continue
            lines.append(json.dumps({"cmd": "value", "value": d}))
            if d.get("t") == "vers":
                cfg = {k: d[k] for k in d if k not in ("t", "node")}
                lines.append(json.dumps({"cmd": "config", **cfg}))
            if "value" in d:
                lines.append(json.dumps({"cmd": "value", "value": d["value"]}))
        for i, line in enumerate(lines):
            seeds[f"line{i:03d}"] = (line + "\n").encode()
        # One multi-line script: the commands in sequence.
        seeds["script"] = ("\n".join(lines[:8]) + "\n").encode()
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
