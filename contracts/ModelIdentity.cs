using System.Security.Cryptography;
using System.Text;

namespace CreditRisk.Contracts;

/// <summary>
/// The model version: what identifies a model, not the checkout it was trained from. It is the first 12 hex digits of
/// the SHA-256 of the ONNX graph (the <c>ModelProto.graph</c> field's bytes: nodes, weights, inputs, outputs) followed
/// by the model card's JSON exactly as stored under <see cref="ModelMetadataKeys.ModelCard"/>. The trainer writes it
/// into the file (<see cref="ModelMetadataKeys.ContentHash"/> and the ONNX <c>model_version</c> field); the server
/// recomputes it at load and refuses a file where they differ, which catches any edit of the graph or the card.
/// Provenance (commit, date, dirty tree) lives under <see cref="ModelMetadataKeys.Provenance"/>, outside the hash, so
/// retraining the same data with the same seed and code at a later commit gives the same version.
/// </summary>
public static class ModelIdentity
{
    // ModelProto.graph (onnx.proto3). Protobuf wire format is stable, so a field walk needs no ONNX schema here.
    private const int GraphField = 7;

    public static string Of(ReadOnlySpan<byte> onnx, string cardJson)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(GraphBytes(onnx));
        sha.AppendData(Encoding.UTF8.GetBytes(cardJson));
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }

    /// <summary>The 12 hex digits as the ONNX <c>model_version</c> (an int64; 48 bits, so always positive).</summary>
    public static long AsOnnxModelVersion(string version) =>
        long.Parse(version, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The payload of the top-level graph field; throws <see cref="FormatException"/> on a malformed file.</summary>
    public static ReadOnlySpan<byte> GraphBytes(ReadOnlySpan<byte> onnx)
    {
        var position = 0;
        while (position < onnx.Length)
        {
            var tag = ReadVarint(onnx, ref position);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    ReadVarint(onnx, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = checked((int)ReadVarint(onnx, ref position));
                    if (length < 0 || position + length > onnx.Length)
                    {
                        throw new FormatException("a length-delimited field runs past the end of the file");
                    }

                    if (field == GraphField)
                    {
                        return onnx.Slice(position, length);
                    }

                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new FormatException($"unsupported protobuf wire type {tag & 7}");
            }
        }

        throw new FormatException("the file has no ONNX graph");
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length)
            {
                throw new FormatException("the file ends inside a varint");
            }

            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("a varint is longer than 10 bytes");
    }
}

/// <summary>
/// Where and from what a model was trained: stored beside the card (<see cref="ModelMetadataKeys.Provenance"/>), not in
/// it, so it never changes the model version.
/// </summary>
/// <param name="TrainingCommit">The git commit the trainer ran from, when it ran in a git checkout.</param>
/// <param name="TrainingCommitDate">That commit's date (ISO 8601): a commit's date, not the clock, so the same commit
/// and seed give a byte-identical file.</param>
/// <param name="TrainingTreeDirty">True when the checkout had uncommitted changes: the commit alone does not reproduce
/// the model.</param>
public sealed record Provenance(string? TrainingCommit, string? TrainingCommitDate, bool? TrainingTreeDirty)
{
    public static readonly Provenance Unknown = new(null, null, null);
}
