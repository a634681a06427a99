using System.Text;

namespace LlmSize.Cli.Commands.Completion;

/// <summary>Writes the completion scripts. bash: a <c>complete -F</c> function; zsh: the same function through zsh's
/// <c>bashcompinit</c> (zsh's documented bash-completion emulation); PowerShell: a native
/// <c>Register-ArgumentCompleter</c>. Each completes subcommands, the options of the command typed so far, the values of
/// <c>--device</c>, <c>--runtime</c>, <c>--network</c>, <c>--browser</c> and <c>--category</c>, catalog model names for the
/// model argument, and file names elsewhere.</summary>
internal static class CompletionScripts
{
    /// <summary>The bash script.</summary>
    public static string Bash(CompletionWords words)
    {
        var s = new StringBuilder();
        s.Append("# bash completion for llmsize, written by 'llmsize completion bash' (commands and options from llmsize's own\n");
        s.Append("# command model, device ids and model names from its built-in catalogs). Install: eval \"$(llmsize completion bash)\"\n");
        Case(s, "_llmsize_subcommands", words.Commands.Select(c => (Quote(c.Path), string.Join(' ', c.Subcommands))));
        Case(s, "_llmsize_options", words.Commands.Select(c => (Quote(c.Path), string.Join(' ', c.Options))));
        Case(s, "_llmsize_valued", words.Commands.Select(c => (Quote(c.Path), string.Join(' ', c.ValuedOptions))));
        Case(s, "_llmsize_argument", words.Commands.Select(c => (Quote(c.Path), c.Argument)));
        s.Append("_llmsize_values() {\n    case \"$1\" in\n");
        foreach (var (option, values) in words.Values) s.Append("        ").Append(Quote(option)).Append(") echo ").Append(Quote(string.Join(' ', values))).Append(" ;;\n");
        s.Append("        *) return 1 ;;\n    esac\n}\n");
        s.Append("_llmsize_models=").Append(Quote(string.Join(' ', words.Models))).Append('\n');
        s.Append("""
            _llmsize() {
                local cur="${COMP_WORDS[COMP_CWORD]}" prev="" path="" i w values
                (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"
                for (( i = 1; i < COMP_CWORD; i++ )); do
                    w="${COMP_WORDS[i]}"
                    if [[ "$w" != -* && " $(_llmsize_subcommands "$path") " == *" $w "* ]]; then
                        path="${path:+$path }$w"
                    fi
                done
                COMPREPLY=()
                if [[ -n "$prev" && "$prev" == -* && " $(_llmsize_valued "$path") " == *" $prev "* ]]; then
                    if values="$(_llmsize_values "$prev")"; then
                        COMPREPLY=( $(compgen -W "$values" -- "$cur") )
                    else
                        COMPREPLY=( $(compgen -f -- "$cur") )
                    fi
                    return 0
                fi
                if [[ "$cur" == -* ]]; then
                    COMPREPLY=( $(compgen -W "$(_llmsize_options "$path")" -- "$cur") )
                    return 0
                fi
                values="$(_llmsize_subcommands "$path")"
                if [[ -n "$values" ]]; then
                    COMPREPLY=( $(compgen -W "$values" -- "$cur") )
                    return 0
                fi
                case "$(_llmsize_argument "$path")" in
                    model) COMPREPLY=( $(compgen -W "$_llmsize_models" -- "$cur") $(compgen -f -- "$cur") ) ;;
                    shell) COMPREPLY=( $(compgen -W 'bash zsh pwsh' -- "$cur") ) ;;
                    *) COMPREPLY=( $(compgen -f -- "$cur") ) ;;
                esac
                return 0
            }
            complete -o default -F _llmsize llmsize

            """);
        return s.ToString();
    }

    /// <summary>The zsh script: the bash function through <c>bashcompinit</c>.</summary>
    public static string Zsh(CompletionWords words) =>
        "# zsh completion for llmsize, written by 'llmsize completion zsh'. Install: eval \"$(llmsize completion zsh)\" in ~/.zshrc\n"
        + "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
        + Bash(words);

    /// <summary>The PowerShell script.</summary>
    public static string PowerShell(CompletionWords words)
    {
        var s = new StringBuilder();
        s.Append("# PowerShell completion for llmsize, written by 'llmsize completion pwsh'. Install: llmsize completion pwsh | Out-String | Invoke-Expression\n");
        s.Append("$llmsizeSubcommands = @{\n");
        foreach (var c in words.Commands) s.Append("    ").Append(Quote(c.Path)).Append(" = @(").Append(List(c.Subcommands)).Append(")\n");
        s.Append("}\n$llmsizeOptions = @{\n");
        foreach (var c in words.Commands) s.Append("    ").Append(Quote(c.Path)).Append(" = @(").Append(List(c.Options)).Append(")\n");
        s.Append("}\n$llmsizeValued = @{\n");
        foreach (var c in words.Commands) s.Append("    ").Append(Quote(c.Path)).Append(" = @(").Append(List(c.ValuedOptions)).Append(")\n");
        s.Append("}\n$llmsizeArgument = @{\n");
        foreach (var c in words.Commands) s.Append("    ").Append(Quote(c.Path)).Append(" = ").Append(Quote(c.Argument)).Append('\n');
        s.Append("}\n$llmsizeValues = @{\n");
        foreach (var (option, values) in words.Values) s.Append("    ").Append(Quote(option)).Append(" = @(").Append(List(values)).Append(")\n");
        s.Append("}\n$llmsizeModels = @(").Append(List(words.Models)).Append(")\n");
        s.Append("""
            Register-ArgumentCompleter -Native -CommandName llmsize -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                $elements = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })
                $count = $elements.Count
                if ($wordToComplete -ne '') { $count = $count - 1 }
                $path = ''
                $prev = ''
                for ($i = 1; $i -lt $count; $i++) {
                    $w = $elements[$i]
                    if (-not $w.StartsWith('-') -and $llmsizeSubcommands[$path] -contains $w) {
                        $path = if ($path -eq '') { $w } else { "$path $w" }
                    }
                }
                if ($count -ge 2) { $prev = $elements[$count - 1] }
                $candidates = @()
                if ($prev.StartsWith('-') -and $llmsizeValued[$path] -contains $prev) {
                    if ($llmsizeValues.ContainsKey($prev)) { $candidates = $llmsizeValues[$prev] } else { return }
                } elseif ($wordToComplete.StartsWith('-')) {
                    $candidates = $llmsizeOptions[$path]
                } elseif ($llmsizeSubcommands[$path].Count -gt 0) {
                    $candidates = $llmsizeSubcommands[$path]
                } elseif ($llmsizeArgument[$path] -eq 'model') {
                    $candidates = $llmsizeModels
                } elseif ($llmsizeArgument[$path] -eq 'shell') {
                    $candidates = @('bash', 'zsh', 'pwsh')
                } else { return }
                $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """);
        return s.ToString();
    }

    private static void Case(StringBuilder s, string function, IEnumerable<(string Pattern, string Words)> cases)
    {
        s.Append(function).Append("() {\n    case \"$1\" in\n");
        foreach (var (pattern, text) in cases) s.Append("        ").Append(pattern).Append(") echo ").Append(Quote(text)).Append(" ;;\n");
        s.Append("    esac\n}\n");
    }

    private static string List(IEnumerable<string> items) => string.Join(", ", items.Select(Quote));

    /// <summary>Single-quoted for bash and PowerShell alike (both double a quote inside differently; the words here are
    /// ids, option names and paths of commands, which hold no quote).</summary>
    private static string Quote(string text) =>
        text.Contains('\'', StringComparison.Ordinal) ? throw new InvalidOperationException("a completion word holds a quote: " + text) : "'" + text + "'";
}
