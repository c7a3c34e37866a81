using CreditRisk.Contracts;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CreditRisk.Trainer.Data;

/// <summary>
/// An in-memory <see cref="IDataView"/> over <see cref="CreditRecord"/>s whose columns are the spec's model inputs
/// (<see cref="DatasetSpec.Inputs"/>, in spec order, named as the features: text for categories, float for numbers),
/// plus a boolean <c>Label</c> (true = bad) when asked. Ids and protected attributes are never columns, so no
/// pipeline can read them. A missing category is fed as "" (as the ONNX file is fed), a missing number as NaN.
/// </summary>
public sealed class CreditDataView : IDataView
{
    public const string LabelColumn = "Label";

    private readonly IReadOnlyList<CreditRecord> _rows;

    /// <summary>Spec position of each column (the label's is -1).</summary>
    private readonly int[] _positions;

    public CreditDataView(DatasetSpec spec, IReadOnlyList<CreditRecord> rows, bool withLabel)
    {
        _rows = rows;
        var builder = new DataViewSchema.Builder();
        var positions = new List<int>();
        foreach (var f in spec.Inputs)
        {
            builder.AddColumn(f.Name, f.IsCategory ? TextDataViewType.Instance : NumberDataViewType.Single);
            positions.Add(spec.IndexOf(f));
        }

        if (withLabel)
        {
            builder.AddColumn(LabelColumn, BooleanDataViewType.Instance);
            positions.Add(-1);
        }

        _positions = [.. positions];
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _rows.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [new Cursor(this)];

    private sealed class Cursor(CreditDataView parent) : DataViewRowCursor
    {
        private int _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => parent.Schema;

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter;
            var i = parent._positions[column.Index];
            if (i < 0)
            {
                getter = (ValueGetter<bool>)((ref bool value) => value = parent._rows[_position].IsBad);
            }
            else if (column.Type is TextDataViewType)
            {
                getter = (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
                    value = (parent._rows[_position].Categories[i] ?? string.Empty).AsMemory());
            }
            else
            {
                getter = (ValueGetter<float>)((ref float value) => value = parent._rows[_position].Numbers[i]);
            }

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is not of type {typeof(TValue).Name}.");
        }

        public override bool MoveNext() => ++_position < parent._rows.Count;
    }
}
