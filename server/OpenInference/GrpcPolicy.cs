using System.Buffers.Binary;
using System.Threading.RateLimiting;
using CreditRisk.Server.Api;
using CreditRisk.Server.Hosting;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.OpenInference;

/// <summary>
/// The API policy (<see cref="ApiPolicy"/>) of the gRPC methods, which endpoint filters do not reach: the key rule
/// (<c>x-api-key</c> metadata; UNAUTHENTICATED) and, for a method that scores, a permit of the batch lane (UNAVAILABLE
/// when full, like REST's 503). gRPC has read the whole request message before an interceptor runs, so a slow upload
/// holds no permit. The rate limit is the endpoints' metadata, applied by the rate limiter before this.
/// </summary>
public sealed partial class GrpcPolicy(ScoringCapacity capacity) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        using var lease = await AdmitAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var lease = await AdmitAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var lease = await AdmitAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var lease = await AdmitAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    /// <summary>The lease of the batch lane for a method that scores (disposed after the call), null for the others.</summary>
    private async ValueTask<RateLimitLease?> AdmitAsync(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        // MapInference gives every method a policy (and refuses to start on one it cannot classify).
        var access = http.GetEndpoint()?.Metadata.GetMetadata<ApiPolicy>()?.Access
            ?? throw new RpcException(new Status(StatusCode.Internal, "this method has no API policy"));
        if (ApiKeys.Refusal(http, access) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, refusal));
        }

        if (access != ApiAccess.Scoring)
        {
            return null;
        }

        var lease = await capacity.AcquireBatchAsync(context.CancellationToken);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new RpcException(new Status(StatusCode.Unavailable, Problems.BusyDetail));
        }

        return lease;
    }

    /// <summary>
    /// A gRPC request message larger than Limits:MaxRequestBodyBytes is refused from its 5-byte frame header, before any
    /// of it is read: RESOURCE_EXHAUSTED and one Warning line. Left to Kestrel, the body limit surfaced inside gRPC's
    /// own reading as UNKNOWN "Exception was thrown by handler" with an Error and a stack trace. A middleware, because
    /// gRPC reads the message before any interceptor runs.
    /// </summary>
    public static async Task RefuseOversizedMessagesAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is null)
        {
            await next(context);
            return;
        }

        const int FrameHeader = 5;
        var limit = context.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value.MaxRequestBodyBytes;
        var reader = context.Request.BodyReader;
        long declared = 0;
        var header = new byte[FrameHeader];
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            var buffer = result.Buffer;
            if (buffer.Length >= FrameHeader)
            {
                System.Buffers.BuffersExtensions.CopyTo(buffer.Slice(0, FrameHeader), header);
                declared = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
            }

            // Nothing consumed: gRPC reads the message from the start.
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (buffer.Length >= FrameHeader || result.IsCompleted)
            {
                break;
            }
        }

        if (FrameHeader + declared <= limit)
        {
            await next(context);
            return;
        }

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<GrpcPolicy>();
        MessageTooLarge(logger, context.Request.Path.Value ?? "", FrameHeader + declared, limit);
        // A trailers-only response: the status in the headers and no message, as gRPC answers any call it refuses at once.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)StatusCode.ResourceExhausted).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] =
            $"the request message is {FrameHeader + declared} bytes; at most {limit} (Limits:MaxRequestBodyBytes)";
    }

    [LoggerMessage(40, LogLevel.Warning, "gRPC {Method}: a request message of {Bytes} bytes refused with RESOURCE_EXHAUSTED, over Limits:MaxRequestBodyBytes {Limit}")]
    private static partial void MessageTooLarge(ILogger logger, string method, long bytes, long limit);
}
