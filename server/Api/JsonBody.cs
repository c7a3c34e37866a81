using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CreditRisk.Server.Api;

/// <summary>
/// Buffers a JSON request body up to the size limit and hands it to a synchronous reader, so handlers can parse it
/// with <see cref="System.Text.Json.Utf8JsonReader"/> without model binding. Refusals come back as problem results.
/// </summary>
public static class JsonBody
{
    public delegate T Reader<out T>(ReadOnlySequence<byte> body);

    public static async ValueTask<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(
        HttpRequest request, long maxBytes, Reader<T> read, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (default, Problems.UnsupportedMediaType());
        }

        return await ReadAnyTypeAsync(request, maxBytes, read, cancellationToken);
    }

    /// <summary>
    /// As <see cref="ReadAsync{T}"/> whatever the Content-Type says: for a protocol whose servers read the body as
    /// JSON without looking at the header (Triton's repository extension, which <c>curl -d</c> calls form-encoded).
    /// </summary>
    public static async ValueTask<(T? Value, ProblemHttpResult? Problem)> ReadAnyTypeAsync<T>(
        HttpRequest request, long maxBytes, Reader<T> read, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (default, Problems.TooLarge(maxBytes));
        }

        PipeReader body = request.BodyReader;
        try
        {
            while (true)
            {
                var result = await ReadOrCancelAsync(body, cancellationToken);
                var buffer = result.Buffer;
                if (buffer.Length > maxBytes)
                {
                    body.AdvanceTo(buffer.End);
                    return (default, Problems.TooLarge(maxBytes));
                }

                if (result.IsCompleted)
                {
                    var value = read(buffer);
                    body.AdvanceTo(buffer.End);
                    return (value, null);
                }

                // Keep everything buffered; ask for more.
                body.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own limits (body size, data rate) surface here.
            return (default, Problems.FromBadRequest(e));
        }
    }

    /// <summary>
    /// <c>ReadAsync(token)</c> that leaves the reader usable when the token fires (the request timeout on a trickling
    /// upload): a read cancelled through the token stays "in progress" in Kestrel, whose automatic drain of the rest
    /// of the body then failed with an Error log line. CancelPendingRead ends the read normally; it is completed with
    /// AdvanceTo, then the cancellation is thrown as before.
    /// </summary>
    public static async ValueTask<ReadResult> ReadOrCancelAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        ReadResult result;
        using (cancellationToken.Register(static r => ((PipeReader)r!).CancelPendingRead(), reader))
        {
            result = await reader.ReadAsync(CancellationToken.None);
        }

        if (result.IsCanceled)
        {
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            cancellationToken.ThrowIfCancellationRequested();
            throw new OperationCanceledException("The read of the request body was cancelled.");
        }

        return result;
    }
}
