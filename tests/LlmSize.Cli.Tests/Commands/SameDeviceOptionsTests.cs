using System.Reflection;
using System.Text.Json;
using LlmSize.Cli.Commands;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core.Devices;
using Spectre.Console.Cli;
using Spectre.Console.Testing;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>Issue 17, item 7: every command that takes a device takes the same device options through the one shared
/// <see cref="DeviceSelectionSettings"/>, and each option names the same device as it does for <c>fit</c>.</summary>
public sealed class SameDeviceOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-devopts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The commands that take a device, with a model each can run on (catalog entries: no download).</summary>
    private static readonly string[][] DeviceCommands =
    [
        ["fit", "gemma-2b"],
        ["shrink", "gemma-2b"],
        ["distill", "llama-3.1-8b"],
    ];

    /// <summary>Captures the bound settings of the command that runs.</summary>
    private sealed class Capture : ICommandInterceptor
    {
        public CommandSettings? Settings { get; private set; }

        public void Intercept(CommandContext context, CommandSettings settings) => Settings = settings;
    }

    /// <summary>Runs one command line and returns its exit code and the device its settings name, as JSON.</summary>
    private static (int Code, string Device, string Error) Run(string[] args)
    {
        var console = new TestConsole().Width(250);
        var capture = new Capture();
        var app = new CommandApp();
        app.Configure(c =>
        {
            LlmSizeApp.Configure(c, console, console);
            c.SetInterceptor(capture);
        });
        int code = app.Run(args);
        var settings = Assert.IsAssignableFrom<DeviceSelectionSettings>(capture.Settings);
        DeviceProfile device = settings.ResolveDevice(settings.Catalog());
        // --this-machine reads free storage and available memory live (the app limit, OS reserve and model memory follow from them);
        // they change between two runs. Every other field (RAM, cores, GPU, bandwidth …) must match.
        var json = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(device))!.AsObject();
        string[] live = ["FreeStorage", "AppMemoryLimit", "OsReserve", "ModelMemory", "Available"];
        foreach (string field in json.Select(p => p.Key).Where(k => live.Any(l => k.Contains(l, StringComparison.Ordinal))).ToList()) json.Remove(field);
        return (code, json.ToJsonString(), console.Output);
    }

    private string DeviceFile()
    {
        string path = Path.Combine(_dir, "mine.json");
        // Same schema as the built-in catalog (README: --device-file); numbers are this test's own device.
        File.WriteAllText(path, """
            {"devices": [{"id": "my-laptop", "displayName": "My laptop", "category": "IntegratedGpuLaptop", "platform": "linux",
              "ram": "16GiB", "unifiedMemory": true, "memoryBandwidthGBps": 68.3, "cpuCores": 8, "network": "wifi6", "freeStorage": "64GB", "appMemoryLimit": "12GiB",
              "sources": [{"url": "https://example.com/my-laptop-spec", "supports": "all numbers"}]}]}
            """);
        return path;
    }

    public static TheoryData<string> Specs() => new()
    {
        "--device pixel-8",
        "-d galaxy-a15",
        "--device-file {file} --device my-laptop",
        "--this-machine --bandwidth 50GB/s",
        "--ram 8GiB --bandwidth 100GB/s",
        "--ram 16GiB --vram 6GiB --bandwidth 336GB/s",
        "--ram 8GiB --bandwidth 100GB/s --fp16 20TFLOPS",
        "--ram 8GiB --bandwidth 100GB/s --cores 8",
        "--ram 8GiB --bandwidth 100GB/s --usable-ram 6GiB",
        "--ram 8GiB --bandwidth 68GB/s --unified",
        "--ram 8GiB --bandwidth 68GB/s --unified --browser chrome",
        "--ram 8GiB --bandwidth 68GB/s --unified --browser chrome --shader-f16",
        "--ram 8GiB --bandwidth 68GB/s --unified --browser chrome --max-buffer 2GiB --max-binding 1GiB",
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Every_device_command_accepts_each_option_and_names_the_same_device_as_fit(string spec)
    {
        string[] options = spec.Replace("{file}", DeviceFile(), StringComparison.Ordinal).Split(' ');
        string? fitDevice = null;
        foreach (string[] command in DeviceCommands)
        {
            var (code, device, error) = Run([.. command, .. options]);
            Assert.True(code == 0, $"{string.Join(' ', command)} {spec}: exit {code}: {error}");
            fitDevice ??= device;
            Assert.Equal(fitDevice, device);
        }
    }

    [Fact]
    public void Device_taking_commands_list_every_shared_device_option_in_their_help()
    {
        // The options DeviceSelectionSettings declares, as Spectre's model of the commands lists them.
        string[] shared = typeof(DeviceSelectionSettings).GetProperties()
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .Where(a => a is not null)
            .SelectMany(a => a!.LongNames.Select(n => "--" + n))
            .ToArray();
        Assert.Contains("--device-file", shared);
        Assert.Contains("--this-machine", shared);
        Assert.Contains("--bandwidth", shared);
        foreach (string[] command in DeviceCommands)
        {
            var options = CliModel.Root.Find(command[0])!.Options.SelectMany(o => o.Spellings).ToHashSet();
            foreach (string option in shared) Assert.True(options.Contains(option), $"{command[0]} lacks {option}");
        }
    }

    [Fact]
    public void No_command_declares_device_options_of_its_own()
    {
        // Any settings class with a device option (--device, --ram, --bandwidth …) gets it from the shared class.
        // (--device-file alone is also on 'devices list/show', which browse the catalog and take no device to estimate on.)
        string[] deviceOptions = ["device", "this-machine", "ram", "vram", "bandwidth", "fp16", "cores", "usable-ram", "unified", "browser", "shader-f16", "max-buffer", "max-binding"];
        var settingsTypes = typeof(LlmSizeApp).Assembly.GetTypes()
            .Where(t => typeof(CommandSettings).IsAssignableFrom(t) && !t.IsAbstract);
        foreach (Type t in settingsTypes)
        {
            foreach (PropertyInfo p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                // measure always runs on this machine; its --bandwidth only corrects this machine's figure for the prediction.
                if (t.Name == "MeasureSettings" && p.Name == "Bandwidth") continue;
                if (p.GetCustomAttribute<CommandOptionAttribute>() is { } a && a.LongNames.Any(deviceOptions.Contains))
                {
                    Assert.Fail($"{t.Name}.{p.Name} declares --{a.LongNames[0]}; derive from DeviceSelectionSettings instead");
                }
            }
        }
    }
}
