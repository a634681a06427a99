using LlmSize.Cli;

// `llmsize --version` answers before the command model is built: Spectre.Console.Cli reflects over every command's
// settings before it parses anything, which is most of the start-up of a bare `--version` (benchmarks/startup).
// The text is the one the command model prints (SetApplicationVersion); a test holds the two equal.
if (LlmSizeApp.IsBareVersionRequest(args))
{
    Console.Out.WriteLine(LlmSizeApp.InformationalVersion);
    return 0;
}

return await LlmSizeApp.Create().RunAsync(args);
