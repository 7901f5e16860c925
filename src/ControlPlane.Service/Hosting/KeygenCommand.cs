using ControlPlane.Contracts;

namespace ControlPlane.Service.Hosting;

/// <summary><c>keygen DIR</c>: writes a new ECDSA P-256 signing key pair (signing-key.pem, signing-key.pub.pem).</summary>
internal static class KeygenCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 1)
        {
            await Console.Error.WriteLineAsync("usage: ControlPlane.Service keygen DIR");
            return 2;
        }

        Directory.CreateDirectory(args[0]);
        var privatePath = Path.Combine(args[0], "signing-key.pem");
        var publicPath = Path.Combine(args[0], "signing-key.pub.pem");
        if (File.Exists(privatePath))
        {
            await Console.Error.WriteLineAsync($"keygen: {privatePath} exists; refusing to overwrite a signing key.");
            return 1;
        }

        var pair = SigningKeys.Generate();
        await File.WriteAllTextAsync(privatePath, pair.PrivateKeyPem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await File.WriteAllTextAsync(publicPath, pair.PublicKeyPem);
        Console.WriteLine($"wrote {privatePath} (keep secret) and {publicPath} (give to subscribers)");
        return 0;
    }
}
