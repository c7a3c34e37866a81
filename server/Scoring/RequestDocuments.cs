namespace CreditRisk.Server.Scoring;

// The request bodies as the OpenAPI document names them. They have no members here: the attributes are the served
// model's, so OpenApi/SpecSchemaFilter writes their schemas from its data set spec. ApplicantReader reads the bodies.

/// <summary>One applicant (the body of POST /api/v1/score).</summary>
public sealed class Applicant;

/// <summary>The body of POST /api/v1/score/batch.</summary>
public sealed class BatchScoreRequest
{
    public required IReadOnlyList<Applicant> Applicants { get; init; }
}
