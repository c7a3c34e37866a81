namespace CreditRisk.Server.Tests;

public class PlaceholderTests
{
    [Fact]
    public void Server_assembly_loads() => Assert.NotNull(typeof(Program).Assembly);
}
