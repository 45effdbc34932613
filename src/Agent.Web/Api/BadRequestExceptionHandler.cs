using Microsoft.AspNetCore.Diagnostics;

namespace CallCenter.Agent.Web.Api;

/// <summary>
/// Unreadable request bodies (malformed JSON, wrong content type, too large) become 400/413/415 problem
/// details with a log line, whatever the environment, instead of a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        logger.LogInformation("Refused a bad request to {Path}: {Reason}", httpContext.Request.Path, bad.Message);
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "Request body too large",
                    StatusCodes.Status415UnsupportedMediaType => "Unsupported content type",
                    _ => "Malformed request",
                },
                Detail = bad.InnerException is System.Text.Json.JsonException json ? "The JSON body could not be read: " + json.Message : bad.Message,
            },
        });
    }
}
