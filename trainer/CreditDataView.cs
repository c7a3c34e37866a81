using CreditRisk.Contracts;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CreditRisk.Trainer;

/// <summary>
/// An in-memory <see cref="IDataView"/> over <see cref="CreditRecord"/>s whose columns are built from
/// <see cref="FeatureSchema"/>: one column per attribute named with the contract's JSON name (text for categories,
/// float for numerics), plus a boolean <c>Label</c> (true = bad) when asked. The names are never typed twice.
/// </summary>
public sealed class CreditDataView : IDataView
{
    public const string LabelColumn = "Label";

    private readonly IReadOnlyList<CreditRecord> _rows;

    public CreditDataView(IReadOnlyList<CreditRecord> rows, bool withLabel)
    {
        _rows = rows;
        var builder = new DataViewSchema.Builder();
        foreach (var f in FeatureSchema.All)
        {
            builder.AddColumn(f.Name, f.IsCategorical ? TextDataViewType.Instance : NumberDataViewType.Single);
        }

        if (withLabel)
        {
            builder.AddColumn(LabelColumn, BooleanDataViewType.Instance);
        }

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
            if (column.Name == LabelColumn)
            {
                getter = (ValueGetter<bool>)((ref bool value) => value = parent._rows[_position].IsBad);
            }
            else if (column.Type is TextDataViewType)
            {
                var i = column.Index;
                getter = (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
                    value = (parent._rows[_position].Categories[i] ?? string.Empty).AsMemory());
            }
            else
            {
                var i = column.Index;
                getter = (ValueGetter<float>)((ref float value) => value = parent._rows[_position].Numbers[i]);
            }

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is not of type {typeof(TValue).Name}.");
        }

        public override bool MoveNext() => ++_position < parent._rows.Count;
    }
}
