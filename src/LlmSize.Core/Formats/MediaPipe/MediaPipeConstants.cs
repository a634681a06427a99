namespace LlmSize.Core.Formats.MediaPipe;

/// <summary>Constants of MediaPipe <c>.task</c> bundles (zip archives, PKWARE APPNOTE.TXT).</summary>
internal static class MediaPipeConstants
{
    /// <summary>Local file header signature "PK\x03\x04" (APPNOTE 4.3.7), the first bytes of a non-empty zip.</summary>
    public static ReadOnlySpan<byte> LocalHeaderMagic => "PK\x03\x04"u8;

    /// <summary>End of central directory signature "PK\x05\x06" (APPNOTE 4.3.16), the first bytes of an empty zip.</summary>
    public static ReadOnlySpan<byte> EmptyArchiveMagic => "PK\x05\x06"u8;

    /// <summary>Bytes read from each entry to recognize its content.</summary>
    public const int SniffLength = 8;

    /// <summary>Bytes compared between a stored entry's stream and the mapped file to confirm its data offset.</summary>
    public const int VerifyLength = 4096;

    /// <summary>Entry name of the main LLM graph in MediaPipe LLM Inference bundles.</summary>
    public const string PrefillDecodeEntry = "TF_LITE_PREFILL_DECODE";

    /// <summary>Entry name of the SentencePiece tokenizer in MediaPipe LLM Inference bundles.</summary>
    public const string TokenizerEntry = "TOKENIZER_MODEL";
}
