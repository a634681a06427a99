// The peer of `llmsize inspect <file.gguf>`: parse the header with @huggingface/gguf and count the parameters.
import { gguf } from "@huggingface/gguf";

const { metadata, tensorInfos } = await gguf(process.argv[2], { allowLocalFile: true });
let parameters = 0n;
for (const t of tensorInfos) parameters += t.shape.reduce((a, b) => a * BigInt(b), 1n);
console.log(`${metadata["general.architecture"]}: ${tensorInfos.length} tensors, ${parameters} parameters`);
