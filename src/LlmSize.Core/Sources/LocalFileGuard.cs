using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LlmSize.Core.Sources;

/// <summary>What a path names once symbolic links are resolved, as far as opening it for reading is concerned.</summary>
public enum LocalFileKind
{
    /// <summary>The kind could not be determined on this platform (the open is attempted as before).</summary>
    Unknown = 0,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A FIFO (named pipe): opening it for reading blocks until a writer appears.</summary>
    Fifo,
    /// <summary>A character device such as <c>/dev/zero</c>: reads never end.</summary>
    CharacterDevice,
    /// <summary>A block device (a disk).</summary>
    BlockDevice,
    /// <summary>A Unix domain socket.</summary>
    Socket,
    /// <summary>Nothing exists at the path (or a symbolic link points nowhere).</summary>
    Missing,
}

/// <summary>The identity of a file on its file system: device and inode on Unix. Two paths name the same file
/// exactly when their identities are equal.</summary>
/// <param name="Device">The device number of the file system holding the file.</param>
/// <param name="Inode">The inode number within that file system.</param>
public readonly record struct LocalFileIdentity(ulong Device, ulong Inode);

/// <summary>
/// The one gate for every open of a user-named local file: refuses FIFOs, devices and sockets (after resolving
/// symbolic links) with a <see cref="ModelFormatException"/> naming the file <em>before</em> opening it, checks after
/// opening that the handle is the file that was checked, and reads whole files bounded by the bytes actually read
/// (never by the length the file system reports, which is 0 for <c>/dev/zero</c> and for <c>/proc</c> files).
/// </summary>
/// <remarks>
/// On Linux the file type and identity come from <c>statx(2)</c>, whose structure has one layout on every
/// architecture. On other platforms the kind is <see cref="LocalFileKind.Unknown"/> except where .NET reports it
/// (directories, Windows devices), and <see cref="IsSameFile"/> compares fully resolved paths.
/// </remarks>
public static partial class LocalFileGuard
{
    /// <summary>Returns the kind of file <paramref name="path"/> names, following symbolic links. Never throws for
    /// an ordinary path.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The kind; <see cref="LocalFileKind.Unknown"/> where the platform does not say.</returns>
    public static LocalFileKind GetKind(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\0')) return LocalFileKind.Missing;
        if (OperatingSystem.IsLinux())
        {
            int rc = LinuxStat.Stat(path, out var st, out int errno);
            if (rc == 0) return LinuxStat.KindOf(st.Mode);
            if (errno is LinuxStat.ENOENT or LinuxStat.ENOTDIR or LinuxStat.ELOOP) return LocalFileKind.Missing;
            if (errno != LinuxStat.NoStatx) return LocalFileKind.Unknown;
        }

        try
        {
            var info = new FileInfo(path);
            FileSystemInfo target = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            if (!target.Exists) return Directory.Exists(target.FullName) ? LocalFileKind.Directory : LocalFileKind.Missing;
            if ((target.Attributes & FileAttributes.Device) != 0) return LocalFileKind.CharacterDevice;
            return OperatingSystem.IsWindows() ? LocalFileKind.Regular : LocalFileKind.Unknown;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return LocalFileKind.Unknown;
        }
    }

    /// <summary>Refuses <paramref name="path"/> unless it is a regular file, a directory (the open reports that as
    /// before), missing (the open reports that as before) or of unknown kind.</summary>
    /// <param name="path">The user-named path.</param>
    /// <exception cref="ModelFormatException"><see cref="ModelFormatError.NotARegularFile"/>: a FIFO, a device or a
    /// socket; <see cref="ModelFormatError.InvalidValue"/>: the path holds a NUL character.</exception>
    public static void EnsureRegularFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\0'))
            throw new ModelFormatException(ModelFormatError.InvalidValue, "the path contains a NUL character", path.Replace("\0", "\\0", StringComparison.Ordinal));
        LocalFileKind kind = GetKind(path);
        if (kind is LocalFileKind.Fifo or LocalFileKind.CharacterDevice or LocalFileKind.BlockDevice or LocalFileKind.Socket)
            throw NotRegular(path, kind);
    }

    /// <summary>Opens <paramref name="path"/> for reading after <see cref="EnsureRegularFile"/>, then checks that the
    /// opened handle is a regular file too (a path swapped between the check and the open is refused).</summary>
    /// <param name="path">The user-named path.</param>
    /// <param name="bufferSize">The stream's buffer size (0 or 1 = unbuffered).</param>
    /// <param name="options">File options (asynchronous, random access).</param>
    /// <returns>The open stream, shared for reading.</returns>
    /// <exception cref="ModelFormatException">Not a regular file (<see cref="ModelFormatError.NotARegularFile"/>).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">A directory or no read permission.</exception>
    public static FileStream OpenRead(string path, int bufferSize = 4096, FileOptions options = FileOptions.None)
    {
        SafeFileHandle handle = OpenHandle(path, options);
        try
        {
            return new FileStream(handle, FileAccess.Read, bufferSize, (options & FileOptions.Asynchronous) != 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens a read handle on <paramref name="path"/> with the checks of <see cref="OpenRead"/>.</summary>
    /// <param name="path">The user-named path.</param>
    /// <param name="options">File options.</param>
    /// <returns>The handle; the caller disposes it.</returns>
    /// <exception cref="ModelFormatException">Not a regular file (<see cref="ModelFormatError.NotARegularFile"/>).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">A directory or no read permission.</exception>
    public static SafeFileHandle OpenHandle(string path, FileOptions options = FileOptions.None)
    {
        EnsureRegularFile(path);
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, options);
        if (OperatingSystem.IsLinux())
        {
            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                int fd = (int)handle.DangerousGetHandle();
                if (LinuxStat.StatFd(fd, out var st, out _) == 0)
                {
                    LocalFileKind kind = LinuxStat.KindOf(st.Mode);
                    if (kind is not (LocalFileKind.Regular or LocalFileKind.Directory)) throw NotRegular(path, kind);
                }
            }
            catch
            {
                if (added) { handle.DangerousRelease(); added = false; }
                handle.Dispose();
                throw;
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        return handle;
    }

    /// <summary>The length of the regular file <paramref name="path"/>, after <see cref="EnsureRegularFile"/>.</summary>
    /// <param name="path">The user-named path.</param>
    /// <returns>Its length in bytes.</returns>
    /// <exception cref="ModelFormatException">Not a regular file (<see cref="ModelFormatError.NotARegularFile"/>).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static long GetLength(string path)
    {
        EnsureRegularFile(path);
        return new FileInfo(path).Length;
    }

    /// <summary>Reads the whole of <paramref name="path"/>, refusing it as soon as more than
    /// <paramref name="maxBytes"/> bytes have actually been read.</summary>
    /// <param name="path">The user-named path.</param>
    /// <param name="maxBytes">The cap in bytes.</param>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="ModelFormatException">Not a regular file (<see cref="ModelFormatError.NotARegularFile"/>); more
    /// than <paramref name="maxBytes"/> bytes (<see cref="ModelFormatError.HeaderTooLarge"/>).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        using FileStream stream = OpenRead(path, bufferSize: 1);
        var buffer = new BoundedBuffer(path, maxBytes, stream.Length);
        while (true)
        {
            Span<byte> room = buffer.Room();
            int n = stream.Read(room);
            if (n == 0) return buffer.ToArray();
            buffer.Advance(n);
        }
    }

    /// <summary>Asynchronous <see cref="ReadAllBytes"/>.</summary>
    /// <param name="path">The user-named path.</param>
    /// <param name="maxBytes">The cap in bytes.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="ModelFormatException">As for <see cref="ReadAllBytes"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static async Task<byte[]> ReadAllBytesAsync(string path, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        await using FileStream stream = OpenRead(path, bufferSize: 1, FileOptions.Asynchronous);
        var buffer = new BoundedBuffer(path, maxBytes, stream.Length);
        while (true)
        {
            int n = await stream.ReadAsync(buffer.RoomMemory(), cancellationToken).ConfigureAwait(false);
            if (n == 0) return buffer.ToArray();
            buffer.Advance(n);
        }
    }

    /// <summary>The identity (device, inode) of the file <paramref name="path"/> reaches after resolving symbolic links
    /// and <c>..</c>, or null where the platform does not tell or nothing exists there.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The identity, or null.</returns>
    public static LocalFileIdentity? TryGetIdentity(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!OperatingSystem.IsLinux() || path.Contains('\0')) return null;
        return LinuxStat.Stat(path, out var st, out _) == 0
            ? new LocalFileIdentity(((ulong)st.DevMajor << 32) | st.DevMinor, st.Ino)
            : null;
    }

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> name the same existing file: the same device and
    /// inode on Linux (so a symlinked folder, a hard link or <c>..</c> cannot hide it), the same fully resolved path
    /// elsewhere.</summary>
    /// <param name="a">One path.</param>
    /// <param name="b">The other path.</param>
    /// <returns>True when both exist and are one file.</returns>
    public static bool IsSameFile(string a, string b)
    {
        ArgumentException.ThrowIfNullOrEmpty(a);
        ArgumentException.ThrowIfNullOrEmpty(b);
        if (TryGetIdentity(a) is { } ia && TryGetIdentity(b) is { } ib) return ia == ib;
        if (OperatingSystem.IsLinux()) return false; // statx answered: one of them does not exist
        if (!File.Exists(a) || !File.Exists(b)) return false;
        StringComparison cmp = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return string.Equals(ResolvePath(a), ResolvePath(b), cmp);
    }

    /// <summary>Resolves every symbolic link along <paramref name="path"/> (folders included) and <c>..</c>, as far
    /// as the path exists.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The resolved full path.</returns>
    public static string ResolvePath(string path)
    {
        string full = Path.GetFullPath(path);
        string? parent = Path.GetDirectoryName(full);
        string name = Path.GetFileName(full);
        if (parent is null || name.Length == 0) return full;
        string resolvedParent = ResolvePath(parent);
        string joined = Path.Combine(resolvedParent, name);
        try
        {
            FileSystemInfo info = Directory.Exists(joined) ? new DirectoryInfo(joined) : new FileInfo(joined);
            return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? joined;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return joined;
        }
    }

    private static ModelFormatException NotRegular(string path, LocalFileKind kind) => new(ModelFormatError.NotARegularFile,
        kind switch
        {
            LocalFileKind.Fifo => "is a FIFO (named pipe), not a regular file; refusing to open it",
            LocalFileKind.CharacterDevice => "is a character device, not a regular file; refusing to read it",
            LocalFileKind.BlockDevice => "is a block device, not a regular file; refusing to read it",
            LocalFileKind.Socket => "is a socket, not a regular file; refusing to open it",
            _ => "is not a regular file; refusing to open it",
        }, path);

    /// <summary>A growing buffer that refuses to hold more than its cap.</summary>
    private sealed class BoundedBuffer(string path, long maxBytes, long reportedLength)
    {
        private byte[] _data = new byte[(int)Math.Clamp(Math.Min(reportedLength, maxBytes) + 1, 1, 1 << 20)];
        private int _count;

        public Span<byte> Room() => EnsureRoom().Span;

        public Memory<byte> RoomMemory() => EnsureRoom();

        public void Advance(int n)
        {
            _count += n;
            if (_count > maxBytes)
                throw new ModelFormatException(ModelFormatError.HeaderTooLarge,
                    $"holds more than the {maxBytes:N0}-byte cap for this file (read {_count:N0} bytes and stopped)", path);
        }

        public byte[] ToArray() => _data.AsSpan(0, _count).ToArray();

        private Memory<byte> EnsureRoom()
        {
            if (_count == _data.Length)
            {
                // Never more than cap + 1 bytes: one byte past the cap is enough to know the file is too large.
                long next = Math.Min(Math.Max(_data.Length * 2L, 4096), Math.Min(maxBytes + 1, Array.MaxLength));
                if (next <= _data.Length) next = _data.Length + 1;
                Array.Resize(ref _data, (int)next);
            }

            long limit = Math.Min(_data.Length, maxBytes + 1);
            return _data.AsMemory(_count, (int)(limit - _count));
        }
    }

    /// <summary>statx(2) on Linux: one structure layout on every architecture (include/uapi/linux/stat.h).</summary>
    private static partial class LinuxStat
    {
        public const int ENOENT = 2, ENOTDIR = 20, ELOOP = 40, ENOSYS = 38;
        public const int NoStatx = -1;
        private const int AtFdCwd = -100, AtEmptyPath = 0x1000;
        private const uint StatxBasicStats = 0x7FF;
        private static bool s_unavailable;

        [StructLayout(LayoutKind.Explicit, Size = 256)]
        public struct StatxBuffer
        {
            [FieldOffset(0)] public uint Mask;
            [FieldOffset(28)] public ushort Mode;
            [FieldOffset(32)] public ulong Ino;
            [FieldOffset(40)] public ulong Size;
            [FieldOffset(136)] public uint DevMajor;
            [FieldOffset(140)] public uint DevMinor;
        }

        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int StatxNative(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

        /// <summary>statx following symbolic links; errno <see cref="NoStatx"/> when the call is not available.</summary>
        public static int Stat(string path, out StatxBuffer st, out int errno) => Call(AtFdCwd, path, 0, out st, out errno);

        /// <summary>statx of an open descriptor.</summary>
        public static int StatFd(int fd, out StatxBuffer st, out int errno) => Call(fd, string.Empty, AtEmptyPath, out st, out errno);

        private static int Call(int dirfd, string path, int flags, out StatxBuffer st, out int errno)
        {
            st = default;
            errno = NoStatx;
            if (s_unavailable) return -1;
            try
            {
                int rc = StatxNative(dirfd, path, flags, StatxBasicStats, out st);
                errno = rc == 0 ? 0 : Marshal.GetLastPInvokeError();
                if (rc != 0 && errno == ENOSYS)
                {
                    s_unavailable = true;
                    errno = NoStatx;
                }

                return rc;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_unavailable = true;
                return -1;
            }
        }

        public static LocalFileKind KindOf(ushort mode) => (mode & 0xF000) switch
        {
            0x8000 => LocalFileKind.Regular,
            0x4000 => LocalFileKind.Directory,
            0x1000 => LocalFileKind.Fifo,
            0x2000 => LocalFileKind.CharacterDevice,
            0x6000 => LocalFileKind.BlockDevice,
            0xC000 => LocalFileKind.Socket,
            _ => LocalFileKind.Unknown,
        };
    }
}
