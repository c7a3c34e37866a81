"""A shipped model.onnx passes the ONNX checker (full_check: type and shape inference too) and carries the metadata
the service and other runtimes rely on. Debian's python3-onnx only: no Python ONNX runtime is reachable here."""
import json
import os
import pathlib
import re
import sys

import onnx

root = pathlib.Path(__file__).resolve().parents[2]
# CREDITRISK_ARTIFACTS_DIR points at another trained model (default: the shipped artifacts/), as in the Node suites.
artifacts = root / os.environ.get("CREDITRISK_ARTIFACTS_DIR", "artifacts/german-credit")
model_path = artifacts / "model.onnx"
golden_path = artifacts / "golden.json"
for f in (model_path, golden_path):
    if not f.is_file():
        sys.exit(f"{f} is missing: run the trainer (dotnet run --project trainer -c Release)")

model = onnx.load(str(model_path))
onnx.checker.check_model(model, full_check=True)

keys = (root / "contracts" / "ModelCard.cs").read_text(encoding="utf-8")
threshold_key = re.search(r'Threshold\s*=\s*"([^"]+)"', keys).group(1)
output_name = re.search(r'ProbabilityOutput\s*=\s*"([^"]+)"', keys).group(1)
card_key = re.search(r'ModelCard\s*=\s*"([^"]+)"', keys).group(1)

props = {p.key: p.value for p in model.metadata_props}
# The model's inputs are the spec's role-"feature" attributes, as embedded in the card by the trainer.
assert card_key in props, f"metadata_props lack {card_key}: {sorted(props)}"
spec = json.loads(props[card_key])["dataset"]
features = [("Cat" if f.get("kind", "category") == "category" else "Num", f["name"])
            for f in spec["features"] if f.get("role", "feature") == "feature"]
assert features, "the card's spec has no model inputs"
assert threshold_key in props, f"metadata_props lack {threshold_key}: {sorted(props)}"
golden = json.loads(golden_path.read_text(encoding="utf-8"))
assert abs(float(props[threshold_key]) - golden["threshold"]) < 1e-9, (props[threshold_key], golden["threshold"])

inputs = {i.name: i.type.tensor_type for i in model.graph.input}
for kind, name in features:
    assert name in inputs, f"no ONNX input named {name}"
    want = onnx.TensorProto.STRING if kind == "Cat" else onnx.TensorProto.FLOAT
    assert inputs[name].elem_type == want, f"{name}: elem_type {inputs[name].elem_type}, want {want}"
    dims = inputs[name].shape.dim
    assert len(dims) == 2 and dims[1].dim_value == 1, f"{name}: shape is not [N, 1]"
assert sorted(inputs) == sorted(n for _, n in features), f"inputs {sorted(inputs)} differ from the spec's features"
assert output_name in [o.name for o in model.graph.output], f"no output {output_name}"

print(f"ok: onnx {onnx.__version__} full_check, IR {model.ir_version}, opsets "
      f"{ {o.domain or 'ai.onnx': o.version for o in model.opset_import} }, {len(inputs)} inputs, threshold {props[threshold_key]}")
