using LlmSize.Cli;

return await LlmSizeApp.Create().RunAsync(args);
