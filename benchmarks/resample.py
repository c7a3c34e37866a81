#!/usr/bin/env python3
"""Lending Club resampled with jitter (issue 31): N rows drawn with replacement from data/lending-club, every number
x U(0.98, 1.02), integers rounded, clamped to the spec's min/max. Writes <out>/loans.csv and <out>/dataset.json (the
shipped spec pointing at it). Generated data goes to a temp folder, never into the repository.

usage: resample.py ROWS OUT_DIR [SEED]"""
import csv, json, os, random, sys

rows, out, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 42
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "lending-club")
spec = json.load(open(os.path.join(root, "dataset.json")))
numbers = {f.get("column", f["name"]): f for f in spec["features"] if f.get("kind", "category") != "category"}
missing = set(spec["source"].get("missingValues", ["", "NA"]))
with open(os.path.join(root, spec["source"]["path"]), newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    source = list(reader)

rng = random.Random(seed)
kinds = [numbers.get(c) for c in header]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "loans.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(header)
    for _ in range(rows):
        row = list(rng.choice(source))
        for i, feature in enumerate(kinds):
            if feature is None or row[i] in missing:
                continue
            v = float(row[i]) * rng.uniform(0.98, 1.02)
            v = max(feature.get("min", v), min(feature.get("max", v), v))
            row[i] = str(int(round(v))) if feature["kind"] == "integer" else f"{v:.4f}".rstrip("0").rstrip(".")
        w.writerow(row)

spec["source"]["path"] = "loans.csv"
spec["name"] = f"lending-club-{rows}"
spec.pop("$schema", None)
json.dump(spec, open(os.path.join(out, "dataset.json"), "w"), indent=2)
