"""A shipped model.onnx passes the ONNX checker (full_check: type and shape inference too) and carries the metadata
the service and other runtimes rely on. Debian's python3-onnx only: no Python ONNX runtime is reachable here."""
import json
import math
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

# The decision outputs (docs/economics.md): beside the PD, [N, 1] each, bool for the decision.
decision_outputs = re.findall(r'public const string (\w+)Output\s*=\s*"([^"]+)"', keys)
outputs = {o.name: o.type.tensor_type for o in model.graph.output}
for key, name in decision_outputs:
    assert name in outputs, f"no output {name} (outputs: {sorted(outputs)})"
    want = onnx.TensorProto.BOOL if key == "Approve" else onnx.TensorProto.FLOAT
    assert outputs[name].elem_type == want, f"{name}: elem_type {outputs[name].elem_type}, want {want}"
    dims = outputs[name].shape.dim
    assert len(dims) == 2 and dims[1].dim_value == 1, f"{name}: shape is not [N, 1]"

# The golden rows' threshold, decision and expected profit, recomputed here from the spec's formulas in float64: an
# implementation independent of the C# one and of the graph (no Python ONNX runtime is reachable here).
costs = spec.get("costs", {})
loan = costs.get("loan")
points = costs.get("points", {"basePoints": 600, "baseOdds": 19, "pointsToDoubleOdds": 50})
factor = points["pointsToDoubleOdds"] / math.log(2)
offset = points["basePoints"] - factor * math.log(points["baseOdds"])


def amounts(row):
    """(loss, margin) of a golden row's input, or None when the economics cannot be computed."""
    if loan is None:
        return costs.get("falseNegative", 5.0), costs.get("falsePositive", 1.0)
    x = row["input"]
    p = x.get(loan["exposure"])
    constant = loan.get("constantRate")  # the card writes "constantRate": null when the data has a rate
    rate = constant if constant is not None else x.get(loan["rate"])
    if rate is not None and constant is None and loan.get("rateUnit", "percent") == "percent":
        rate = rate / 100
    term = x.get(loan["term"])
    n = loan["termMonths"].get(term, 0) if "termMonths" in loan else term
    if p is None or rate is None or n is None or not (p > 0 and rate > 0 and n > 0):
        return None
    r = rate / 12
    a = p * r / (1 - (1 + r) ** -n)
    interest = n * a - p
    margin = interest * (1 - loan.get("fundingRate", 0) / 12 / r) - loan.get("servicingFee", 0) * n * a - loan.get("costPerLoan", 0)
    return p * loan["lossGivenDefault"], margin


checked = 0
for i, row in enumerate(golden["rows"]):
    got = amounts(row)
    if got is None:
        threshold = golden["threshold"]
        assert row["expectedProfit"] is None and row["loss"] is None, f"row {i}: amounts where the economics cannot be computed"
    else:
        loss, margin = got
        threshold = golden["threshold"] if loan is None else (margin / (margin + loss) if margin > 0 else 0.0)
        profit = (1 - row["pd"]) * margin - row["pd"] * loss
        # The graph computes in float32 and this in float64. The interest n·A − P cancels at the size of the exposure
        # (and the power (1 + r)^−n amplifies the rounding of 1 + r), so the margin's float32 error scales with the
        # exposure, not with the margin: on Lending Club's golden rows it is at most 8.2e-6 × exposure (a 36-month loan
        # at 5.32 %). E = (1 − PD)·m − PD·l inherits it.
        exposure = loss / loan["lossGivenDefault"] if loan is not None else 0.0
        allowed = 2e-5 * exposure + 1e-4 * max(1.0, abs(profit))
        assert abs(row["expectedProfit"] - profit) <= allowed, (i, row["expectedProfit"], profit, allowed)
        assert abs(row["loss"] - loss) <= 1e-4 * max(1.0, loss), (i, row["loss"], loss)
        assert abs(row["margin"] - margin) <= 2e-5 * exposure + 1e-4 * max(1.0, abs(margin)), (i, row["margin"], margin)
        checked += 1
    assert abs(row["threshold"] - threshold) <= 1e-5, (i, row["threshold"], threshold)
    assert row["decision"] == ("reject" if row["pd"] > row["threshold"] else "approve"), (i, row)
    pd = min(max(row["pd"], 1e-6), 1 - 1e-6)
    assert abs(row["points"] - (offset + factor * math.log((1 - pd) / pd))) <= 1e-3 * max(1.0, abs(row["points"])), (i, row["points"])

print(f"ok: onnx {onnx.__version__} full_check, IR {model.ir_version}, opsets "
      f"{ {o.domain or 'ai.onnx': o.version for o in model.opset_import} }, {len(inputs)} inputs, threshold {props[threshold_key]}, "
      f"{len(decision_outputs)} decision outputs, {checked} golden rows' economics recomputed ({'loan' if loan else 'constant'})")
