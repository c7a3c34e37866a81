// Shared by the Node test and the browser page: turn golden rows into ONNX feeds and compare scores.
// Environment-agnostic on purpose (no fs, no node: imports) so the browser runs exactly this code.

/** Largest |ΔPD| allowed between a runtime and the trainer's golden PD. */
export const PD_TOLERANCE = 1e-5;

/**
 * One tensor per model input, shape [N, 1]: string for categories, float32 for numbers. The ONNX input names are the
 * data set spec's field names, so a golden row's `input` maps one to one. `types` maps each input name to 'string' or
 * 'float' (model.json's `inputs`). A missing value (null) is fed as the graph expects it: "" for a category, NaN for a
 * number (the graph imputes it).
 */
export function feedsFor(Tensor, types, rows) {
  if (rows.length === 0) throw new Error('no golden rows to score');
  const feeds = {};
  for (const [name, type] of Object.entries(types)) {
    const values = rows.map((row, i) => {
      if (!(name in row.input)) throw new Error(`golden row ${i} has no value for model input '${name}'`);
      return row.input[name];
    });
    feeds[name] = type === 'string'
      ? new Tensor('string', values.map((v) => v ?? ''), [rows.length, 1])
      : new Tensor('float32', Float32Array.from(values, (v) => v ?? NaN), [rows.length, 1]);
  }
  return feeds;
}

/** The service's rule (trainer and server alike): reject when PD > threshold. */
export function decide(pd, threshold) {
  return pd > threshold ? 'reject' : 'approve';
}

/** Compares runtime PDs with the golden ones; returns the worst difference and every disagreement. */
export function compare(golden, pds) {
  if (pds.length !== golden.rows.length) {
    throw new Error(`scored ${pds.length} rows, golden has ${golden.rows.length}`);
  }
  let maxDelta = 0;
  let worstRow = -1;
  const outOfTolerance = [];
  const decisionMismatches = [];
  golden.rows.forEach((row, i) => {
    const delta = Math.abs(pds[i] - row.pd);
    if (!(delta <= maxDelta)) { maxDelta = delta; worstRow = i; }
    if (!(delta <= PD_TOLERANCE)) outOfTolerance.push({ row: i, kind: row.kind, golden: row.pd, runtime: pds[i] });
    // Each row's own threshold (loan-level economics); the file's constant one for a golden file without it.
    const decision = decide(pds[i], row.threshold ?? golden.threshold);
    if (decision !== row.decision) decisionMismatches.push({ row: i, kind: row.kind, golden: row.decision, runtime: decision, pd: pds[i] });
  });
  return { rows: pds.length, maxDelta, worstRow, outOfTolerance, decisionMismatches };
}

/**
 * The graph's decision outputs (golden.outputs names them: threshold, approve, expectedProfit, …) against the golden
 * rows: threshold within PD_TOLERANCE, the decision identical, the expected profit within
 * PD_TOLERANCE × (|loss| + |margin|) + 1e-4 × max(1, |profit|) (a PD within tolerance moves it that much), and null
 * golden amounts (economics not computable: the constant threshold applies) as NaN. `outputs` maps each golden.outputs
 * key to the runtime's values.
 */
export function compareDecisions(golden, outputs) {
  const mismatches = [];
  let maxThresholdDelta = 0;
  let maxProfitDelta = 0;
  golden.rows.forEach((row, i) => {
    const threshold = outputs.threshold[i];
    const approve = Boolean(outputs.approve[i]);
    const profit = outputs.expectedProfit[i];
    const dt = Math.abs(threshold - row.threshold);
    maxThresholdDelta = Math.max(maxThresholdDelta, dt);
    if (!(dt <= PD_TOLERANCE)) mismatches.push({ row: i, kind: row.kind, what: 'threshold', golden: row.threshold, runtime: threshold });
    if (approve !== (row.decision === 'approve')) mismatches.push({ row: i, kind: row.kind, what: 'decision', golden: row.decision, runtime: approve });
    if (row.expectedProfit === null) {
      if (!Number.isNaN(profit)) mismatches.push({ row: i, kind: row.kind, what: 'expectedProfit', golden: null, runtime: profit });
    } else {
      const dp = Math.abs(profit - row.expectedProfit);
      maxProfitDelta = Math.max(maxProfitDelta, dp);
      const bound = PD_TOLERANCE * (Math.abs(row.loss) + Math.abs(row.margin)) + 1e-4 * Math.max(1, Math.abs(row.expectedProfit));
      if (!(dp <= bound)) mismatches.push({ row: i, kind: row.kind, what: 'expectedProfit', golden: row.expectedProfit, runtime: profit });
    }
  });
  return { rows: golden.rows.length, maxThresholdDelta, maxProfitDelta, mismatches };
}
