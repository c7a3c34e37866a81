using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CreditRisk.Server.Tests;

/// <summary>A body trickled slower than the request timeout gets its 408 and costs no Error log line (it is the client's doing).</summary>
public sealed class SlowBodyTests(RealServer server) : IClassFixture<RealServer>
{
    [Fact]
    public async Task Trickled_body_gets_408_and_no_error_is_logged()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = tcp.GetStream();
        var body = "{\"age\":" + new string(' ', 3000);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/v1/score HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
        var response = new StringBuilder();
        var buffer = new byte[4096];
        var read = stream.ReadAsync(buffer);
        // 300 bytes/s: above Kestrel's minimum data rate, so only the 2 s request timeout stops it.
        for (var i = 0; i < body.Length && !read.IsCompleted; i += 30)
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(body.Substring(i, 30)));
            }
            catch (IOException)
            {
                break;
            }

            await Task.Delay(100);
        }

        var n = await read.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        response.Append(Encoding.ASCII.GetString(buffer, 0, n));
        Assert.StartsWith("HTTP/1.1 408", response.ToString(), StringComparison.Ordinal);

        await Task.Delay(1000);
        Assert.DoesNotContain("\"@l\":\"Error\"", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("RequestBodyDrain", server.Output, StringComparison.Ordinal);
    }
}
