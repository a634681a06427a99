namespace LlmSize.Cli.Infrastructure;

/// <summary>Process exit codes of <c>llmsize</c> (documented in README.md).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>Bad input: a malformed, hostile or unsupported model file, an unknown model or device, impossible specs.</summary>
    public const int BadInput = 1;

    /// <summary>Usage error: unknown command or option, missing argument or subcommand (<c>llmsize devices</c>),
    /// conflicting options, an option value that is malformed or not valid for it (<c>--context abc</c>,
    /// <c>--network carrier-pigeon</c>, <c>--pattern 4:2</c>, <c>--ram abc</c>).</summary>
    public const int Usage = 2;

    /// <summary>An internal error: an exception the core does not document escaped — a bug in llmsize, not the user's
    /// input (70 = EX_SOFTWARE of BSD sysexits.h). The message asks for a report.</summary>
    public const int InternalError = 70;

    /// <summary>Cancelled (Ctrl+C): 130 = 128 + SIGINT, as shells report an interrupted command.</summary>
    public const int Cancelled = 130;
}
