using LlmSize.Core;
using LlmSize.Core.Sources;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LlmSize.Web.Infrastructure;

/// <summary>Maps the core's errors to RFC 7807 problem details: the status from the error's kind, the core's kind or
/// format error code in <c>kind</c> / <c>code</c>, the one-line message as <c>detail</c>, never a stack trace.</summary>
/// <remarks>Statuses: unknown names and missing files 404; malformed or incomplete input, undisclosed models, adapters,
/// files without an architecture and unsupported files 422; invalid requests and settings 400; access denied by the Hub
/// 403; Hub failures 502; a body over its limit 413; anything else 500 with a fixed message (a bug, logged).</remarks>
internal sealed class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    /// <summary>The problem <c>type</c> URIs: <c>urn:llmsize:error:&lt;kind&gt;</c>.</summary>
    internal const string TypePrefix = "urn:llmsize:error:";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ToProblem(exception);
        if (problem.Status == StatusCodes.Status500InternalServerError) logger.LogError(exception, "Unhandled error on {Path}", httpContext.Request.Path);
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = null });
    }

    /// <summary>The problem details of an exception (public for tests).</summary>
    /// <param name="exception">What was thrown.</param>
    /// <returns>The problem.</returns>
    internal static ProblemDetails ToProblem(Exception exception)
    {
        switch (exception)
        {
            case HeaderSliceTooShortException h:
                var p = Make(StatusCodes.Status422UnprocessableEntity, "The posted slice ends inside the header", h.Message, h.Kind.ToString());
                p.Extensions["file"] = h.Path;
                p.Extensions["postedBytes"] = h.PostedBytes;
                p.Extensions["neededBytes"] = h.NeededBytes;
                p.Extensions["fileLength"] = h.FileLength;
                return p;
            case UnknownNameException u:
                var q = Make(StatusCodes.Status404NotFound, $"Unknown {u.NameKind.ToString().ToLowerInvariant()} name", u.Message, u.Kind.ToString());
                q.Extensions["suggestions"] = u.Suggestions;
                return q;
            case InputException e:
                int status = e.Kind switch
                {
                    InputErrorKind.NotFound => StatusCodes.Status404NotFound,
                    InputErrorKind.InvalidRequest or InputErrorKind.InvalidSetting => StatusCodes.Status400BadRequest,
                    InputErrorKind.AccessDenied => StatusCodes.Status403Forbidden,
                    InputErrorKind.RemoteFailure => StatusCodes.Status502BadGateway,
                    _ => StatusCodes.Status422UnprocessableEntity,
                };
                return Make(status, TitleOf(e.Kind), e.Message, e.Kind.ToString());
            case ModelFormatException f:
                var m = Make(StatusCodes.Status422UnprocessableEntity, "Malformed model file", f.Message, "MalformedFile");
                m.Extensions["code"] = f.Error.ToString();
                return m;
            case NotSupportedException n:
                return Make(StatusCodes.Status422UnprocessableEntity, "Not supported", n.Message, "Unsupported");
            case BadHttpRequestException b:
                return Make(b.StatusCode, b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request", b.Message,
                    b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "BodyTooLarge" : "BadRequest");
            case Microsoft.AspNetCore.Http.BadHttpRequestException or System.Text.Json.JsonException:
                return Make(StatusCodes.Status400BadRequest, "Bad request", exception.Message, "BadRequest");
            default:
                return Make(StatusCodes.Status500InternalServerError, "Internal error",
                    "An internal error occurred in llmsize (a bug, not a problem with the request); it was logged.", "InternalError");
        }
    }

    /// <summary>A problem with the project's type URI and kind.</summary>
    internal static ProblemDetails Make(int status, string title, string detail, string kind)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = OneLine(detail),
            Type = TypePrefix + kind,
        };
        problem.Extensions["kind"] = kind;
        return problem;
    }

    private static string TitleOf(InputErrorKind kind) => kind switch
    {
        InputErrorKind.NotFound => "Not found",
        InputErrorKind.NotDisclosed => "Size not disclosed by the vendor",
        InputErrorKind.AdapterNotModel => "An adapter, not a whole model",
        InputErrorKind.NoArchitecture => "No architecture in the files",
        InputErrorKind.InvalidRequest => "Invalid request",
        InputErrorKind.InvalidSetting => "Invalid runtime setting",
        InputErrorKind.AccessDenied => "Access denied by the Hub",
        InputErrorKind.RemoteFailure => "The Hub could not be read",
        InputErrorKind.IncompleteHeader => "The posted slice ends inside the header",
        _ => "Invalid input",
    };

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
