using System.Net;
using System.Text;
using CreditRisk.Testing;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// Regressions found by the fuzzer: number literals that parse to a whole double but are not whole numbers
/// (1e-400 underflows to 0; 0.000…01 rounds to 0) were accepted as 0. Whole numbers in other spellings still are.
/// </summary>
public sealed class NumberLiteralTests(NumberLiteralTests.Server server) : IClassFixture<NumberLiteralTests.Server>
{
    private readonly HttpClient _client = server.Client;

    /// <summary>One server process for the whole class.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private ServerProcess _process = null!;

        public HttpClient Client => _process.Client;

        public async Task InitializeAsync() => _process = await ServerProcess.StartAsync(BuiltServer.Dll);

        public async Task DisposeAsync() => await _process.DisposeAsync();
    }

    [Theory]
    [InlineData("dependents", "1e-400")]
    [InlineData("dependents", "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("durationMonths", "6.0000000000000001")]
    [InlineData("durationMonths", "60e-1000")]
    [InlineData("age", "1e99999999999999999999")]
    public async Task Not_quite_whole_numbers_are_refused(string field, string literal)
    {
        using var response = await Post(field, literal);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("durationMonths", "6.0")]
    [InlineData("durationMonths", "6e0")]
    [InlineData("durationMonths", "60e-1")]
    [InlineData("durationMonths", "0.6E+1")]
    [InlineData("durationMonths", "6.000000000000000000000000000000")]
    [InlineData("dependents", "-0")]
    public async Task Whole_numbers_in_any_spelling_are_scored(string field, string literal)
    {
        using var response = await Post(field, literal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<HttpResponseMessage> Post(string field, string literal)
    {
        var members = Hostile.Members(BuiltServer.Example("german-credit"));
        var i = members.FindIndex(m => m.Key == field);
        members[i] = (field, literal);
        return _client.PostAsync(new Uri(Hostile.Score, UriKind.Relative),
            new StringContent(Hostile.ObjectText(members), Encoding.UTF8, "application/json"));
    }
}
