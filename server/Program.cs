var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/health/live", () => TypedResults.Ok());
app.Run();
