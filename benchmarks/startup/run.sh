#!/usr/bin/env bash
# Start-up of llmsize as whole processes against a .NET hello world and the node GGUF parser, paired A B A B.
# usage: benchmarks/startup/run.sh [RUNS]   (needs the .NET 10 SDK, node and npm, python3)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-20}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rid="$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)"
gguf="$root/../shared/fixtures/gguf/llama-2-tiny-random.gguf"

echo "building (published ReadyToRun for $rid, plain build, hello world, node peer)…" >&2
dotnet publish "$root/src/LlmSize.Cli" -c Release -r "$rid" --self-contained false -o "$work/r2r" -nologo -v q >&2
dotnet build "$root/src/LlmSize.Cli" -c Release -o "$work/plain" -nologo -v q >&2
mkdir -p "$work/hello"
cat > "$work/hello/hello.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings>
  <InvariantGlobalization>true</InvariantGlobalization></PropertyGroup>
</Project>
XML
echo 'Console.WriteLine("Hello, World!");' > "$work/hello/Program.cs"
dotnet build "$work/hello" -c Release -o "$work/hello/out" -nologo -v q >&2
cp "$root/benchmarks/startup/package.json" "$root/benchmarks/startup/parse-gguf.mjs" "$work/"
(cd "$work" && npm install --silent --no-audit --no-fund >&2)

hello="$work/hello/out/hello"
echo "llmsize --version (ReadyToRun) vs .NET hello world:    $(python3 "$root/benchmarks/startup/paired.py" "$runs" "$work/r2r/llmsize --version" "$hello")"
echo "llmsize --version (plain build) vs .NET hello world:   $(python3 "$root/benchmarks/startup/paired.py" "$runs" "$work/plain/llmsize --version" "$hello")"
echo "llmsize inspect tiny.gguf (ReadyToRun) vs node gguf:   $(python3 "$root/benchmarks/startup/paired.py" "$runs" "$work/r2r/llmsize inspect $gguf" "node $work/parse-gguf.mjs $gguf")"
echo "llmsize inspect tiny.gguf (plain build) vs node gguf:  $(python3 "$root/benchmarks/startup/paired.py" "$runs" "$work/plain/llmsize inspect $gguf" "node $work/parse-gguf.mjs $gguf")"
echo "node -e 0 vs .NET hello world:                         $(python3 "$root/benchmarks/startup/paired.py" "$runs" "node -e 0" "$hello")"
