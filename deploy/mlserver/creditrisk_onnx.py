"""Seldon MLServer runtime for a CreditRisk model.onnx (MLServer ships no ONNX runtime).

model-settings.json beside each shipped model names this class ("implementation": "creditrisk_onnx.OnnxModel").
Put this file on MLServer's PYTHONPATH (e.g. next to model-settings.json) with `pip install mlserver onnxruntime`.
It feeds the request's tensors to ONNX Runtime unchanged (BYTES as strings, numbers as float32, shape [N, 1]) and
returns the file's probability-of-default output; the decision (reject when PD > threshold) is the caller's, with the
threshold in model-settings.json parameters.extra. Not exercised by this repository's tests (no MLServer in CI).
"""

import numpy as np
import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse
from mlserver.utils import get_model_uri


class OnnxModel(MLModel):
    async def load(self) -> bool:
        self._session = ort.InferenceSession(await get_model_uri(self._settings))
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        feeds = {}
        for tensor in payload.inputs:
            values = NumpyCodec.decode_input(tensor)
            if tensor.datatype == "BYTES":
                values = np.array([v.decode("utf-8") if isinstance(v, bytes) else v for v in values.flatten()], dtype=object)
            feeds[tensor.name] = values.astype(np.float32 if tensor.datatype != "BYTES" else object).reshape(-1, 1)
        names = [o.name for o in self._settings.outputs]
        results = self._session.run(names, feeds)
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            outputs=[NumpyCodec.encode_output(name, result) for name, result in zip(names, results)],
        )
