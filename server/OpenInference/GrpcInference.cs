using CreditRisk.Contracts;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CreditRisk.Server.Records;
using Google.Protobuf;
using Grpc.Core;
using static global::Inference.GRPCInferenceService;
using V2 = global::Inference;

namespace CreditRisk.Server.OpenInference;

/// <summary>
/// The Open Inference Protocol over gRPC (<c>inference.GRPCInferenceService</c>), on its own HTTP/2 port
/// (Inference:GrpcPort). Same scoring as REST (<see cref="V2Scoring"/>); a bad tensor is INVALID_ARGUMENT naming it.
/// The Model Repository extension's methods are REST's (<see cref="RepositoryExtension"/>), with the admin key.
/// </summary>
public sealed class GrpcInference(V2Scoring v2, V2Models models, RepositoryExtension repository) : GRPCInferenceServiceBase
{
    public override Task<V2.ServerLiveResponse> ServerLive(V2.ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new V2.ServerLiveResponse { Live = true });

    public override async Task<V2.ServerReadyResponse> ServerReady(V2.ServerReadyRequest request, ServerCallContext context) =>
        new() { Ready = await v2.ReadyAsync(context.CancellationToken) };

    public override async Task<V2.ModelReadyResponse> ModelReady(V2.ModelReadyRequest request, ServerCallContext context)
    {
        var model = Known(request.Name, request.Version, context);
        return new() { Ready = await model.ReadyAsync(context.CancellationToken) };
    }

    public override Task<V2.ServerMetadataResponse> ServerMetadata(V2.ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new V2.ServerMetadataResponse { Name = V2Scoring.Server.Name, Version = V2Scoring.Server.Version, Extensions = { V2Scoring.Server.Extensions } });

    public override Task<V2.ModelMetadataResponse> ModelMetadata(V2.ModelMetadataRequest request, ServerCallContext context)
    {
        var metadata = Known(request.Name, request.Version, context).Metadata();
        var response = new V2.ModelMetadataResponse { Name = metadata.Name, Platform = metadata.Platform };
        response.Versions.AddRange(metadata.Versions);
        response.Inputs.AddRange(metadata.Inputs.Select(Tensor));
        response.Outputs.AddRange(metadata.Outputs.Select(Tensor));
        foreach (var (key, value) in metadata.Properties)
        {
            response.Properties[key] = value;
        }

        return Task.FromResult(response);

        static V2.ModelMetadataResponse.Types.TensorMetadata Tensor(TensorMetadata t) => new() { Name = t.Name, Datatype = t.Datatype, Shape = { t.Shape } };
    }

    public override async Task<V2.ModelInferResponse> ModelInfer(V2.ModelInferRequest request, ServerCallContext context)
    {
        var named = Known(request.ModelName, request.ModelVersion, context);
        if (FreeText.HasControlCharacter(request.Id))
        {
            throw Invalid("id " + FreeText.Rule);
        }

        if (request.RawInputContents.Count > 0 && request.RawInputContents.Count != request.Inputs.Count)
        {
            throw Invalid($"raw_input_contents must hold one entry per input ({request.Inputs.Count}; got {request.RawInputContents.Count})");
        }

        var inputs = new List<InputTensor>(request.Inputs.Count);
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            inputs.Add(request.RawInputContents.Count > 0
                ? RawTensor.Read(input, request.RawInputContents[i]) ?? throw Invalid($"input '{input.Name}': raw_input_contents[{i}] does not hold whole {input.Datatype} elements")
                : new ContentsTensor(input));
        }

        InferOutcome outcome;
        try
        {
            outcome = await named.InferAsync(inputs, [.. request.Outputs.Select(o => o.Name)], "grpc", context.GetHttpContext().TraceIdentifier);
        }
        catch (StoreUnavailableException e)
        {
            // No decision is answered that is not recorded; UNAVAILABLE is the code gRPC clients retry.
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }

        if (outcome.Results is not { } results)
        {
            throw outcome.BatchTooLarge ? new RpcException(new Status(StatusCode.ResourceExhausted, outcome.Error!)) : Invalid(outcome.Error!);
        }

        var model = named.Model;
        var response = new V2.ModelInferResponse { ModelName = model.Spec.Name, ModelVersion = model.Version, Id = request.Id };
        response.Parameters.Add("threshold", new V2.InferParameter { DoubleParam = model.Threshold });
        foreach (var output in outcome.Outputs)
        {
            var tensor = new V2.ModelInferResponse.Types.InferOutputTensor { Name = output, Shape = { results.Length, 1 }, Contents = new() };
            if (V2Scoring.Number(output, results[0]) is null)
            {
                tensor.Datatype = V2Scoring.Bytes;
                tensor.Contents.BytesContents.AddRange(results.Select(r => ByteString.CopyFromUtf8(V2Scoring.Text(output, r))));
            }
            else
            {
                tensor.Datatype = V2Scoring.Fp32;
                tensor.Contents.Fp32Contents.AddRange(results.Select(r => (float)V2Scoring.Number(output, r)!.Value));
            }

            response.Outputs.Add(tensor);
        }

        return response;
    }

    public override Task<V2.RepositoryIndexResponse> RepositoryIndex(V2.RepositoryIndexRequest request, ServerCallContext context)
    {
        KnownRepository(request.RepositoryName);
        var response = new V2.RepositoryIndexResponse();
        response.Models.AddRange(repository.Index(request.Ready).Select(e =>
            new V2.RepositoryIndexResponse.Types.ModelIndex { Name = e.Name, Version = e.Version, State = e.State, Reason = e.Reason }));
        return Task.FromResult(response);
    }

    public override async Task<V2.RepositoryModelLoadResponse> RepositoryModelLoad(V2.RepositoryModelLoadRequest request, ServerCallContext context)
    {
        KnownRepository(request.RepositoryName);
        Answer(await repository.LoadAsync(request.ModelName, Parameters(request.Parameters), context.CancellationToken));
        return new();
    }

    public override async Task<V2.RepositoryModelUnloadResponse> RepositoryModelUnload(V2.RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        KnownRepository(request.RepositoryName);
        Answer(await repository.UnloadAsync(request.ModelName, Parameters(request.Parameters), context.CancellationToken));
        return new();
    }

    private void KnownRepository(string name)
    {
        if (repository.UnknownRepository(name) is { } unknown)
        {
            throw new RpcException(new Status(StatusCode.NotFound, unknown));
        }
    }

    /// <summary>A refusal as its status: the request's fault is INVALID_ARGUMENT, the repository's FAILED_PRECONDITION (both REST's 400).</summary>
    private static void Answer(RepositoryRefusal? refusal)
    {
        if (refusal is not null)
        {
            throw new RpcException(new Status(refusal.BadRequest ? StatusCode.InvalidArgument : StatusCode.FailedPrecondition, refusal.Error));
        }
    }

    /// <summary>The parameters as REST reads them: a bool, a long or a string; null for a value of no type the extension defines.</summary>
    private static Dictionary<string, object?> Parameters(IDictionary<string, V2.ModelRepositoryParameter> parameters) =>
        parameters.ToDictionary(p => p.Key, p => p.Value.ParameterChoiceCase switch
        {
            V2.ModelRepositoryParameter.ParameterChoiceOneofCase.BoolParam => (object?)p.Value.BoolParam,
            V2.ModelRepositoryParameter.ParameterChoiceOneofCase.Int64Param => p.Value.Int64Param,
            V2.ModelRepositoryParameter.ParameterChoiceOneofCase.StringParam => p.Value.StringParam,
            _ => null,
        }, StringComparer.Ordinal);

    /// <summary>The named model's serving version, leased for this call, or NOT_FOUND.</summary>
    private V2Scoring Known(string name, string version, ServerCallContext context)
    {
        var (model, unknown) = models.Resolve(name, version, context.GetHttpContext());
        return model ?? throw new RpcException(new Status(StatusCode.NotFound, unknown!));
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    /// <summary>A tensor in the typed <c>contents</c> fields; the field read is the one its datatype names.</summary>
    private sealed class ContentsTensor(V2.ModelInferRequest.Types.InferInputTensor input)
        : InputTensor(input.Name, input.Datatype, input.Shape)
    {
        private readonly V2.InferTensorContents _contents = input.Contents ?? new();

        public override int Count => Datatype switch
        {
            V2Scoring.Bytes => _contents.BytesContents.Count,
            V2Scoring.Fp32 => _contents.Fp32Contents.Count,
            "FP64" => _contents.Fp64Contents.Count,
            "INT32" => _contents.IntContents.Count,
            "INT64" => _contents.Int64Contents.Count,
            _ => 0,
        };

        public override void Write(Utf8JsonWriter writer, int index)
        {
            switch (Datatype)
            {
                case V2Scoring.Bytes:
                    WriteText(writer, _contents.BytesContents[index].Span);
                    break;
                case V2Scoring.Fp32:
                    WriteFloat(writer, _contents.Fp32Contents[index]);
                    break;
                case "FP64":
                    WriteFloat(writer, _contents.Fp64Contents[index]);
                    break;
                case "INT32":
                    writer.WriteNumberValue(_contents.IntContents[index]);
                    break;
                default:
                    writer.WriteNumberValue(_contents.Int64Contents[index]);
                    break;
            }
        }
    }

    /// <summary>
    /// A tensor in <c>raw_input_contents</c> (what Triton's clients send): little-endian elements; BYTES elements each
    /// preceded by a 4-byte little-endian length.
    /// </summary>
    private sealed class RawTensor : InputTensor
    {
        private readonly ReadOnlyMemory<byte>[] _elements;

        private RawTensor(V2.ModelInferRequest.Types.InferInputTensor input, ReadOnlyMemory<byte>[] elements)
            : base(input.Name, input.Datatype, input.Shape) => _elements = elements;

        public override int Count => _elements.Length;

        /// <summary>The tensor, or null when the bytes do not split into whole elements of its datatype.</summary>
        public static RawTensor? Read(V2.ModelInferRequest.Types.InferInputTensor input, ByteString raw)
        {
            var bytes = raw.Memory;
            var elements = new List<ReadOnlyMemory<byte>>();
            if (input.Datatype == V2Scoring.Bytes)
            {
                while (bytes.Length > 0)
                {
                    if (bytes.Length < 4)
                    {
                        return null;
                    }

                    var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Span);
                    if (length > bytes.Length - 4)
                    {
                        return null;
                    }

                    elements.Add(bytes.Slice(4, (int)length));
                    bytes = bytes[(4 + (int)length)..];
                }
            }
            else
            {
                var size = input.Datatype is "FP64" or "INT64" ? 8 : 4;
                if (bytes.Length % size != 0)
                {
                    return null;
                }

                for (var offset = 0; offset < bytes.Length; offset += size)
                {
                    elements.Add(bytes.Slice(offset, size));
                }
            }

            return new RawTensor(input, [.. elements]);
        }

        public override void Write(Utf8JsonWriter writer, int index)
        {
            var span = _elements[index].Span;
            switch (Datatype)
            {
                case V2Scoring.Bytes:
                    WriteText(writer, span);
                    break;
                case V2Scoring.Fp32:
                    WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(span));
                    break;
                case "FP64":
                    WriteFloat(writer, BinaryPrimitives.ReadDoubleLittleEndian(span));
                    break;
                case "INT32":
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(span));
                    break;
                default:
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(span));
                    break;
            }
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A BYTES element as a JSON string; bytes that are not UTF-8 become a value no category has (refused by the reader).</summary>
    private static void WriteText(Utf8JsonWriter writer, ReadOnlySpan<byte> text)
    {
        try
        {
            writer.WriteStringValue(StrictUtf8.GetString(text));
        }
        catch (DecoderFallbackException)
        {
            writer.WriteStringValue("\uFFFD(not UTF-8)");
        }
    }

    /// <summary>NaN is a missing value (JSON null); infinities stay numbers out of any range, written as a huge literal the reader refuses.</summary>
    private static void WriteFloat(Utf8JsonWriter writer, double value)
    {
        if (double.IsNaN(value))
        {
            writer.WriteNullValue();
        }
        else if (double.IsInfinity(value))
        {
            writer.WriteRawValue(value > 0 ? "1e400" : "-1e400");
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }
}
